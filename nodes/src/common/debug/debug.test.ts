import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugEvent, FlowMessage, TestFlow } from '@loopedge/runtime';
import { debugNode, type DebugNodeControl } from './index.js';
import { copyForDebug, stringifyForConsole } from './debug-value.js';
import { startNodeUnderTest } from '../../shared/node-test-kit.js';

/** A debug node `n` plus a record of what it published to the sidebar. */
async function withDebug(config: Record<string, unknown>, body: (flow: TestFlow, events: DebugEvent[]) => Promise<void>, settings?: Record<string, unknown>): Promise<void> {
  const flow = await startNodeUnderTest(debugNode, config, { outputs: 0, ...(settings ? { settings } : {}) });
  const events: DebugEvent[] = [];
  flow.runtime.events.on('debug', (event: DebugEvent) => events.push(event));
  try {
    await body(flow, events);
  } finally {
    await flow.stop();
  }
}

/** Send messages and wait until the node has handled them all (its input saw each one). */
async function handled(flow: TestFlow, ...messages: Array<Partial<FlowMessage>>): Promise<void> {
  const before = flow.messagesAt('n').length;
  for (const msg of messages) flow.receive('n', msg);
  await flow.waitUntil(() => flow.messagesAt('n').length >= before + messages.length);
  await flow.settle(10); // JSONata settles on a later turn
}

describe('debug: sidebar', () => {
  test('shows msg.payload by default, with topic and msgid', async () => {
    await withDebug({}, async (flow, events) => {
      await handled(flow, { payload: 'hello', topic: 't', _msgid: 'm1' });
      assert.equal(events.length, 1);
      assert.deepEqual({ ...events[0]! }, { id: 'n', z: 't1', property: 'payload', value: 'hello', msgid: 'm1', topic: 't' });
    });
  });

  test('complete "true" shows the whole message; a path shows that property', async () => {
    await withDebug({ complete: 'true' }, async (flow, events) => {
      await handled(flow, { payload: 1, _msgid: 'm1' });
      assert.equal(events[0]!.property, 'msg');
      assert.deepEqual(events[0]!.value, { payload: 1, _msgid: 'm1' });
    });
    await withDebug({ complete: 'a.b', targetType: 'msg' }, async (flow, events) => {
      await handled(flow, { a: { b: [1] } }, { payload: 'no a' });
      assert.equal(events[0]!.property, 'a.b');
      assert.deepEqual(events[0]!.value, [1]);
      assert.equal(events[1]!.value, undefined);
    });
  });

  test('a JSONata expression', async () => {
    await withDebug({ complete: 'payload * 2', targetType: 'jsonata' }, async (flow, events) => {
      await handled(flow, { payload: 21 });
      await flow.waitUntil(() => events.length > 0);
      assert.equal(events[0]!.value, 42);
    });
  });

  test('the value is a copy, long strings and arrays are cut at debugMaxLength', async () => {
    await withDebug(
      { complete: 'true' },
      async (flow, events) => {
        const payload = { list: [1, 2, 3, 4, 5, 6], text: 'abcdefghij' };
        await handled(flow, { payload });
        payload.list.push(7);
        const shown = events[0]!.value as { payload: { list: number[]; text: string } };
        assert.deepEqual(shown.payload.list, [1, 2, 3, 4, 5]);
        assert.equal(shown.payload.text, 'abcde...');
      },
      { debugMaxLength: 5 },
    );
  });

  test('inactive, or not to the sidebar: nothing is published; the editor can toggle it', async () => {
    await withDebug({ active: false }, async (flow, events) => {
      await handled(flow, { payload: 1 });
      assert.equal(events.length, 0);
      const control = flow.runtime.node('n')!.handlers.api as DebugNodeControl;
      control.setActive(true);
      await handled(flow, { payload: 2 });
      assert.deepEqual(events.map((e) => e.value), [2]);
      assert.equal(control.active, true);
    });
    await withDebug({ tosidebar: false }, async (flow, events) => {
      await handled(flow, { payload: 1 });
      assert.equal(events.length, 0);
    });
  });
});

