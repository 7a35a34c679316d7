/**
 * Flow signing: sign and verify a 1,000- and a 10,000-node flow set (the scale
 * benchmark's chains), and what verification adds to a real 1,000-node deploy
 * through the server's FlowStore (signature check, then version row, runtime,
 * flow file). Node-RED has no signed deploys, so it has no column here; its
 * plain deploy of a 10,000-node set is in the scale benchmark.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowDocument } from '@loopedge/flows';
import { coreNodeTypes } from '@loopedge/nodes';
import { createRuntime, silentLogger } from '@loopedge/runtime';
import { flowSetHash, generateFlowSigningKeyPair, loadFlowSigningKey, openTestSecurity, signFlowSet, verifyFlowSignature, type FlowSigningKey, type TestSecurity } from '@loopedge/security';
import { openFlowStore, type FlowStore } from '@loopedge/server';
import { isQuickMode, runIfMain, type Benchmark, type BenchmarkOutcome } from './benchmark.js';
import { formatNumber, formatTable, median, metText } from './report.js';
import { countNodes, generateScaleFlow } from './scale-flow.js';

/** Verification must add less than this to a 1,000-node deploy (issue 5). */
export const VERIFY_ADDED_TARGET_MS = 50;
const DEVICE_ID = 'bench-device';

interface SetMeasure {
  nodes: number;
  canonicalBytes: number;
  signMs: number;
  verifyMs: number;
}

interface DeployMeasure {
  signedDeployMs: number;
  unsignedDeployMs: number;
  checkMs: number;
}

async function timeMedian(runs: number, work: () => Promise<unknown>): Promise<number> {
  await work(); // warm-up: first-call costs (JIT, WebCrypto key import) are not per deploy
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  return median(times);
}

async function measureSet(tabs: number, runs: number, key: FlowSigningKey, t: TestSecurity): Promise<SetMeasure> {
  const flows = generateScaleFlow({ tabs, chainsPerTab: 25 });
  const prev = 'a'.repeat(64);
  const meta = { target: DEVICE_ID, version: 2, prev };
  const jws = await signFlowSet(flows, meta, key);
  const context = { trustedKeys: t.security.trustedKeys, deviceId: DEVICE_ID, deviceGroups: [], currentVersion: 1, currentHash: prev };
  const check = await verifyFlowSignature(flows, jws, context);
  if (!check.ok) throw new Error(`The benchmark's own signature was refused: ${check.message}`);
  return {
    nodes: countNodes(flows),
    canonicalBytes: Buffer.byteLength(JSON.stringify(flows)),
    signMs: await timeMedian(runs, () => signFlowSet(flows, meta, key)),
    verifyMs: await timeMedian(runs, () => verifyFlowSignature(flows, jws, context)),
  };
}

/** One node renamed: the smallest change, deployed as changed nodes, so verification's share is visible. */
function renamed(flows: FlowDocument, step: number): FlowDocument {
  return flows.map((item, index) => (index === 1 ? { ...item, name: `sample edit ${step}` } : item));
}

