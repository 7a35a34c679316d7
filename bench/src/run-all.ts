/**
 * `npm run bench`: runs every benchmark in sequence, then prints one summary
 * table. Pass names to run a subset: `node bench/dist/run-all.js scale`.
 */
import { runBenchmark, type BenchmarkOutcome } from './benchmark.js';
import { benchmarks } from './benchmarks.js';
import { RESULTS_FILE, formatTable, metText } from './report.js';

async function runAll(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !benchmarks.some((benchmark) => benchmark.name === name));
  if (unknown.length > 0) {
    throw new Error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${benchmarks.map((benchmark) => benchmark.name).join(', ')}`);
  }
  const selected = wanted.length > 0 ? benchmarks.filter((benchmark) => wanted.includes(benchmark.name)) : benchmarks;
  const rows: string[][] = [];
  const started = Date.now();
  for (const benchmark of selected) {
    let outcome: BenchmarkOutcome | undefined;
    try {
      outcome = await runBenchmark(benchmark);
    } catch (error) {
      console.error(`${benchmark.name} crashed:`, error);
    }
    rows.push([benchmark.name, metText(outcome?.targetMet), outcome?.summary ?? 'crashed (see above)']);
  }
  console.log(`\n${formatTable(`Summary (${((Date.now() - started) / 1000).toFixed(0)} s)`, ['benchmark', 'target met', 'result'], rows, ['left', 'left', 'left'])}`);
  console.log(`\nResults written to ${RESULTS_FILE}`);
}

await runAll();
