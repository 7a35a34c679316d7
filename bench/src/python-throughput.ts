/**
 * The python-function node (LoopEdge: one Pyodide interpreter per node in a
 * worker thread of the sandbox process): the reference flow with one Python
 * node (`msg['payload']['v'] = msg['payload']['v'] * 2`), msg/s; the first
 * deploy's start time in a fresh process (sandbox + Pyodide); the cost of one
 * more Python node; the per-message cost of the node (the flow without it,
 * subtracted); the sandbox process's peak RSS. Each variant runs in its own
 * child process.
 */
import { runIfMain, isQuickMode, type Benchmark, type BenchmarkOutcome } from './benchmark.js';
import { runInChild } from './child-process.js';
import { formatNumber, formatTable, median, metText } from './report.js';
import { REFERENCE_ENTRY_NODE, REFERENCE_SINK_NODE } from './reference-flow.js';
import { PYTHON_BODY } from './python-flow.js';
import type { ThroughputPlan } from './throughput-driver.js';
import type { PythonThroughput, PythonVariant } from './python-worker.js';

export const PYTHON_TARGET_MSG_PER_SEC = 10_000;
export const PYTHON_TARGET_START_MS = 3_000;

function plan(quick: boolean): ThroughputPlan {
  return {
    entryNodeId: REFERENCE_ENTRY_NODE,
    sinkNodeId: REFERENCE_SINK_NODE,
    messages: quick ? 10_000 : 50_000,
    warmupMessages: quick ? 2_000 : 10_000,
    rounds: quick ? 1 : 3,
    // Closed loop, as the function benchmark's second feed: at most 1,000 messages in flight.
    batchSize: 250,
    maxInFlight: 1_000,
    roundTimeoutMs: 180_000,
  };
}

interface Run {
  variant: PythonVariant;
  measured?: PythonThroughput;
  msgPerSec?: number;
  error?: string;
}

async function measure(variant: PythonVariant): Promise<Run> {
  const runPlan = plan(isQuickMode());
  try {
    const measured = await runInChild<PythonThroughput>('./python-worker.js', [variant, JSON.stringify(runPlan)], runPlan.roundTimeoutMs * (runPlan.rounds + 1) + 60_000);
    return { variant, measured, msgPerSec: median(measured.rounds.map((round) => round.msgPerSec)) };
  } catch (error) {
    return { variant, error: error instanceof Error ? error.message : String(error) };
  }
}

export async function runPythonThroughput(): Promise<BenchmarkOutcome> {
  const python = await measure('python');
  const reference = await measure('reference');
  const overheadMicros = python.msgPerSec && reference.msgPerSec ? (1 / python.msgPerSec - 1 / reference.msgPerSec) * 1e6 : undefined;
  const startMs = python.measured?.firstDeployMs;
  const sandboxRss = Math.max(0, ...(python.measured?.childPeakRssMiB ?? []));
  const throughputMet = python.msgPerSec === undefined ? undefined : python.msgPerSec >= PYTHON_TARGET_MSG_PER_SEC;
  const startMet = startMs === undefined ? undefined : startMs <= PYTHON_TARGET_START_MS;
  const targetMet = throughputMet === false || startMet === false ? false : throughputMet && startMet ? true : undefined;
  const runPlan = plan(isQuickMode());

  const table = formatTable(
    `Reference flow + one python-function node, ${formatNumber(runPlan.messages)} messages per round (closed loop, ≤ 1,000 in flight), median of ${python.measured?.rounds.length ?? '?'} rounds`,
    ['measure', 'LoopEdge', 'target', 'met'],
    [
      ['msg/s with the Python node', formatNumber(python.msgPerSec), `≥ ${formatNumber(PYTHON_TARGET_MSG_PER_SEC)}`, metText(throughputMet)],
      ['first deploy (sandbox + Pyodide), ms', formatNumber(startMs), `≤ ${formatNumber(PYTHON_TARGET_START_MS)}`, metText(startMet)],
      ['one more Python node (from the snapshot), ms', formatNumber(python.measured?.secondNodeMs), '', ''],
      ['msg/s without it (reference flow)', formatNumber(reference.msgPerSec), '', ''],
      ['µs per message in the Python node', formatNumber(overheadMicros, 1), '', ''],
      ['sandbox process peak RSS, MiB', formatNumber(sandboxRss), '', ''],
      ['benchmark process peak RSS, MiB', formatNumber(python.measured?.peakRssMiB), '', ''],
    ],
  );
  const notes = [python, reference].filter((r) => r.error).map((r) => `${r.variant} failed: ${r.error}`);
  return {
    report: [`Python body: ${JSON.stringify(PYTHON_BODY)}`, table, ...notes].join('\n'),
    summary: `python-function ${formatNumber(python.msgPerSec)} msg/s (target ≥ ${formatNumber(PYTHON_TARGET_MSG_PER_SEC)}), first deploy ${formatNumber(startMs)} ms (target ≤ ${formatNumber(PYTHON_TARGET_START_MS)}), ${formatNumber(overheadMicros, 1)} µs/msg, sandbox RSS ${formatNumber(sandboxRss)} MiB`,
    targetMet,
    results: {
      pythonBody: PYTHON_BODY,
      targetMsgPerSec: PYTHON_TARGET_MSG_PER_SEC,
      targetStartMs: PYTHON_TARGET_START_MS,
      msgPerSec: python.msgPerSec,
      referenceMsgPerSec: reference.msgPerSec,
      firstDeployMs: startMs,
      secondNodeMs: python.measured?.secondNodeMs,
      overheadMicrosPerMessage: overheadMicros,
      sandboxPeakRssMiB: sandboxRss,
      runs: [python, reference].map((r) => ({ variant: r.variant, msgPerSec: r.msgPerSec, error: r.error, rounds: r.measured?.rounds, peakRssMiB: r.measured?.peakRssMiB })),
    },
  };
}

export const pythonThroughputBenchmark: Benchmark = {
  name: 'python',
  description: 'the reference flow with one python-function node (Pyodide in the sandbox): msg/s, first-deploy start time, cost per message, sandbox RSS',
  run: runPythonThroughput,
};

runIfMain(import.meta.url, pythonThroughputBenchmark);
