/**
 * The JavaScript function node, LoopEdge (user code in the sandbox process,
 * one isolate per node) against Node-RED 4.1 (user code in a vm context of its
 * own process): the reference flow with one function node
 * (`msg.payload.v = msg.payload.v * 2; return msg;`), msg/s side by side; the
 * per-message cost of the function node (the same flow without it, subtracted);
 * and the sandbox process's peak RSS. Each engine and variant runs in its own
 * child process, one after the other.
 */
import { isDeepStrictEqual } from 'node:util';
import { runIfMain, isQuickMode, type Benchmark, type BenchmarkOutcome } from './benchmark.js';
import { runInChild } from './child-process.js';
import { ENGINE_LABELS, type EngineName } from './engines/engine-under-test.js';
import { formatNumber, formatTable, median, metText, ratioText } from './report.js';
import { REFERENCE_ENTRY_NODE, REFERENCE_SINK_NODE } from './reference-flow.js';
import { FUNCTION_BODY } from './function-flow.js';
import type { ThroughputPlan } from './throughput-driver.js';
import type { FunctionThroughput, FunctionVariant } from './function-worker.js';

/** LoopEdge's function node must move at least Node-RED's messages per second, although isolated. */
export const FUNCTION_TARGET_RATIO = 1;

interface Feed {
  name: string;
  label: string;
  batchSize: number;
  maxInFlight: number | undefined;
}

const FEEDS: readonly Feed[] = [
  { name: 'open-loop', label: 'open loop: 1,000 per turn', batchSize: 1_000, maxInFlight: undefined },
  { name: 'closed-loop', label: 'closed loop: ≤ 1,000 in flight', batchSize: 250, maxInFlight: 1_000 },
];

function plan(feed: Feed, quick: boolean): ThroughputPlan {
  return {
    entryNodeId: REFERENCE_ENTRY_NODE,
    sinkNodeId: REFERENCE_SINK_NODE,
    messages: quick ? 10_000 : 100_000,
    warmupMessages: quick ? 2_000 : 20_000,
    rounds: quick ? 1 : 3,
    batchSize: feed.batchSize,
    maxInFlight: feed.maxInFlight,
    roundTimeoutMs: 180_000,
  };
}

interface Run {
  engine: EngineName;
  variant: FunctionVariant;
  feed: Feed;
  measured?: FunctionThroughput;
  msgPerSec?: number;
  error?: string;
}

