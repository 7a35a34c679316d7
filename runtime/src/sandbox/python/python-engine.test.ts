/**
 * The Python engine on its own, in this process: real Pyodide interpreters in
 * real worker threads, a host with a real in-memory context. (Through the
 * sandbox process and the runtime: nodes/src/function/python-function and
 * test/src/security/sandbox-python.test.ts.)
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { UserCodeHost, UserCodeSpec, UserCodeUnit, RunOutcome } from '../child/language-engine.js';
import { PythonEngine } from './python-engine.js';
import { decodeWireValue, encodeWireValue } from './value-codec.js';

type Scope = 'node' | 'flow' | 'global';

class MemoryHost implements UserCodeHost {
  readonly sent: unknown[] = [];
  readonly logs: Array<[string, string]> = [];
  readonly statuses: Array<{ fill?: string; shape?: string; text?: string }> = [];
  readonly errors: Array<{ message: string; msg: unknown }> = [];
  readonly context: Record<Scope, Map<string, unknown>> = { node: new Map(), flow: new Map(), global: new Map() };

  send(outputs: Uint8Array): void {
    this.sent.push(decodeWireValue(outputs));
  }
  log(level: string, text: string): void {
    this.logs.push([level, text]);
  }
  status(status: { fill?: string; shape?: string; text?: string }): void {
    this.statuses.push(status);
  }
  error(error: { message: string }, msg: Uint8Array | null): void {
    this.errors.push({ message: error.message, msg: msg ? decodeWireValue(msg) : null });
  }
  async contextGet(scope: Scope, keys: string[]): Promise<Uint8Array> {
    return encodeWireValue(keys.map((key) => this.context[scope].get(key)));
  }
  async contextSet(scope: Scope, keys: string[], values: Uint8Array): Promise<void> {
    const decoded = decodeWireValue(values) as unknown[];
    keys.forEach((key, i) => this.context[scope].set(key, decoded[i]));
  }
  async contextKeys(scope: Scope): Promise<string[]> {
    return [...this.context[scope].keys()];
  }
}

const engine = new PythonEngine({ interruptGraceMs: 300 });
const units: UserCodeUnit[] = [];
after(async () => {
  await Promise.all(units.map((unit) => unit.close()));
});

function spec(func: string, extra: Partial<UserCodeSpec> = {}): UserCodeSpec {
  return { nodeId: 'py1', name: 'py', func, initialize: '', finalize: '', outputs: 1, timeoutMs: 3000, memoryLimitMb: 0, env: {}, ...extra };
}

async function create(func: string, host: MemoryHost, extra: Partial<UserCodeSpec> = {}): Promise<UserCodeUnit> {
  const unit = await engine.create(spec(func, extra), host);
  units.push(unit);
  return unit;
}

function outputs(outcome: RunOutcome): unknown {
  assert.ok(outcome.ok, outcome.ok ? '' : outcome.error.message);
  return outcome.result ? decodeWireValue(outcome.result) : null;
}

describe('PythonEngine', () => {
  test('msg is a dict; bytes stay exact bytes; the returned dict goes to output 1', async () => {
    const host = new MemoryHost();
    const unit = await create(
      [
        "msg['payload']['v'] = msg['payload']['v'] * 2",
        "msg['payload']['raw'] = msg['payload']['raw'][::-1] + b'\\x00\\xff'",
        "msg['payload']['kind'] = type(msg['payload']['raw']).__name__",
        'return msg',
      ].join('\n'),
      host,
    );
    const result = outputs(await unit.run(encodeWireValue({ _msgid: 'm1', payload: { v: 21, raw: Buffer.from([1, 2, 3]) } }))) as Array<{ _msgid: string; payload: { v: number; raw: Buffer; kind: string } }>;
    assert.equal(result.length, 1);
    assert.equal(result[0]._msgid, 'm1');
    assert.equal(result[0].payload.v, 42);
    assert.equal(result[0].payload.kind, 'bytes');
    assert.deepEqual([...result[0].payload.raw], [3, 2, 1, 0, 255]);
  });

  test('a list per output, None for nothing, node.send, print, status, env and context scopes', async () => {
    const host = new MemoryHost();
    host.context.global.set('factor', 3);
    const unit = await create(
      [
        "count = (context.get('count') or 0) + 1",
        "context.set('count', count)",
        "flow.set(['a', 'b'], [1, 2])",
        "node.send({'payload': 'early', 'keys': sorted(flow.keys())})",
        "print('count is', count)",
        "node.status({'fill': 'green', 'shape': 'dot', 'text': str(count)})",
        "if msg['payload'] == 'skip':",
        '    return None',
        "return [None, {'payload': msg['payload'] * global_.get('factor'), 'env': env.get('SITE'), 'out': node.outputCount}]",
      ].join('\n'),
      host,
      { outputs: 2, env: { SITE: 'plant-7' } },
    );
    assert.deepEqual(outputs(await unit.run(encodeWireValue({ payload: 5 }))), [null, { payload: 15, env: 'plant-7', out: 2 }]);
    assert.equal(outputs(await unit.run(encodeWireValue({ payload: 'skip' }))), null);
    assert.equal(host.context.node.get('count'), 2);
    assert.deepEqual([host.context.flow.get('a'), host.context.flow.get('b')], [1, 2]);
    assert.deepEqual(host.sent[0], [{ payload: 'early', keys: ['a', 'b'] }]);
    assert.deepEqual(host.logs.slice(0, 2), [
      ['info', 'count is 1'],
      ['info', 'count is 2'],
    ]);
    assert.deepEqual(host.statuses.at(-1), { fill: 'green', shape: 'dot', text: '2' });
  });

  test('On Start names are globals of the function; async/await works; On Stop runs on close', async () => {
    const host = new MemoryHost();
    const unit = await engine.create(
      spec(["import asyncio", 'await asyncio.sleep(0.01)', "results = await asyncio.gather(asyncio.sleep(0, 'a'), asyncio.sleep(0.01, 'b'))", "return {'payload': prefix + ''.join(results)}"].join('\n'), {
        initialize: "prefix = 'started:'",
        finalize: "context.set('stopped', True)",
      }),
      host,
    );
    try {
      assert.deepEqual(outputs(await unit.run(encodeWireValue({}))), [{ payload: 'started:ab' }]);
    } finally {
      await unit.close();
    }
    assert.equal(host.context.node.get('stopped'), true);
  });

  test('a syntax error rejects create with the part, line and column', async () => {
    await assert.rejects(engine.create(spec('x = 1\nif x ==:\n  pass'), new MemoryHost()), (error: Error & { part?: string; line?: number; column?: number }) => {
      assert.match(error.message, /SyntaxError/);
      assert.equal(error.part, 'func');
      assert.equal(error.line, 2);
      assert.equal(typeof error.column, 'number');
      return true;
    });
  });

  test('a runtime error fails the message with the user line, its class, and the message as left', async () => {
    const host = new MemoryHost();
    const unit = await create("msg['seen'] = True\ndef f(d):\n    return 1 / d\nreturn {'payload': f(msg['payload'])}", host);
    const outcome = await unit.run(encodeWireValue({ payload: 0 }));
    assert.equal(outcome.ok, false);
    if (outcome.ok) return;
    assert.equal(outcome.error.name, 'ZeroDivisionError');
    assert.match(outcome.error.message, /division by zero/);
    assert.equal(outcome.error.line, 3);
    assert.match(outcome.error.stack ?? '', /line 4, in function/);
    assert.deepEqual(decodeWireValue(outcome.msg!), { payload: 0, seen: true });
    assert.deepEqual(outputs(await unit.run(encodeWireValue({ payload: 4 }))), [{ payload: 0.25 }]);
  });

  test('node.error with a message reaches the host as an error with that message', async () => {
    const host = new MemoryHost();
    const unit = await create("node.error('bad reading', msg)\nreturn None", host);
    await unit.run(encodeWireValue({ payload: 7 }));
    assert.deepEqual(host.errors, [{ message: 'bad reading', msg: { payload: 7 } }]);
  });

  test('an endless loop times out with KeyboardInterrupt; the node keeps working', async () => {
    const host = new MemoryHost();
    const unit = await create("if msg['payload'] == 'spin':\n    while True:\n        pass\nreturn msg", host, { timeoutMs: 300 });
    const outcome = await unit.run(encodeWireValue({ payload: 'spin' }));
    assert.equal(outcome.ok, false);
    assert.equal(!outcome.ok && outcome.timedOut, true);
    assert.deepEqual(outputs(await unit.run(encodeWireValue({ payload: 'ok' }))), [{ payload: 'ok' }]);
  });

  test('code that swallows KeyboardInterrupt gets a fresh interpreter; later messages still run', async () => {
    const host = new MemoryHost();
    const unit = await create(
      ["if msg['payload'] == 'stubborn':", '    while True:', '        try:', '            while True: pass', '        except BaseException:', '            pass', 'return msg'].join('\n'),
      host,
      { timeoutMs: 300 },
    );
    const [stuck, later] = await Promise.all([unit.run(encodeWireValue({ payload: 'stubborn' })), unit.run(encodeWireValue({ payload: 'after' }))]);
    assert.equal(stuck.ok, false);
    assert.match(!stuck.ok ? stuck.error.message : '', /ignored KeyboardInterrupt/);
    assert.deepEqual(outputs(later), [{ payload: 'after' }]);
    assert.ok(host.logs.some(([level, text]) => level === 'warn' && /fresh interpreter/.test(text)));
  });

  test('Pyodide routes to JavaScript are gone', async () => {
    const host = new MemoryHost();
    const unit = await create(
      ['out = []', "for name in ('js', 'pyodide_js', 'pyodide.ffi', '_pyodide_core', 'ctypes', 'subprocess', 'socket'):", '    try:', '        __import__(name)', "        out.append(name + ' imported')", '    except ImportError as e:', "        out.append('blocked')", "return {'payload': out}"].join('\n'),
      host,
    );
    assert.deepEqual(outputs(await unit.run(encodeWireValue({}))), [{ payload: Array(7).fill('blocked') }]);
  });
});
