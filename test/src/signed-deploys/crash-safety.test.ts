import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowDocument } from '@loopedge/flows';
import { flowSetHash, generateFlowSigningKeyPair, loadFlowSigningKey, openSecurity, signFlowSet, type FlowSigningKey } from '@loopedge/security';
import { ApiClient } from '@loopedge/server/testing';
import { CliProcess } from '../cli/cli-process.js';

// Fault injection: the real `loopedge start` process is killed with SIGKILL at a
// random moment during each of 20 signed deploys and started again. After every
// restart the device must run exactly the previous or the new signed flow set
// (never a mix), the flow file must hold the same set, and the version history
// must be intact: every version seen before is still there, numbers only grow,
// and the newest version is the one that runs.

const DEPLOYS = Number(process.env.LOOPEDGE_CRASH_DEPLOYS ?? 20);
const DEVICE_ID = 'crash-test-device';

interface SigningState {
  required: boolean;
  target: string;
  version: number;
  hash: string | null;
}
interface FlowsBody {
  rev: string;
  flows: FlowDocument;
  signing: SigningState;
}
interface VersionList {
  current: number;
  versions: Array<{ version: number; hash: string; signed: boolean }>;
}

/** A small flow set that differs in every step: a tab and `step` nodes, renamed each time. */
function flowSet(step: number): FlowDocument {
  const nodes = Array.from({ length: 3 + (step % 4) }, (_, i) => ({ id: `n${i}`, type: 'debug', z: 'tab1', name: `step ${step} node ${i}`, x: 100 + 50 * i, y: 80, wires: [] }));
  return [{ id: 'tab1', type: 'tab', label: `Step ${step}` }, ...nodes];
}

/** Reproducible "random" delays: the seed is printed, so a failure can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Trust on first use, for the test only: the device CA, fetched once over TLS without checking. */
function fetchCa(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    httpsGet(`${url}/api/certificates/ca`, { rejectUnauthorized: false, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(text));
      res.on('error', reject);
    }).on('error', reject);
  });
}

