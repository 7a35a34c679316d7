import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowMessage, TestFlow } from '@loopedge/runtime';
import { outputId, withNode } from '../../shared/node-test-kit.js';
import { triggerNode } from './index.js';

const base = { op1: '1', op2: '0', op1type: 'val', op2type: 'val', duration: '10', extend: false, overrideDelay: false, units: 'ms', reset: '', bytopic: 'all', topic: 'topic', outputs: 1 };
const config = (c: Record<string, unknown>): Record<string, unknown> => ({ ...base, ...c });

/**
 * The trigger is idle again once its status is cleared; what it sent before
 * that is delivered before a marker sent now (deliveries are one FIFO queue).
 */
async function idle(flow: TestFlow): Promise<void> {
  await flow.waitUntil(() => {
    const statuses = flow.statuses('n');
    return statuses.length > 1 && Object.keys(statuses[statuses.length - 1]!).length === 0;
  });
  const markers = flow.messagesAt(outputId(0)).filter((m) => m.__marker === true).length;
  flow.receive(outputId(0), { __marker: true });
  await flow.waitUntil(() => flow.messagesAt(outputId(0)).filter((m) => m.__marker === true).length > markers);
}

const payloads = (msgs: FlowMessage[]): unknown[] => msgs.filter((m) => m.__marker !== true).map((m) => m.payload);

