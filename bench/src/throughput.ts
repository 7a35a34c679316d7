/**
 * Throughput of the reference flow (bench/flows/reference.json):
 * generator → change → switch → range → change → sink, the same flow JSON on
 * LoopEdge and on Node-RED 4.1, each engine in its own child process.
 *
 * Two ways of feeding it. Open loop (the reference method): 1,000 messages
 * every event-loop turn however far the flow falls behind, so a backlog builds
 * up inside a slower engine. Closed loop: the generator keeps at most 1,000
 * messages in flight, which measures the cost per message without a backlog.
 * The target must hold for both.
 */
import { isDeepStrictEqual } from 'node:util';
import { runIfMain, isQuickMode, type Benchmark, type BenchmarkOutcome } from './benchmark.js';
import { runInChild } from './child-process.js';
import { ENGINE_LABELS, type EngineName } from './engines/engine-under-test.js';
import { formatNumber, formatTable, median, metText, ratioText } from './report.js';
import { REFERENCE_ENTRY_NODE, REFERENCE_SINK_NODE } from './reference-flow.js';
import type { ThroughputPlan } from './throughput-driver.js';
import type { EngineThroughput } from './throughput-worker.js';

/** LoopEdge must move at least this many times Node-RED's messages per second. */
export const THROUGHPUT_TARGET_RATIO = 2;

interface FeedVariant {
  name: string;
  label: string;
  batchSize: number;
  maxInFlight: number | undefined;
}

const FEED_VARIANTS: readonly FeedVariant[] = [
  { name: 'open-loop', label: 'open loop: 1,000 per turn', batchSize: 1_000, maxInFlight: undefined },
  { name: 'closed-loop', label: 'closed loop: ≤ 1,000 in flight', batchSize: 250, maxInFlight: 1_000 },
];

export function throughputPlan(variant: FeedVariant, quick: boolean): ThroughputPlan {
  return {
    entryNodeId: REFERENCE_ENTRY_NODE,
    sinkNodeId: REFERENCE_SINK_NODE,
    messages: quick ? 20_000 : 200_000,
    warmupMessages: quick ? 2_000 : 20_000,
    rounds: quick ? 1 : 3,
    batchSize: variant.batchSize,
    maxInFlight: variant.maxInFlight,
    roundTimeoutMs: 180_000,
  };
}

interface EngineOutcome {
  engine: EngineName;
  measured?: EngineThroughput;
  medianMsgPerSec?: number;
  error?: string;
}

interface VariantOutcome {
  variant: FeedVariant;
  plan: ThroughputPlan;
  loopEdge: EngineOutcome;
  nodeRed: EngineOutcome;
  ratio: number | undefined;
  sinkResultsAgree: boolean | undefined;
  targetMet: boolean | undefined;
}

async function measure(engine: EngineName, plan: ThroughputPlan): Promise<EngineOutcome> {
  const timeoutMs = plan.roundTimeoutMs * (plan.rounds + 1) + 60_000;
  try {
    const measured = await runInChild<EngineThroughput>('./throughput-worker.js', [engine, JSON.stringify(plan)], timeoutMs);
    return { engine, measured, medianMsgPerSec: median(measured.rounds.map((round) => round.msgPerSec)) };
  } catch (error) {
    return { engine, error: error instanceof Error ? error.message : String(error) };
  }
}

async function measureVariant(variant: FeedVariant): Promise<VariantOutcome> {
  const plan = throughputPlan(variant, isQuickMode());
  // One engine after the other: running both at once would share the cores.
  const loopEdge = await measure('loopedge', plan);
  const nodeRed = await measure('node-red', plan);
  const ratio =
    loopEdge.medianMsgPerSec !== undefined && nodeRed.medianMsgPerSec !== undefined ? loopEdge.medianMsgPerSec / nodeRed.medianMsgPerSec : undefined;
  const sinkResultsAgree = sinkAgreement(loopEdge, nodeRed);
  // A speed-up on different results is no speed-up.
  const targetMet = ratio === undefined ? undefined : ratio >= THROUGHPUT_TARGET_RATIO && sinkResultsAgree !== false;
  return { variant, plan, loopEdge, nodeRed, ratio, sinkResultsAgree, targetMet };
}