async function measureDeploys(runs: number, key: FlowSigningKey, t: TestSecurity): Promise<DeployMeasure> {
  const dataDir = mkdtempSync(join(tmpdir(), 'loopedge-bench-signing-'));
  const runtime = createRuntime({ nodeTypes: coreNodeTypes, logger: silentLogger, settings: { deviceId: DEVICE_ID } });
  let store: FlowStore | undefined;
  try {
    const base = generateScaleFlow({ tabs: 10, chainsPerTab: 25 });
    const flowFile = join(dataDir, 'flows.json');
    writeFileSync(flowFile, JSON.stringify(base));
    store = (await openFlowStore({ runtime, flowFile, dataDir, trustedKeys: t.security.trustedKeys, logger: silentLogger })).store;
    const started = await runtime.deploy(base, { type: 'full' });
    if (!started.ok) throw new Error(`The 1,000-node flow did not start: ${started.error ?? JSON.stringify(started.problems.slice(0, 3))}`);
    const versioning = store.versioning!;
    let step = 0;
    const deploy = async (signed: boolean): Promise<number> => {
      const next = renamed(base, (step += 1));
      const current = versioning.current()!;
      const signature = signed ? await signFlowSet(next, { target: DEVICE_ID, version: current.version + 1, prev: current.hash }, key) : undefined;
      const began = performance.now();
      const outcome = await store!.deploy(next, store!.rev, 'nodes', signature !== undefined ? { signature } : {});
      const took = performance.now() - began;
      if (!outcome.ok) throw new Error(`A benchmark deploy failed: ${JSON.stringify(outcome).slice(0, 300)}`);
      return took;
    };
    // Interleaved, so drift in the machine's load hits both alike.
    const signedTimes: number[] = [];
    const unsignedTimes: number[] = [];
    await deploy(true);
    for (let i = 0; i < runs; i += 1) {
      versioning.setPolicy(true);
      signedTimes.push(await deploy(true));
      versioning.setPolicy(false);
      unsignedTimes.push(await deploy(false));
    }
    // The check alone, exactly as the deploy runs it (trust store lookup, canonical form, hash, Ed25519).
    const next = renamed(base, (step += 1));
    const current = versioning.current()!;
    const signature = await signFlowSet(next, { target: DEVICE_ID, version: current.version + 1, prev: current.hash }, key);
    const checkMs = await timeMedian(runs, async () => {
      const check = await versioning.check(next, signature);
      if (!check.ok) throw new Error(`The check refused a good signature: ${check.message}`);
    });
    if (flowSetHash(runtime.flows) !== versioning.current()!.hash) throw new Error('The running flows and the current version disagree');
    return { signedDeployMs: median(signedTimes), unsignedDeployMs: median(unsignedTimes), checkMs };
  } finally {
    store?.close();
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function runFlowSigning(): Promise<BenchmarkOutcome> {
  const quick = isQuickMode();
  const t = await openTestSecurity();
  try {
    const pair = await generateFlowSigningKeyPair();
    const key = await loadFlowSigningKey(pair.privateKeyPem);
    t.security.trustedKeys.add({ name: 'bench', purpose: 'flows', owner: 'bench', publicKeyPem: pair.publicKeyPem }, 'bench');
    const small = await measureSet(10, quick ? 3 : 20, key, t);
    const large = await measureSet(100, quick ? 2 : 7, key, t);
    const deploys = await measureDeploys(quick ? 3 : 15, key, t);
    const ms = (value: number): string => formatNumber(value, 1);
    const sets = formatTable('Sign and verify a flow set (median; Node-RED: n/a, it has no signed deploys)', ['', `${formatNumber(small.nodes)} nodes`, `${formatNumber(large.nodes)} nodes`], [
      ['flow JSON KiB', formatNumber(small.canonicalBytes / 1024), formatNumber(large.canonicalBytes / 1024)],
      ['sign ms (canonical form + Ed25519)', ms(small.signMs), ms(large.signMs)],
      ['verify ms (canonical form + hash + trust store + Ed25519)', ms(small.verifyMs), ms(large.verifyMs)],
    ]);
    const deployTable = formatTable(`Deploy of a 1,000-node set through the FlowStore, one node changed (median of ${quick ? 3 : 15})`, ['', 'LoopEdge'], [
      ['signature check in the deploy ms', ms(deploys.checkMs)],
      ['signed deploy ms (check + version row + runtime + flow file)', ms(deploys.signedDeployMs)],
      ['unsigned deploy ms (policy off)', ms(deploys.unsignedDeployMs)],
      ['difference ms', ms(deploys.signedDeployMs - deploys.unsignedDeployMs)],
    ]);
    const targetMet = deploys.checkMs < VERIFY_ADDED_TARGET_MS;
    return {
      report: `${sets}\n\n${deployTable}\n\nTarget: verification adds < ${VERIFY_ADDED_TARGET_MS} ms to a 1,000-node deploy — met: ${metText(targetMet)}`,
      summary: `verify ${ms(small.verifyMs)} ms (1k) / ${ms(large.verifyMs)} ms (10k), sign ${ms(small.signMs)} / ${ms(large.signMs)} ms; adds ${ms(deploys.checkMs)} ms to a 1k deploy`,
      targetMet,
      results: { sets: [small, large], deploy: deploys, targetMs: VERIFY_ADDED_TARGET_MS },
    };
  } finally {
    t.close();
  }
}

export const flowSigningBenchmark: Benchmark = {
  name: 'flow-signing',
  description: 'sign and verify 1,000- and 10,000-node flow sets; time verification adds to a 1,000-node deploy',
  run: runFlowSigning,
};

runIfMain(import.meta.url, flowSigningBenchmark);
