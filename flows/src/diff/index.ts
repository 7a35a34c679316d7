export { diffFlows, type FlowDiff } from './diff-flows.js';
export { diffSummary } from './diff-summary.js';
