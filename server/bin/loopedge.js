#!/usr/bin/env node
// The `loopedge` bin. It is a committed file rather than dist/cli/main.js
// because npm links bins before `prepare` compiles dist/: in a fresh clone a
// bin pointing into dist/ would not be linked (nor made executable).
import '../dist/cli/main.js';
