/**
 * Scale: a generated 10,000-node flow (100 tabs × 25 chains of
 * inject → change → switch → debug). Measures load + validate + start, then a
 * one-node edit deployed in changed-nodes mode, and the peak RSS; Node-RED
 * loads the same file for comparison. Each engine runs in its own process.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { runIfMain, isQuickMode, type Benchmark, type BenchmarkOutcome } from './benchmark.js';
import { runInChild } from './child-process.js';
import { ENGINE_LABELS, type EngineName } from './engines/engine-under-test.js';
import { OUTPUT_DIR, formatNumber, formatTable, median, metText } from './report.js';
import { DEFAULT_SCALE_SHAPE, countNodes, generateScaleFlow, type ScaleFlowShape } from './scale-flow.js';
import type { EngineScale, ScaleRequest } from './scale-worker.js';

/** A single-node deploy on the 10k flow must take less than this. */
export const ONE_NODE_DEPLOY_TARGET_MS = 200;
const ONE_NODE_DEPLOYS = 5;
const CHILD_TIMEOUT_MS = 180_000;

interface EngineOutcome {
  engine: EngineName;
  measured?: EngineScale;
  error?: string;
}

async function measure(engine: EngineName, request: ScaleRequest): Promise<EngineOutcome> {
  try {
    return { engine, measured: await runInChild<EngineScale>('./scale-worker.js', [engine, JSON.stringify(request)], CHILD_TIMEOUT_MS) };
  } catch (error) {
    return { engine, error: error instanceof Error ? error.message : String(error) };
  }
}

export async function runScale(): Promise<BenchmarkOutcome> {
  const shape: ScaleFlowShape = isQuickMode() ? { tabs: 10, chainsPerTab: 25 } : DEFAULT_SCALE_SHAPE;
  const flow = generateScaleFlow(shape);
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const flowFile = `${OUTPUT_DIR}scale-flow-${countNodes(flow)}.json`;
  writeFileSync(flowFile, JSON.stringify(flow));
  const request: ScaleRequest = { flowFile, shape, oneNodeDeploys: ONE_NODE_DEPLOYS };

  const outcomes = [await measure('loopedge', request), await measure('node-red', request)];
  const [loopEdge] = outcomes;
  const loopEdgeDeployMedian = deployMedian(loopEdge?.measured);
  const targetMet = loopEdgeDeployMedian === undefined ? undefined : loopEdgeDeployMedian < ONE_NODE_DEPLOY_TARGET_MS;

  const column = (pick: (measured: EngineScale) => string): string[] =>
    outcomes.map((outcome) => (outcome.measured ? pick(outcome.measured) : 'failed'));
  const ms = (value: number | undefined): string => formatNumber(value, 1);
  const rows: string[][] = [
    ['nodes', ...column((m) => formatNumber(m.nodes))],
    ['engine boot ms (one-node flow, not in load)', ...column((m) => ms(m.prepareMs))],
    ['read + parse ms', ...column((m) => ms(m.parseMs))],
    ['validate + start ms', ...column((m) => ms(m.startMs))],
    ['  of which validate ms', ...column((m) => ms(m.validateMs))],
    ['load + validate + start ms (total)', ...column((m) => ms(m.loadTotalMs))],
    [`one-node deploy ms (median of ${ONE_NODE_DEPLOYS})`, ...column((m) => ms(deployMedian(m)))],
    ['one-node deploy ms (each)', ...column((m) => (m.oneNodeDeployMs.length ? m.oneNodeDeployMs.map((v) => ms(v)).join(' / ') : 'not measured'))],
    ['RSS after start MiB', ...column((m) => formatNumber(m.rssAfterStartMiB))],
    ['peak RSS MiB', ...column((m) => formatNumber(m.peakRssMiB))],
  ];
  const table = formatTable(
    `${formatNumber(countNodes(flow))} nodes on ${shape.tabs} tabs (${flowFile})`,
    ['', ...outcomes.map((outcome) => ENGINE_LABELS[outcome.engine])],
    rows,
  );
  const targetLine = `Target: LoopEdge one-node deploy < ${ONE_NODE_DEPLOY_TARGET_MS} ms (median) — met: ${metText(targetMet)}`;
  const failures = outcomes.filter((outcome) => outcome.error).map((outcome) => `${ENGINE_LABELS[outcome.engine]} failed: ${outcome.error}`);

  return {
    report: [table, '', targetLine, ...failures.map((failure) => `\n${failure}`)].join('\n'),
    summary:
      `LoopEdge loads ${formatNumber(loopEdge?.measured?.nodes)} nodes in ${ms(loopEdge?.measured?.loadTotalMs)} ms, ` +
      `one-node deploy ${ms(loopEdgeDeployMedian)} ms (target < ${ONE_NODE_DEPLOY_TARGET_MS} ms), peak RSS ${formatNumber(loopEdge?.measured?.peakRssMiB)} MiB`,
    targetMet,
    results: { shape, targetMs: ONE_NODE_DEPLOY_TARGET_MS, loopEdge: outcomes[0], nodeRed: outcomes[1] },
  };
}

function deployMedian(measured: EngineScale | undefined): number | undefined {
  return measured && measured.oneNodeDeployMs.length > 0 ? median(measured.oneNodeDeployMs) : undefined;
}

export const scaleBenchmark: Benchmark = {
  name: 'scale',
  description: '10,000-node flow: load + validate + start, one-node deploy (changed nodes), peak RSS',
  run: runScale,
};

runIfMain(import.meta.url, scaleBenchmark);
