#!/usr/bin/env node
import { runCli } from './run-cli.js';

// `loopedge start | head` closes stdout early; debug output then has nowhere to
// go, which must not bring the flows down.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

// No process.exit() on the normal path: once the runtime has stopped, Node
// exits by itself when every node has released its timers and sockets (see
// exitWhenIdle for the case where one has not).
process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdin: process.stdin,
  exit: (code) => process.exit(code),
});