async function measure(engine: EngineName, variant: FunctionVariant, feed: Feed): Promise<Run> {
  const runPlan = plan(feed, isQuickMode());
  try {
    const measured = await runInChild<FunctionThroughput>('./function-worker.js', [engine, variant, JSON.stringify(runPlan)], runPlan.roundTimeoutMs * (runPlan.rounds + 1) + 60_000);
    return { engine, variant, feed, measured, msgPerSec: median(measured.rounds.map((round) => round.msgPerSec)) };
  } catch (error) {
    return { engine, variant, feed, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Microseconds a message spends in the function node: the flow's time per message with it, minus without it. */
function overheadMicros(withFunction: Run | undefined, without: Run | undefined): number | undefined {
  if (!withFunction?.msgPerSec || !without?.msgPerSec) return undefined;
  return (1 / withFunction.msgPerSec - 1 / without.msgPerSec) * 1e6;
}

export async function runFunctionThroughput(): Promise<BenchmarkOutcome> {
  const runs: Run[] = [];
  // One at a time: two engines measured at once would share the cores.
  for (const feed of FEEDS) for (const engine of ['loopedge', 'node-red'] as const) runs.push(await measure(engine, 'function', feed));
  const closed = FEEDS[1]!;
  for (const engine of ['loopedge', 'node-red'] as const) runs.push(await measure(engine, 'reference', closed));
  const find = (engine: EngineName, variant: FunctionVariant, feed: Feed): Run | undefined => runs.find((r) => r.engine === engine && r.variant === variant && r.feed === feed);

  const perFeed = FEEDS.map((feed) => {
    const loopEdge = find('loopedge', 'function', feed);
    const nodeRed = find('node-red', 'function', feed);
    const ratio = loopEdge?.msgPerSec && nodeRed?.msgPerSec ? loopEdge.msgPerSec / nodeRed.msgPerSec : undefined;
    const agree = loopEdge?.measured && nodeRed?.measured ? isDeepStrictEqual(loopEdge.measured.sinkSample, nodeRed.measured.sinkSample) : undefined;
    const targetMet = ratio === undefined ? undefined : ratio >= FUNCTION_TARGET_RATIO && agree !== false;
    return { feed, loopEdge, nodeRed, ratio, agree, targetMet };
  });
  const overhead = {
    loopedge: overheadMicros(find('loopedge', 'function', closed), find('loopedge', 'reference', closed)),
    'node-red': overheadMicros(find('node-red', 'function', closed), find('node-red', 'reference', closed)),
  };
  const sandboxRss = Math.max(0, ...runs.filter((r) => r.engine === 'loopedge' && r.variant === 'function').flatMap((r) => r.measured?.childPeakRssMiB ?? []));
  const targetMet = perFeed.some((f) => f.targetMet === false) ? false : perFeed.every((f) => f.targetMet === true) ? true : undefined;
  const first = perFeed[0]!.loopEdge?.measured;

  const summaryTable = formatTable(
    `Reference flow + one function node (${FUNCTION_BODY}), ${formatNumber(plan(closed, isQuickMode()).messages)} messages per round, median of ${first?.rounds.length ?? '?'} rounds`,
    ['feed', 'LoopEdge msg/s', 'Node-RED msg/s', 'ratio', 'target', 'met'],
    perFeed.map((f) => [f.feed.label, formatNumber(f.loopEdge?.msgPerSec), formatNumber(f.nodeRed?.msgPerSec), ratioText(f.ratio), `≥ ${FUNCTION_TARGET_RATIO}×`, metText(f.targetMet)]),
  );
  const costTable = formatTable(
    'Cost of the function node (closed loop): time per message with it minus without it',
    ['engine', 'with function msg/s', 'without msg/s', 'µs per message', 'peak RSS MiB', 'sandbox process peak RSS MiB'],
    (['loopedge', 'node-red'] as const).map((engine) => [
      ENGINE_LABELS[engine],
      formatNumber(find(engine, 'function', closed)?.msgPerSec),
      formatNumber(find(engine, 'reference', closed)?.msgPerSec),
      formatNumber(overhead[engine], 1),
      formatNumber(find(engine, 'function', closed)?.measured?.peakRssMiB),
      engine === 'loopedge' ? formatNumber(sandboxRss) : 'none (in process)',
    ]),
  );
  const notes = [
    ...perFeed.map((f) => `${f.feed.name}: ${f.agree === undefined ? 'sink results not compared' : f.agree ? 'both engines computed the same sink messages' : 'the engines computed DIFFERENT sink messages'}`),
    ...runs.filter((r) => r.error).map((r) => `${ENGINE_LABELS[r.engine]} ${r.variant} ${r.feed.name} failed: ${r.error}`),
  ];
  return {
    report: [summaryTable, '', costTable, '', ...notes].join('\n'),
    summary:
      perFeed.map((f) => `${f.feed.name} ${formatNumber(f.loopEdge?.msgPerSec)} vs ${formatNumber(f.nodeRed?.msgPerSec)} msg/s = ${ratioText(f.ratio)}`).join('; ') +
      ` (target ≥ ${FUNCTION_TARGET_RATIO}×); function node ${formatNumber(overhead.loopedge, 1)} µs/msg vs ${formatNumber(overhead['node-red'], 1)}; sandbox RSS ${formatNumber(sandboxRss)} MiB`,
    targetMet,
    results: {
      targetRatio: FUNCTION_TARGET_RATIO,
      functionBody: FUNCTION_BODY,
      feeds: Object.fromEntries(perFeed.map((f) => [f.feed.name, { ratio: f.ratio, targetMet: f.targetMet, sinkResultsAgree: f.agree, loopEdgeMsgPerSec: f.loopEdge?.msgPerSec, nodeRedMsgPerSec: f.nodeRed?.msgPerSec }])),
      overheadMicrosPerMessage: overhead,
      sandboxPeakRssMiB: sandboxRss,
      runs: runs.map((r) => ({ engine: r.engine, variant: r.variant, feed: r.feed.name, msgPerSec: r.msgPerSec, error: r.error, rounds: r.measured?.rounds, peakRssMiB: r.measured?.peakRssMiB, childPeakRssMiB: r.measured?.childPeakRssMiB })),
    },
  };
}

export const functionThroughputBenchmark: Benchmark = {
  name: 'function',
  description: 'the reference flow with one JavaScript function node, LoopEdge (sandboxed) vs Node-RED (in process); function node cost; sandbox RSS',
  run: runFunctionThroughput,
};

runIfMain(import.meta.url, functionThroughputBenchmark);
