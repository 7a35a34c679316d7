export { parseFlowSet, type FlowSet, type FlowSetOptions } from './parse-flow-set.js';
