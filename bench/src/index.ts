export type { Benchmark, BenchmarkOutcome } from './benchmark.js';
export { benchmarks } from './benchmarks.js';
export { generateScaleFlow, withOneNodeEdited, DEFAULT_SCALE_SHAPE, type ScaleFlowShape } from './scale-flow.js';
export { readReferenceFlow, REFERENCE_FLOW_FILE } from './reference-flow.js';
