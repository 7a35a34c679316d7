/**
 * Child process of the function benchmark: runs the reference flow with or
 * without the function node (argv[3]) on ONE engine (argv[2]) with the plan in
 * argv[4], and replies with its rounds, its own peak RSS and that of the
 * processes it started (LoopEdge's sandbox process).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { isEngineName, type EngineName } from './engines/engine-under-test.js';
import { loadEngine } from './engines/load-engine.js';
import { replyToParent } from './child-process.js';
import { peakRssMiB } from './report.js';
import { readReferenceFlow } from './reference-flow.js';
import { referenceFlowWithFunction } from './function-flow.js';
import { measureRounds, type MeasuredThroughput, type ThroughputPlan } from './throughput-driver.js';

export type FunctionVariant = 'function' | 'reference';

export interface FunctionThroughput extends MeasuredThroughput {
  engine: EngineName;
  variant: FunctionVariant;
  peakRssMiB: number;
  /** Peak RSS of each child process (the sandbox), read from /proc before the flow stops. */
  childPeakRssMiB: number[];
}

/** Peak RSS (VmHWM) of this process's children, from /proc (Linux); empty elsewhere. */
function childPeakRss(): number[] {
  const peaks: number[] = [];
  try {
    for (const task of readdirSync('/proc/self/task')) {
      const children = readFileSync(`/proc/self/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      for (const pid of children) {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const peak = /VmHWM:\s+(\d+) kB/.exec(status);
        if (peak) peaks.push(Number(peak[1]) / 1024);
      }
    }
  } catch {
    // not Linux, or the child is gone
  }
  return peaks;
}

async function measure(): Promise<FunctionThroughput> {
  const [engine, variant, planJson] = process.argv.slice(2);
  if (!isEngineName(engine) || (variant !== 'function' && variant !== 'reference') || planJson === undefined) {
    throw new Error(`usage: node function-worker.js <loopedge|node-red> <function|reference> '<plan json>' (got ${process.argv.slice(2).join(' ')})`);
  }
  const plan = JSON.parse(planJson) as ThroughputPlan;
  const adapter = await loadEngine(engine);
  await adapter.prepare?.();
  const flow = await adapter.startFlow(variant === 'function' ? referenceFlowWithFunction() : readReferenceFlow());
  try {
    const measured = await measureRounds(flow, plan);
    return { engine, variant, ...measured, peakRssMiB: peakRssMiB(), childPeakRssMiB: childPeakRss() };
  } finally {
    await flow.stop();
  }
}

await replyToParent(measure);
