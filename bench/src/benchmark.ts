/**
 * The shape every benchmark has, so run-all can hold them in one named table
 * and each can still be run alone (`node bench/dist/<name>.js`).
 */
import { pathToFileURL } from 'node:url';
import { recordResults } from './report.js';

export interface BenchmarkOutcome {
  /** The tables to print. */
  report: string;
  /** One line for run-all's summary. */
  summary: string;
  /** Whether the benchmark's target was met; undefined when it could not be judged. */
  targetMet: boolean | undefined;
  /** What goes into bench-output/results.json under the benchmark's name. */
  results: Record<string, unknown>;
}

export interface Benchmark {
  /** Key in results.json and in run-all's table, e.g. `throughput`. */
  name: string;
  /** What it measures, in one line. */
  description: string;
  run(): Promise<BenchmarkOutcome>;
}

/** True when `moduleUrl` is the script node was started with. */
export function isMainModule(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(entry).href === moduleUrl;
}

/** Runs one benchmark, prints its tables and records its results. */
export async function runBenchmark(benchmark: Benchmark): Promise<BenchmarkOutcome> {
  console.log(`\n== ${benchmark.name}: ${benchmark.description}\n`);
  const outcome = await benchmark.run();
  console.log(outcome.report);
  recordResults(benchmark.name, { description: benchmark.description, quick: isQuickMode(), targetMet: outcome.targetMet, ...outcome.results });
  return outcome;
}

/** For a benchmark module run as a script: run it, and exit non-zero only if it crashed. */
export function runIfMain(moduleUrl: string, benchmark: Benchmark): void {
  if (!isMainModule(moduleUrl)) return;
  runBenchmark(benchmark).catch((error: unknown) => {
    console.error(`${benchmark.name} failed:`, error);
    process.exitCode = 1;
  });
}

/** Quick mode (BENCH_QUICK=1): small counts, to check the benchmarks run at all. */
export function isQuickMode(): boolean {
  return process.env['BENCH_QUICK'] === '1';
}