export async function runThroughput(): Promise<BenchmarkOutcome> {
  const outcomes: VariantOutcome[] = [];
  for (const variant of FEED_VARIANTS) outcomes.push(await measureVariant(variant));
  const [first] = outcomes;
  const targetMet = outcomes.some((o) => o.targetMet === false) ? false : outcomes.every((o) => o.targetMet === true) ? true : undefined;

  const summaryTable = formatTable(
    `Reference flow, ${formatNumber(first?.plan.messages)} messages per round, median of ${first?.plan.rounds} rounds (after ${formatNumber(first?.plan.warmupMessages)} warm-up)`,
    ['feed', 'LoopEdge msg/s', 'Node-RED msg/s', 'ratio', 'target', 'met'],
    outcomes.map((o) => [
      o.variant.label,
      formatNumber(o.loopEdge.medianMsgPerSec),
      formatNumber(o.nodeRed.medianMsgPerSec),
      ratioText(o.ratio),
      `≥ ${THROUGHPUT_TARGET_RATIO}×`,
      metText(o.targetMet),
    ]),
  );
  const detailTable = formatTable(
    'Per engine (each run in its own process)',
    ['feed', 'engine', 'rounds msg/s', 'median msg/s', 'peak RSS MiB'],
    outcomes.flatMap((o) =>
      [o.loopEdge, o.nodeRed].map((engine) => [
        o.variant.name,
        ENGINE_LABELS[engine.engine],
        engine.measured ? engine.measured.rounds.map((round) => formatNumber(round.msgPerSec)).join(' / ') : 'failed',
        formatNumber(engine.medianMsgPerSec),
        formatNumber(engine.measured?.peakRssMiB),
      ]),
    ),
    ['left', 'left', 'right', 'right', 'right'],
  );
  const notes = outcomes.flatMap((o) => [
    `${o.variant.name}: ${agreementText(o)}`,
    ...[o.loopEdge, o.nodeRed].filter((engine) => engine.error).map((engine) => `${o.variant.name}: ${ENGINE_LABELS[engine.engine]} failed: ${engine.error}`),
  ]);

  return {
    report: [summaryTable, '', detailTable, '', ...notes].join('\n'),
    summary: outcomes
      .map((o) => `${o.variant.name} ${formatNumber(o.loopEdge.medianMsgPerSec)} vs ${formatNumber(o.nodeRed.medianMsgPerSec)} msg/s = ${ratioText(o.ratio)}`)
      .join('; ') + ` (target ≥ ${THROUGHPUT_TARGET_RATIO}×)`,
    targetMet,
    results: {
      targetRatio: THROUGHPUT_TARGET_RATIO,
      variants: Object.fromEntries(outcomes.map((o) => [o.variant.name, { plan: o.plan, ratio: o.ratio, targetMet: o.targetMet, sinkResultsAgree: o.sinkResultsAgree, loopEdge: o.loopEdge, nodeRed: o.nodeRed }])),
    },
  };
}

/**
 * A speed-up only counts if the work is the same: compare the sampled sink
 * messages (one per switch band) of both engines.
 */
function sinkAgreement(loopEdge: EngineOutcome, nodeRed: EngineOutcome): boolean | undefined {
  const ours = loopEdge.measured?.sinkSample;
  const theirs = nodeRed.measured?.sinkSample;
  if (!ours || !theirs) return undefined;
  return theirs.length > 0 && isDeepStrictEqual(ours, theirs);
}

function agreementText(outcome: VariantOutcome): string {
  const ours = outcome.loopEdge.measured?.sinkSample;
  const theirs = outcome.nodeRed.measured?.sinkSample;
  if (outcome.sinkResultsAgree === undefined) return 'sink results not compared (an engine failed).';
  if (outcome.sinkResultsAgree) return `sink results agree: ${theirs?.length} sampled messages identical on both engines (ignoring _msgid).`;
  return `sink results DIFFER, the numbers do not compare like with like:\n  LoopEdge: ${JSON.stringify(ours)}\n  Node-RED: ${JSON.stringify(theirs)}`;
}

export const throughputBenchmark: Benchmark = {
  name: 'throughput',
  description: 'messages per second through change → switch → range → change, LoopEdge vs Node-RED',
  run: runThroughput,
};

runIfMain(import.meta.url, throughputBenchmark);
