/**
 * Hostile JavaScript against the function node sandbox. Every payload in
 * test/security/sandbox/javascript-*.json runs as a small flow through the real
 * runtime while a parallel flow (with its own function node) keeps receiving
 * messages; each must end with a clear node error (or a harmless result), the
 * runtime must keep running, and the canaries (a secret in the runtime's
 * environment, a file, bytes next to a message in Buffer's pool) must never
 * appear in any output, error, log or status.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FlowDocument } from '@loopedge/flows';
import { SandboxSupervisor, startTestFlow, type FlowMessage, type TestFlow } from '@loopedge/runtime';
import { coreNodeTypes } from '@loopedge/nodes';
import { CanaryScanner } from './canary-scanner.js';
import { runAttack } from './attack-runner.js';

interface Payload {
  name: string;
  attack: string;
  code: string;
  expect: 'error' | 'output' | 'either';
  matches?: string;
  timeout?: number;
  setup?: 'pooled-buffer' | 'victim-context' | 'canary-path';
  file: string;
}

const PAYLOAD_DIR = fileURLToPath(new URL('../../security/sandbox/', import.meta.url));
const payloads: Payload[] = readdirSync(PAYLOAD_DIR)
  .filter((file) => /^javascript-.*\.json$/.test(file))
  .sort()
  .flatMap((file) => (JSON.parse(readFileSync(join(PAYLOAD_DIR, file), 'utf8')) as Payload[]).map((payload) => ({ ...payload, file })));

const ENV_CANARY = `env-canary-${randomBytes(12).toString('hex')}`;
const FILE_CANARY = `file-canary-${randomBytes(12).toString('hex')}`;
const POOL_CANARY = `pool-canary-${randomBytes(12).toString('hex')}`;
const canaryDir = mkdtempSync(join(tmpdir(), 'loopedge-canary-'));
const canaryFile = join(canaryDir, 'secret.txt');

const PARALLEL_TAB: FlowDocument = [
  { id: 'steady-tab', type: 'tab', label: 'steady' },
  { id: 'steadyIn', type: 'function', z: 'steady-tab', func: 'msg.payload = msg.payload + 1;\nreturn msg;', outputs: 1, wires: [['steady']] },
  { id: 'steady', type: 'helper', z: 'steady-tab', wires: [] },
];

function attackFlow(payload: Payload): FlowDocument {
  const victim: FlowDocument =
    payload.setup === 'victim-context'
      ? [{ id: 'victim', type: 'function', z: 'attack-tab', func: 'return msg;', initialize: `context.set('victim', ${JSON.stringify(ENV_CANARY)});`, outputs: 1, wires: [[]] }]
      : [];
  return [
    ...PARALLEL_TAB,
    { id: 'attack-tab', type: 'tab', label: `attack ${payload.name}` },
    { id: 'attack', type: 'function', z: 'attack-tab', func: payload.code, outputs: 1, timeout: payload.timeout ?? 0, wires: [['attackOut']] },
    { id: 'attackCatch', type: 'catch', z: 'attack-tab', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'attackOut', type: 'helper', z: 'attack-tab', wires: [] },
    { id: 'caught', type: 'helper', z: 'attack-tab', wires: [] },
    ...victim,
  ];
}

function attackMessage(payload: Payload): Partial<FlowMessage> {
  if (payload.setup === 'canary-path') return { payload: 'go', path: canaryFile };
  if (payload.setup === 'pooled-buffer') {
    // Two small Buffers from the same pool: the message carries only the second.
    const neighbour = Buffer.from(POOL_CANARY);
    const small = Buffer.from('hi');
    assert.equal(small.buffer, neighbour.buffer, 'the test needs both Buffers in the shared pool');
    return { payload: small };
  }
  return { payload: 'attack', topic: 'hostile' };
}

describe('hostile JavaScript in function nodes', () => {
  let sandbox: SandboxSupervisor;
  let flow: TestFlow;
  let scanner: CanaryScanner;
  let steadyCount = 0;
  let ticker: NodeJS.Timeout;

  before(async () => {
    writeFileSync(canaryFile, FILE_CANARY);
    process.env.LOOPEDGE_TEST_CANARY = ENV_CANARY;
    sandbox = new SandboxSupervisor({ defaultTimeoutMs: 3000 });
    // The runtime's own environment holds the canary; flows see only what they are given.
    flow = await startTestFlow(PARALLEL_TAB, { nodeTypes: coreNodeTypes, sandbox, env: { SITE: 'plant-1' } });
    scanner = new CanaryScanner([ENV_CANARY, FILE_CANARY, POOL_CANARY], flow);
    const recordMessage = flow.runtime.hooks.onReceive;
    flow.runtime.hooks.onReceive = (node, msg) => {
      recordMessage?.(node, msg);
      if (node.id === 'steady') steadyCount++;
    };
    let tick = 0;
    ticker = setInterval(() => flow.runtime.receive('steadyIn', { payload: tick++ }), 5);
  });

  after(async () => {
    clearInterval(ticker);
    await flow.stop();
    await sandbox.stop();
    delete process.env.LOOPEDGE_TEST_CANARY;
    rmSync(canaryDir, { recursive: true, force: true });
  });

  test(`there are at least 35 JavaScript payloads (${payloads.length})`, () => {
    assert.ok(payloads.length >= 35);
  });

  for (const payload of payloads) {
    test(`${payload.name}: ${payload.attack}`, async () => {
      await runAttack({
        flow,
        payload,
        attackFlow: attackFlow(payload),
        message: attackMessage(payload),
        steadyCount: () => steadyCount,
        outcomeTimeoutMs: 15_000,
        checkOutput: () => checkOutput(payload, flow.messagesAt('attackOut')),
      });
      scanner.assertClean(payload.name);
      flow.reset();
    });
  }

  test('the runtime process is unharmed: no prototype pollution, canaries untouched, sandbox running', async () => {
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(([] as unknown as Record<string, unknown>).polluted, undefined);
    assert.equal(process.env.LOOPEDGE_TEST_CANARY, ENV_CANARY);
    assert.equal(readFileSync(canaryFile, 'utf8'), FILE_CANARY);
    assert.equal(sandbox.status.running, true);
    scanner.assertClean('the whole run');
  });
});

function checkOutput(payload: Payload, sent: FlowMessage[]): void {
  switch (payload.name) {
    case 'pooled-buffer-neighbours': {
      const out = sent.at(-1)?.payload;
      assert.ok(Buffer.isBuffer(out));
      assert.equal((out as Buffer).toString('latin1'), 'hi', 'the Buffer arrived with exactly its own bytes');
      break;
    }
    case 'message-tojson':
      assert.deepEqual(sent.at(-1)?.payload, { value: 1 }, 'toJSON was not called and the function was dropped');
      break;
    case 'builtin-override-before-return':
      assert.deepEqual(sent.at(-1)?.payload, [1, 2, 3]);
      break;
    case 'thenable-result':
      assert.equal(sent.at(-1)?.payload, 'undefined');
      break;
    default:
      break;
  }
}
