/**
 * Child process of the Python benchmark (LoopEdge only: Node-RED has no Python
 * function node). argv[2] is the variant: `python` (the reference flow with a
 * python-function node) or `reference` (without it, for the per-message cost);
 * argv[3] the plan. Replies with the first deploy's time (sandbox process +
 * Pyodide loaded from its npm package), the time to add a second Python node,
 * the measured rounds and the peak RSS of this process and of the sandbox.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { loadEngine } from './engines/load-engine.js';
import { replyToParent } from './child-process.js';
import { peakRssMiB } from './report.js';
import { readReferenceFlow } from './reference-flow.js';
import { referenceFlowWithPython, withSecondPythonNode } from './python-flow.js';
import { measureRounds, type MeasuredThroughput, type ThroughputPlan } from './throughput-driver.js';

export type PythonVariant = 'python' | 'reference';

export interface PythonThroughput extends MeasuredThroughput {
  variant: PythonVariant;
  /** From deploy call to running flow, in a fresh process: the first Python node's start. */
  firstDeployMs: number;
  /** A changed-nodes deploy adding one more python-function node (its interpreter starts from the snapshot). */
  secondNodeMs?: number;
  peakRssMiB: number;
  childPeakRssMiB: number[];
}

/** Peak RSS (VmHWM) of this process's children, from /proc (Linux); empty elsewhere. */
function childPeakRss(): number[] {
  const peaks: number[] = [];
  try {
    for (const task of readdirSync('/proc/self/task')) {
      const children = readFileSync(`/proc/self/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      for (const pid of children) {
        const peak = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (peak) peaks.push(Number(peak[1]) / 1024);
      }
    }
  } catch {
    // not Linux, or the child is gone
  }
  return peaks;
}

async function measure(): Promise<PythonThroughput> {
  const [variant, planJson] = process.argv.slice(2);
  if ((variant !== 'python' && variant !== 'reference') || planJson === undefined) {
    throw new Error(`usage: node python-worker.js <python|reference> '<plan json>' (got ${process.argv.slice(2).join(' ')})`);
  }
  const plan = JSON.parse(planJson) as ThroughputPlan;
  const adapter = await loadEngine('loopedge');
  await adapter.prepare?.();
  const document = variant === 'python' ? referenceFlowWithPython() : readReferenceFlow();
  const started = performance.now();
  const flow = await adapter.startFlow(document);
  const firstDeployMs = performance.now() - started;
  try {
    let secondNodeMs: number | undefined;
    if (variant === 'python' && flow.deploy) {
      const again = performance.now();
      await flow.deploy(withSecondPythonNode(document), 'nodes');
      secondNodeMs = performance.now() - again;
    }
    const measured = await measureRounds(flow, plan);
    return { variant, ...measured, firstDeployMs, ...(secondNodeMs !== undefined ? { secondNodeMs } : {}), peakRssMiB: peakRssMiB(), childPeakRssMiB: childPeakRss() };
  } finally {
    await flow.stop();
  }
}

await replyToParent(measure);
