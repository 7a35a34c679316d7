/**
 * Hostile Python against the python-function sandbox. Every payload in
 * test/security/sandbox/python-*.json runs as a small flow through the real
 * runtime (real sandbox process, real Pyodide) while a parallel flow with its
 * own python-function node keeps receiving messages; each must end with a
 * clear node error (or a harmless result), the runtime must keep running, and
 * the canaries (a secret in the runtime's environment, a file) must never
 * appear in any output, error, log or status.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  setup?: 'canary-path';
  file: string;
}

const PAYLOAD_DIR = fileURLToPath(new URL('../../security/sandbox/', import.meta.url));
const payloads: Payload[] = readdirSync(PAYLOAD_DIR)
  .filter((file) => /^python-.*\.json$/.test(file))
  .sort()
  .flatMap((file) => (JSON.parse(readFileSync(join(PAYLOAD_DIR, file), 'utf8')) as Payload[]).map((payload) => ({ ...payload, file })));

const ENV_CANARY = `env-canary-${randomBytes(12).toString('hex')}`;
const FILE_CANARY = `file-canary-${randomBytes(12).toString('hex')}`;
const canaryDir = mkdtempSync(join(tmpdir(), 'loopedge-canary-'));
const canaryFile = join(canaryDir, 'secret.txt');
/** What the process-spawning payloads try to create on the host. */
const PWNED_FILE = '/tmp/loopedge-python-pwned';

const PARALLEL_TAB: FlowDocument = [
  { id: 'steady-tab', type: 'tab', label: 'steady' },
  { id: 'steadyIn', type: 'python-function', z: 'steady-tab', func: "msg['payload'] = msg['payload'] + 1\nreturn msg", outputs: 1, wires: [['steady']] },
  { id: 'steady', type: 'helper', z: 'steady-tab', wires: [] },
];

function attackFlow(payload: Payload): FlowDocument {
  return [
    ...PARALLEL_TAB,
    { id: 'attack-tab', type: 'tab', label: `attack ${payload.name}` },
    { id: 'attack', type: 'python-function', z: 'attack-tab', func: payload.code, outputs: 1, timeout: payload.timeout ?? 0, wires: [['attackOut']] },
    { id: 'attackCatch', type: 'catch', z: 'attack-tab', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'attackOut', type: 'helper', z: 'attack-tab', wires: [] },
    { id: 'caught', type: 'helper', z: 'attack-tab', wires: [] },
  ];
}

function attackMessage(payload: Payload): Partial<FlowMessage> {
  if (payload.setup === 'canary-path') return { payload: 'go', path: canaryFile };
  return { payload: 'attack', topic: 'hostile' };
}

describe('hostile Python in python-function nodes', () => {
  let sandbox: SandboxSupervisor;
  let flow: TestFlow;
  let scanner: CanaryScanner;
  let steadyCount = 0;
  let ticker: NodeJS.Timeout;

  before(async () => {
    rmSync(PWNED_FILE, { force: true });
    writeFileSync(canaryFile, FILE_CANARY);
    process.env.LOOPEDGE_TEST_CANARY = ENV_CANARY;
    sandbox = new SandboxSupervisor({ defaultTimeoutMs: 3000 });
    flow = await startTestFlow(PARALLEL_TAB, { nodeTypes: coreNodeTypes, sandbox, env: { SITE: 'plant-1' } });
    scanner = new CanaryScanner([ENV_CANARY, FILE_CANARY], flow);
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

  test(`there are at least 15 Python payloads (${payloads.length})`, () => {
    assert.ok(payloads.length >= 15);
  });

  for (const payload of payloads) {
    test(`${payload.name}: ${payload.attack}`, async () => {
      await runAttack({
        flow,
        payload,
        attackFlow: attackFlow(payload),
        message: attackMessage(payload),
        steadyCount: () => steadyCount,
        outcomeTimeoutMs: 20_000,
        checkOutput: () => checkOutput(payload, flow),
      });
      assert.equal(existsSync(PWNED_FILE), false, 'a process or file write reached the host');
      scanner.assertClean(payload.name);
      flow.reset();
    });
  }

  test('the runtime process is unharmed: canaries untouched, sandbox running, nothing written', async () => {
    assert.equal(process.env.LOOPEDGE_TEST_CANARY, ENV_CANARY);
    assert.equal(readFileSync(canaryFile, 'utf8'), FILE_CANARY);
    assert.equal(existsSync(PWNED_FILE), false);
    assert.equal(sandbox.status.running, true);
    scanner.assertClean('the whole run');
  });
});

function checkOutput(payload: Payload, flow: TestFlow): void {
  const sent = flow.messagesAt('attackOut');
  switch (payload.name) {
    case 'py-env-secrets': {
      const env = sent.at(-1)?.payload as Record<string, string>;
      assert.deepEqual(Object.keys(env).sort(), ['HOME', 'LANG', 'PATH'], 'only a neutral environment');
      break;
    }
    case 'py-print-flood':
      assert.equal(sent.at(-1)?.payload, 'printed');
      assert.ok(flow.warnings.some((w) => /dropped/.test(w.message)), 'the cut is reported once');
      break;
    default:
      break;
  }
}
