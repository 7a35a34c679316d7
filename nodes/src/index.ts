export { coreNodeTypes } from './registry/core-nodes.js';