describe('crash safety of signed deploys', () => {
  let workDir: string;
  let dataDir: string;
  let flowsFile: string;
  let token: string;
  let key: FlowSigningKey;
  let ca: string | undefined;
  let running: CliProcess | undefined;

  before(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'loopedge-crash-'));
    dataDir = join(workDir, 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    flowsFile = join(dataDir, 'flows.json');
    writeFileSync(flowsFile, JSON.stringify(flowSet(0)));
    writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ deviceId: DEVICE_ID }));
    // Provision the device as an admin would: a user with an API token, and the pipeline's key in the trust store.
    const pair = await generateFlowSigningKeyPair();
    key = await loadFlowSigningKey(pair.privateKeyPem);
    const security = await openSecurity({ dataDir, bcryptCost: 10 });
    try {
      const user = await security.users.create({ username: 'deployer', password: 'Quartz-Lantern-Fjord-Ember-4711!', role: 'editor' });
      token = security.apiTokens.create(user.id, { name: 'pipeline', permissions: ['flows:read', 'flows:write'] }).token;
      security.trustedKeys.add({ name: 'pipeline', purpose: 'flows', owner: 'build team', publicKeyPem: pair.publicKeyPem }, 'test');
    } finally {
      security.close();
    }
  });

  after(async () => {
    running?.kill('SIGKILL');
    await running?.exited;
    rmSync(workDir, { recursive: true, force: true });
  });

  async function start(): Promise<ApiClient> {
    const cli = new CliProcess(['start', '--flows', flowsFile, '--data', dataDir, '--port', '0'], { PATH: process.env.PATH, HOME: workDir, LOOPEDGE_LOG_LEVEL: 'warn' });
    running = cli;
    await cli.waitUntil('the ready line', () => cli.readyLine !== undefined, 30_000);
    const url = String(cli.readyLine!.url);
    ca ??= await fetchCa(url);
    const client = new ApiClient(url, ca);
    client.bearer = token;
    return client;
  }

  async function kill(): Promise<void> {
    running?.kill('SIGKILL');
    await running?.exited;
    running = undefined;
  }

  /** What runs, what the file holds and what the history says, all consistent. */
  async function observe(client: ApiClient): Promise<{ flows: FlowDocument; signing: SigningState; versions: VersionList }> {
    const flows = await client.get<FlowsBody>('/api/flows');
    assert.equal(flows.status, 200, flows.text);
    const versions = await client.get<VersionList>('/api/flow-versions?limit=500');
    assert.equal(versions.status, 200, versions.text);
    const { signing } = flows.body;
    const running = flowSetHash(flows.body.flows);
    assert.equal(signing.hash, running, 'the current version is the set that runs');
    assert.deepEqual(JSON.parse(readFileSync(flowsFile, 'utf8')), flows.body.flows, 'the flow file holds the running set');
    const numbers = versions.body.versions.map((v) => v.version);
    for (let i = 1; i < numbers.length; i++) assert.ok(numbers[i - 1]! > numbers[i]!, `version numbers strictly increase: ${numbers.join(', ')}`);
    assert.equal(versions.body.current, signing.version);
    assert.deepEqual([versions.body.versions[0]!.version, versions.body.versions[0]!.hash], [signing.version, running], 'the newest version is the one running');
    return { flows: flows.body.flows, signing, versions: versions.body };
  }

  test(`${DEPLOYS} signed deploys, each cut short by SIGKILL at a random moment: previous or new set, never a mix`, async (t) => {
    const seed = Number(process.env.LOOPEDGE_CRASH_SEED ?? Date.now() % 1_000_000);
    t.diagnostic(`seed ${seed} (LOOPEDGE_CRASH_SEED=${seed} replays the same kill delays)`);
    const random = prng(seed);

    let client = await start();
    let state = await observe(client);
    assert.equal(state.signing.required, true, 'a trusted flows key turns signing on');

    // One deploy that is not killed: how long a deploy takes here, to spread the kills over it.
    const calibration = flowSet(1);
    const calibrationBody = {
      flows: calibration,
      rev: (await client.get<FlowsBody>('/api/flows')).body.rev,
      signature: await signFlowSet(calibration, { target: DEVICE_ID, version: state.signing.version + 1, prev: state.signing.hash }, key),
    };
    const started = performance.now();
    const first = await client.post('/api/flows', calibrationBody);
    const deployMs = performance.now() - started;
    assert.equal(first.status, 200, first.text);
    state = await observe(client);

    const outcomes = { previous: 0, next: 0 };
    let window = deployMs * 2;
    for (let step = 2; step < DEPLOYS + 2; step++) {
      const next = flowSet(step);
      const nextHash = flowSetHash(next);
      const previousHash = state.signing.hash;
      const previousFlows = state.flows;
      const known = state.versions.versions.map((v) => [v.version, v.hash] as const);
      const rev = (await client.get<FlowsBody>('/api/flows')).body.rev;
      const signature = await signFlowSet(next, { target: DEVICE_ID, version: state.signing.version + 1, prev: previousHash }, key);

      // The request is in flight when the kill comes; it may or may not have been answered.
      const request = client.post('/api/flows', { flows: next, rev, signature }).catch(() => undefined);
      const delay = random() * window;
      await new Promise((resolve) => setTimeout(resolve, delay));
      await kill();
      const answer = await request;
      t.diagnostic(`step ${step}: kill after ${delay.toFixed(1)} ms, answer ${answer?.status ?? 'none'}`);
      // A fresh process deploys slower than a warm one and the machine's load varies: keep the
      // window around the deploy's real length, so kills land before, inside and after the apply.
      if (answer?.status === 200) window *= 0.7;
      else if (delay > window * 0.6) window *= 1.5;

      client = await start();
      state = await observe(client);
      const now = state.signing.hash;
      assert.ok(answer === undefined || answer.status === 200, `step ${step}: a deploy that was answered succeeded (${answer?.status} ${answer?.text})`);
      assert.deepEqual(readdirSync(dataDir).filter((name) => name.endsWith('.tmp')), [], `step ${step}: no half-written flow file is left`);
      assert.ok(now === previousHash || now === nextHash, `step ${step}: runs the previous or the new set, got ${now}`);
      if (answer?.status === 200) assert.equal(now, nextHash, `step ${step}: a deploy answered 200 survives the kill`);
      assert.deepEqual(state.flows, now === nextHash ? next : previousFlows, `step ${step}: the new set, complete`);
      // History intact: every version seen before is still there with the same hash.
      const after = new Map(state.versions.versions.map((v) => [v.version, v.hash] as const));
      for (const [version, hash] of known) assert.equal(after.get(version), hash, `step ${step}: version ${version} kept`);
      assert.equal(state.versions.versions.length, known.length + (now === nextHash ? 1 : 0), `step ${step}: at most the new version was added`);
      outcomes[now === nextHash ? 'next' : 'previous']++;
    }
    t.diagnostic(`after the kill: previous set ${outcomes.previous}, new set ${outcomes.next} (first deploy took ${deployMs.toFixed(1)} ms, kill window ended at ${window.toFixed(1)} ms)`);
    await kill();
  });
});
