import type { Benchmark } from './benchmark.js';
import { scaleBenchmark } from './scale.js';
import { throughputBenchmark } from './throughput.js';
import { updateVerifyBenchmark } from './update-verify.js';
import { flowSigningBenchmark } from './flow-signing.js';
import { functionThroughputBenchmark } from './function-throughput.js';
import { pythonThroughputBenchmark } from './python-throughput.js';
import { mqttThroughputBenchmark } from './mqtt-throughput.js';
import { rulesThroughputBenchmark } from './rules-throughput.js';
import { alertStormBenchmark } from './rules-alert-storm.js';
import { alertNotifyLatencyBenchmark } from './alert-notify-latency.js';
import { editorOpenBenchmark } from './editor-open.js';

/**
 * Every benchmark `npm run bench` runs, in order. Add new ones here; each
 * module also runs alone as `node bench/dist/<name>.js`.
 */
export const benchmarks: readonly Benchmark[] = [throughputBenchmark, scaleBenchmark, functionThroughputBenchmark, pythonThroughputBenchmark, updateVerifyBenchmark, flowSigningBenchmark, rulesThroughputBenchmark, alertStormBenchmark, alertNotifyLatencyBenchmark, mqttThroughputBenchmark, editorOpenBenchmark];
