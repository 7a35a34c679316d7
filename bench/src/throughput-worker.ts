/**
 * Child process of the throughput benchmark: runs the reference flow on ONE
 * engine (argv[2]) with the plan in argv[3] and replies with its rounds.
 */
import { isEngineName, type EngineName } from './engines/engine-under-test.js';
import { loadEngine } from './engines/load-engine.js';
import { replyToParent } from './child-process.js';
import { peakRssMiB } from './report.js';
import { readReferenceFlow } from './reference-flow.js';
import { measureRounds, type MeasuredThroughput, type ThroughputPlan } from './throughput-driver.js';

export interface EngineThroughput extends MeasuredThroughput {
  engine: EngineName;
  peakRssMiB: number;
}

async function measureEngine(): Promise<EngineThroughput> {
  const [engine, planJson] = process.argv.slice(2);
  if (!isEngineName(engine) || planJson === undefined) {
    throw new Error(`usage: node throughput-worker.js <loopedge|node-red> '<plan json>' (got ${process.argv.slice(2).join(' ')})`);
  }
  const plan = JSON.parse(planJson) as ThroughputPlan;
  const adapter = await loadEngine(engine);
  await adapter.prepare?.();
  const flow = await adapter.startFlow(readReferenceFlow());
  try {
    const measured = await measureRounds(flow, plan);
    return { engine, ...measured, peakRssMiB: peakRssMiB() };
  } finally {
    await flow.stop();
  }
}

await replyToParent(measureEngine);
