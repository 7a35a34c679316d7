/**
 * Child process of the scale benchmark: loads the generated flow file on ONE
 * engine, then deploys single-node edits in changed-nodes mode, and replies
 * with the timings and the peak RSS of this process.
 */
import { readFileSync } from 'node:fs';
import type { FlowDocument } from '@loopedge/flows';
import { isEngineName, type EngineName } from './engines/engine-under-test.js';
import { loadEngine } from './engines/load-engine.js';
import { replyToParent } from './child-process.js';
import { peakRssMiB } from './report.js';
import { countNodes, withOneNodeEdited, type ScaleFlowShape } from './scale-flow.js';

export interface ScaleRequest {
  flowFile: string;
  shape: ScaleFlowShape;
  /** How many single-node deploys to time, one after the other. */
  oneNodeDeploys: number;
}

export interface EngineScale {
  engine: EngineName;
  nodes: number;
  /** Flow-independent engine boot, done before the clock starts (undefined when the engine needs none). */
  prepareMs: number | undefined;
  /** Reading and parsing the flow file. */
  parseMs: number;
  /** The engine's validation alone, timed after the start (it is part of startMs); undefined when the engine has none. */
  validateMs: number | undefined;
  /** From handing the parsed document to the engine (validate, create, start) until every node runs. */
  startMs: number;
  /** read + parse + start: the time from file to running flow. */
  loadTotalMs: number;
  editedNodeId: string;
  /** Each single-node deploy in changed-nodes mode, in ms; empty when the engine's driver cannot deploy. */
  oneNodeDeployMs: number[];
  rssAfterStartMiB: number;
  peakRssMiB: number;
}

function elapsedMs(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e6;
}

async function measureEngine(): Promise<EngineScale> {
  const [engine, requestJson] = process.argv.slice(2);
  if (!isEngineName(engine) || requestJson === undefined) {
    throw new Error(`usage: node scale-worker.js <loopedge|node-red> '<request json>' (got ${process.argv.slice(2).join(' ')})`);
  }
  const request = JSON.parse(requestJson) as ScaleRequest;
  const adapter = await loadEngine(engine);
  const prepareStarted = process.hrtime.bigint();
  await adapter.prepare?.();
  const prepareMs = adapter.prepare ? elapsedMs(prepareStarted) : undefined;

  // 1. Load: read and parse the file, as a start-up would.
  const loadStarted = process.hrtime.bigint();
  const doc = JSON.parse(readFileSync(request.flowFile, 'utf8')) as FlowDocument;
  const parseMs = elapsedMs(loadStarted);

  // 2. Validate and start every node (an engine that validates does so inside its deploy).
  const startStarted = process.hrtime.bigint();
  const flow = await adapter.startFlow(doc);
  const startMs = elapsedMs(startStarted);
  const loadTotalMs = elapsedMs(loadStarted);
  const rssAfterStartMiB = process.memoryUsage().rss / 1024 / 1024;

  // 3. The engine's validation alone, to show its share of the start (not added to the total).
  let validateMs: number | undefined;
  if (adapter.validate) {
    const validateStarted = process.hrtime.bigint();
    adapter.validate(doc);
    validateMs = elapsedMs(validateStarted);
  }

  // 4. Single-node edits deployed in changed-nodes mode, each on top of the last.
  const oneNodeDeployMs: number[] = [];
  let editedNodeId = '';
  try {
    if (flow.deploy) {
      for (let revision = 1; revision <= request.oneNodeDeploys; revision += 1) {
        const edit = withOneNodeEdited(doc, request.shape, revision);
        editedNodeId = edit.editedNodeId;
        const deployStarted = process.hrtime.bigint();
        await flow.deploy(edit.doc, 'nodes');
        oneNodeDeployMs.push(elapsedMs(deployStarted));
      }
    }
  } finally {
    await flow.stop();
  }
  return {
    engine,
    nodes: countNodes(doc),
    prepareMs,
    parseMs,
    validateMs,
    startMs,
    loadTotalMs,
    editedNodeId,
    oneNodeDeployMs,
    rssAfterStartMiB,
    peakRssMiB: peakRssMiB(),
  };
}

await replyToParent(measureEngine);
