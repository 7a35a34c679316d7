import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowMessage } from '../../node-api/message.js';
import { SandboxCodeError, SandboxSupervisor, type SandboxUnitHandle } from './sandbox-supervisor.js';
import type { UnitBridge } from './unit-bridge.js';
import type { ChildUnitSpec } from '../protocol.js';
import { probeNetworkIsolation } from './sandbox-launch.js';

/** A bridge that records what the unit does, with a real in-memory context. */
function recordingBridge(): UnitBridge & { sent: unknown[][]; errors: Array<Error | string>; logs: string[]; context: Map<string, unknown> } {
  const context = new Map<string, unknown>();
  return {
    sent: [],
    errors: [],
    logs: [],
    context,
    send(outputs) {
      this.sent.push(outputs);
    },
    log(level, text) {
      this.logs.push(`${level}: ${text}`);
    },
    status() {},
    error(error) {
      this.errors.push(error);
    },
    contextGet: (scope, keys) => keys.map((key) => context.get(`${scope}:${key}`)),
    contextSet: (scope, keys, values) => keys.forEach((key, i) => context.set(`${scope}:${key}`, values[i])),
    contextKeys: (scope) => [...context.keys()].filter((key) => key.startsWith(`${scope}:`)).map((key) => key.slice(scope.length + 1)),
    envGet: (name) => (name === 'SITE' ? 'north' : undefined),
  };
}

function spec(func: string, extra: Partial<ChildUnitSpec> = {}): ChildUnitSpec {
  return { language: 'javascript', nodeId: 'n1', name: '', func, initialize: '', finalize: '', outputs: 1, timeoutMs: 0, memoryLimitMb: 0, env: {}, ...extra };
}

const message = (payload: unknown): FlowMessage => ({ _msgid: 'm1', payload });

describe('sandbox supervisor', () => {
  let supervisor: SandboxSupervisor;
  before(() => {
    supervisor = new SandboxSupervisor({ heartbeatIntervalMs: 100, heartbeatTimeoutMs: 600, defaultTimeoutMs: 10_000 });
  });
  after(() => supervisor.stop());

  test('runs code in a separate process and hands back sends, context and env as data', async () => {
    const bridge = recordingBridge();
    const unit = await supervisor.createUnit(spec("flow.set('count', (flow.get('count') || 0) + 1);\nreturn { payload: [msg.payload, flow.get('count'), env.get('SITE')] };"), bridge);
    assert.deepEqual(await unit.run(message('a')), { ok: true });
    assert.deepEqual(await unit.run(message('b')), { ok: true });
    assert.deepEqual(bridge.sent.map((outputs) => (outputs[0] as FlowMessage[])[0]!.payload), [['a', 1, 'north'], ['b', 2, 'north']]);
    assert.equal(bridge.context.get('flow:count'), 2);
    const status = supervisor.status;
    assert.equal(status.running, true);
    assert.notEqual(status.pid, process.pid);
    const usage = await supervisor.usage();
    assert.ok(usage && usage.rss > 0);
    await unit.close();
  });

  test('a compile error rejects with its part, line and column', async () => {
    await assert.rejects(supervisor.createUnit(spec('let a = 1;\nlet b = ;'), recordingBridge()), (error: unknown) => {
      assert.ok(error instanceof SandboxCodeError);
      assert.equal(error.part, 'func');
      assert.equal(error.line, 2);
      assert.equal(error.column, 9);
      return true;
    });
  });

  test('a message too large to cross is refused before it is sent', async () => {
    const small = new SandboxSupervisor({ limits: { maxValueBytes: 1024 } });
    try {
      const unit = await small.createUnit(spec('return msg;'), recordingBridge());
      const outcome = await unit.run(message('x'.repeat(5000)));
      assert.equal(outcome.ok, false);
      assert.match(String(!outcome.ok && outcome.error), /cannot be passed to the function.*larger than 1024 bytes/);
    } finally {
      await small.stop();
    }
  });

  test('if the sandbox process dies, messages in flight fail, it restarts and the units are re-created', async () => {
    const bridge = recordingBridge();
    const unit: SandboxUnitHandle = await supervisor.createUnit(spec("if (msg.payload === 'hang') await new Promise(() => {});\nreturn msg;"), bridge);
    const restartsBefore = supervisor.status.restarts;
    const inFlight = unit.run(message('hang'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.kill(supervisor.status.pid!, 'SIGKILL');
    const outcome = await inFlight;
    assert.equal(outcome.ok, false);
    assert.match(String(!outcome.ok && outcome.error), /sandbox process was killed by SIGKILL while this message was in flight/);
    assert.deepEqual(await unit.run(message('after')), { ok: true }, 'the unit works again after the restart');
    assert.equal(supervisor.status.restarts, restartsBefore + 1);
    await unit.close();
  });

  test('a frozen sandbox process is caught by the heartbeat, killed and restarted', async () => {
    const unit = await supervisor.createUnit(spec('return msg;'), recordingBridge());
    const pid = supervisor.status.pid!;
    const restartsBefore = supervisor.status.restarts;
    process.kill(pid, 'SIGSTOP');
    const outcome = await unit.run(message('while frozen'));
    assert.equal(outcome.ok, false, 'the message sent to the frozen process fails when it is killed');
    assert.deepEqual(await unit.run(message('after')), { ok: true });
    assert.equal(supervisor.status.restarts, restartsBefore + 1);
    assert.notEqual(supervisor.status.pid, pid);
    await unit.close();
  });

  test('the start-up report says which protections hold on this machine', async () => {
    const network = await probeNetworkIsolation();
    const status = supervisor.status;
    assert.ok(status.protections.some((p) => /empty environment/.test(p)));
    assert.ok(status.protections.some((p) => /no child processes/.test(p)));
    if (network.mode === 'none') assert.ok(status.gaps.some((gap) => /network/.test(gap)));
    else assert.equal(status.networkIsolated, true);
  });
});
