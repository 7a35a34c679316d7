export * from './types.js';
export * from './validate/index.js';
export * from './canonical/index.js';
export * from './diff/index.js';
export * from './flow-set/index.js';
export { subflowTemplateId, isConfigNode, type ConfigTypeTest } from './shared/item-kinds.js';