describe('debug: system console', () => {
  async function captureStdout(run: () => Promise<void>): Promise<string[]> {
    const lines: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      const text = String(chunk);
      if (text.startsWith('{"debug"')) lines.push(text);
      else original(chunk);
      return true;
    }) as typeof process.stdout.write;
    try {
      await run();
    } finally {
      process.stdout.write = original;
    }
    return lines;
  }

  test('writes one JSON line per message', async () => {
    const lines = await captureStdout(() =>
      withDebug({ console: 'true', tosidebar: false, name: 'dbg' }, async (flow) => {
        await handled(flow, { payload: { a: 1 }, topic: 't', _msgid: 'm1' });
      }),
    );
    assert.equal(lines.length, 1);
    assert.ok(lines[0]!.endsWith('\n'));
    assert.equal(lines[0]!.trimEnd().includes('\n'), false);
    assert.deepEqual(JSON.parse(lines[0]!), { debug: 'n', name: 'dbg', msgid: 'm1', topic: 't', property: 'payload', value: { a: 1 } });
  });

  test('buffers and circular references', async () => {
    const lines = await captureStdout(() =>
      withDebug({ console: true, complete: 'true' }, async (flow) => {
        const payload: Record<string, unknown> = { bytes: Buffer.from([1, 2]) };
        payload.self = payload;
        await handled(flow, { payload, _msgid: 'm1' });
      }),
    );
    const record = JSON.parse(lines[0]!) as { value: { payload: Record<string, unknown> } };
    assert.deepEqual(record.value.payload, { bytes: { type: 'Buffer', data: [1, 2] }, self: '[Circular]' });
  });
});

describe('debug: status', () => {
  test('auto status shows the output, cut at 32 characters', async () => {
    await withDebug({ tostatus: true }, async (flow) => {
      await handled(flow, { payload: 'short' }, { payload: 'x'.repeat(40) }, { payload: { a: 1 } });
      const statuses = flow.statuses('n');
      assert.deepEqual(statuses.slice(-3), [
        { fill: 'grey', shape: 'dot', text: 'short' },
        { fill: 'grey', shape: 'dot', text: `${'x'.repeat(32)}...` },
        { fill: 'grey', shape: 'dot', text: '{ a: 1 }' },
      ]);
    });
  });

  test('auto status shows msg.error in red and msg.status as given; the same status is not repeated', async () => {
    await withDebug({ tostatus: true }, async (flow) => {
      await handled(flow, { payload: 1, error: { message: 'bad' } }, { payload: 1, status: { fill: 'green', shape: 'dot', text: 'ok' } }, { payload: 1, status: { fill: 'green', shape: 'dot', text: 'ok' } });
      const statuses = flow.statuses('n');
      assert.deepEqual(statuses.slice(-2), [
        { fill: 'red', shape: 'dot', text: 'bad' },
        { fill: 'green', shape: 'dot', text: 'ok' },
      ]);
    });
  });

  test('status from another property, from JSONata, or a message counter', async () => {
    await withDebug({ tostatus: true, statusType: 'msg', statusVal: 'topic' }, async (flow) => {
      await handled(flow, { payload: 1, topic: 'the topic' });
      assert.equal(flow.statuses('n').at(-1)!.text, 'the topic');
    });
    await withDebug({ tostatus: true, statusType: 'jsonata', statusVal: '"n=" & payload' }, async (flow) => {
      await handled(flow, { payload: 3 });
      await flow.waitUntil(() => flow.statuses('n').at(-1)?.text === 'n=3');
    });
    await withDebug({ tostatus: true, statusType: 'counter' }, async (flow) => {
      await handled(flow, { payload: 1 }, { payload: 2 }, { payload: 3 });
      await flow.waitUntil(() => flow.statuses('n').at(-1)?.text === '3');
      assert.deepEqual(flow.statuses('n')[0], { fill: 'grey', shape: 'ring' });
    });
  });

  test('a status message from this very node is ignored', async () => {
    await withDebug({}, async (flow, events) => {
      await handled(flow, { payload: 1, status: { source: { id: 'n' } } }, { payload: 2 });
      assert.deepEqual(events.map((e) => e.value), [2]);
    });
  });
});

describe('debug: value helpers', () => {
  test('copyForDebug copies, cuts, and marks circular references', () => {
    const value: Record<string, unknown> = { s: 'abcdef', b: Buffer.from('abcdef'), e: new Error('boom') };
    value.loop = value;
    const copy = copyForDebug(value, { maxLength: 3 }) as Record<string, unknown>;
    assert.equal(copy.s, 'abc...');
    assert.deepEqual(copy.b, Buffer.from('abc'));
    assert.equal(copy.loop, '[Circular]');
    assert.equal((copy.e as { message: string }).message, 'boom');
  });

  test('shared (non-circular) references are not circular', () => {
    const shared = { x: 1 };
    assert.equal(stringifyForConsole({ a: shared, b: shared }), '{"a":{"x":1},"b":{"x":1}}');
    const loop: Record<string, unknown> = { big: 10n };
    loop.me = loop;
    assert.equal(stringifyForConsole({ a: shared, b: shared, loop }), '{"a":{"x":1},"b":{"x":1},"loop":{"big":"10","me":"[Circular]"}}');
  });
});
