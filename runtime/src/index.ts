export * from './node-api/index.js';