describe('trigger', () => {
  const pairs: Array<[string, Record<string, unknown>, Partial<FlowMessage>, unknown[]]> = [
    ['defaults: "1" then "0"', {}, { payload: 'x' }, ['1', '0']],
    ['the existing payload, then the original payload', { op1type: 'pay', op2type: 'pay' }, { payload: 'p' }, ['p', 'p']],
    ['numbers, JSON and booleans', { op1: '5', op1type: 'num', op2: '{"a":[1]}', op2type: 'json' }, { payload: 'x' }, [5, { a: [1] }]],
    ['legacy "val" type: true / null', { op1: 'true', op2: 'null' }, { payload: 'x' }, [true, null]],
    ['mustache templates, HTML-escaped as in Node-RED', { op1: 'hi {{payload}}', op1type: 'str', op2: 'bye {{topic}}', op2type: 'str' }, { payload: '<b>', topic: 't' }, ['hi &lt;b&gt;', 'bye t']],
    ['an empty value falls back to the default', { op1: '', op1type: 'str', op2: '', op2type: 'str' }, { payload: 'x' }, ['1', '0']],
    ['buffers', { op1: '[65]', op1type: 'bin', op2type: 'str', op2: 'done' }, { payload: 'x' }, [Buffer.from('A'), 'done']],
  ];
  for (const [name, c, msg, expected] of pairs) {
    test(name, async () => {
      await withNode(triggerNode, config(c), async (flow) => {
        flow.receive('n', msg);
        const out = await flow.waitForMessages(outputId(0), 2);
        assert.deepEqual(payloads(out), expected);
        // the second message is a copy of the first with its own payload
        assert.equal(out[1]!.topic, msg.topic);
      });
    });
  }

  test('date values: a timestamp', async () => {
    await withNode(triggerNode, config({ op1type: 'date', op2type: 'date' }), async (flow) => {
      flow.receive('n', { payload: 'x' });
      const out = await flow.waitForMessages(outputId(0), 2);
      assert.ok(out.every((m) => typeof m.payload === 'number' && m.payload > 1.6e12));
    });
  });

  test('"nothing" as the second value sends only the first', async () => {
    await withNode(triggerNode, config({ op2type: 'nul' }), async (flow) => {
      flow.receive('n', { payload: 'a' });
      await idle(flow);
      flow.receive('n', { payload: 'b' });
      await flow.waitUntil(() => payloads(flow.messagesAt(outputId(0))).length >= 2);
      assert.deepEqual(payloads(flow.messagesAt(outputId(0))), ['1', '1']);
    });
  });

  test('"the latest msg object" as the second message, on a second output', async () => {
    await withNode(
      triggerNode,
      config({ op1type: 'nul', op2type: 'payl', outputs: 2, duration: '30' }),
      async (flow) => {
        flow.receive('n', { payload: 'a' });
        flow.receive('n', { payload: 'b', topic: 'latest' });
        const [second] = await flow.waitForMessages(outputId(1), 1);
        assert.deepEqual([second!.payload, second!.topic], ['b', 'latest']);
        assert.equal(flow.messagesAt(outputId(0)).length, 0);
      },
      { outputs: 2 },
    );
  });

  test('while waiting, further messages are blocked', async () => {
    await withNode(triggerNode, config({ op1type: 'pay', duration: '30' }), async (flow) => {
      flow.receive('n', { payload: 'a' });
      flow.receive('n', { payload: 'b' });
      await idle(flow);
      assert.deepEqual(payloads(flow.messagesAt(outputId(0))), ['a', '0']);
    });
  });

  test('extend: the wait restarts and the second message is built on the latest message', async () => {
    await withNode(triggerNode, config({ extend: true, duration: '30' }), async (flow) => {
      flow.receive('n', { payload: 'a', topic: 'first' });
      flow.receive('n', { payload: 'b', topic: 'latest' });
      const out = await flow.waitForMessages(outputId(0), 2);
      assert.deepEqual(out.map((m) => [m.payload, m.topic]), [['1', 'first'], ['0', 'latest']]);
    });
  });

  test('duration 0 waits for msg.reset', async () => {
    await withNode(triggerNode, config({ duration: '0' }), async (flow) => {
      flow.receive('n', { payload: 'a' });
      flow.receive('n', { payload: 'b' });
      flow.receive('n', { reset: true });
      flow.receive('n', { payload: 'c' });
      await flow.waitForMessages(outputId(0), 2);
      assert.deepEqual(payloads(flow.messagesAt(outputId(0))), ['1', '1']);
    });
  });

  test('a payload equal to the reset value resets', async () => {
    await withNode(triggerNode, config({ duration: '0', reset: 'stop', op1type: 'pay' }), async (flow) => {
      flow.receive('n', { payload: 'a' });
      flow.receive('n', { payload: 'stop' });
      flow.receive('n', { payload: 'c' });
      assert.deepEqual(payloads(await flow.waitForMessages(outputId(0), 2)), ['a', 'c']);
    });
  });

  test('each topic is triggered separately', async () => {
    await withNode(triggerNode, config({ bytopic: 'topic', op1type: 'pay', op2type: 'str', op2: 'end' }), async (flow) => {
      flow.receive('n', { payload: 'a', topic: 'A' });
      flow.receive('n', { payload: 'b', topic: 'B' });
      flow.receive('n', { payload: 'c', topic: 'A' });
      const out = await flow.waitForMessages(outputId(0), 4);
      assert.deepEqual(out.map((m) => `${m.topic}:${String(m.payload)}`).sort(), ['A:a', 'A:end', 'B:b', 'B:end']);
      assert.ok(flow.statuses('n').some((s) => s.text === '2'));
    });
  });

  test('a negative duration resends the first message until reset', async () => {
    await withNode(triggerNode, config({ duration: '-5', op1type: 'pay' }), async (flow) => {
      flow.receive('n', { payload: 'tick' });
      const out = await flow.waitForMessages(outputId(0), 3);
      assert.deepEqual(payloads(out.slice(0, 3)), ['tick', 'tick', 'tick']);
      flow.receive('n', { reset: true });
      await idle(flow);
    });
  });

  test('msg.delay overrides the duration when allowed', async () => {
    await withNode(triggerNode, config({ duration: '1', units: 'hr', overrideDelay: true }), async (flow) => {
      flow.receive('n', { payload: 'x', delay: 5 });
      assert.deepEqual(payloads(await flow.waitForMessages(outputId(0), 2)), ['1', '0']);
    });
  });

  test('overrideDelay "false" (a string, as Node-RED writes it) still enables the override', async () => {
    await withNode(triggerNode, config({ duration: '1', units: 'hr', overrideDelay: 'false' }), async (flow) => {
      flow.receive('n', { payload: 'x', delay: 5 });
      assert.deepEqual(payloads(await flow.waitForMessages(outputId(0), 2)), ['1', '0']);
    });
  });

  test('a value that cannot be evaluated fails each message', async () => {
    await withNode(triggerNode, config({ op1: '{bad', op1type: 'json' }), async (flow) => {
      flow.receive('n', { payload: 'x' });
      await flow.waitUntil(() => flow.errors.length > 0);
      assert.equal(flow.errors[0]!.nodeId, 'n');
      assert.match(flow.errors[0]!.message, /^SyntaxError: /); // the JSON parser's own error, as in Node-RED
    });
  });
});
