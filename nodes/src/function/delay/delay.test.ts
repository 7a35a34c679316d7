import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowMessage, TestFlow } from '@loopedge/runtime';
import { outputId, withNode } from '../../shared/node-test-kit.js';
import { delayNode } from './index.js';

const base = { pauseType: 'delay', timeout: '5', timeoutUnits: 'seconds', rate: '1', nbRateUnits: '1', rateUnits: 'second', randomFirst: '1', randomLast: '5', randomUnits: 'seconds', drop: false, allowrate: false, outputs: 1 };
const config = (c: Record<string, unknown>): Record<string, unknown> => ({ ...base, ...c });
const payloads = (msgs: FlowMessage[]): unknown[] => msgs.map((m) => m.payload);

/** Wait until the node has taken every message sent so far (its handler ran). */
function received(flow: TestFlow, count: number): Promise<void> {
  return flow.waitUntil(() => flow.messagesAt('n').length >= count);
}

describe('delay', () => {
  describe('delay each message', () => {
    const arrives: Array<[string, Record<string, unknown>, Partial<FlowMessage>]> = [
      ['fixed delay', { timeout: '10', timeoutUnits: 'milliseconds' }, { payload: 'a', topic: 't' }],
      ['delay from msg.delay', { pauseType: 'delayv', timeout: '5' }, { payload: 'a', delay: 10 }],
      ['negative msg.delay means none', { pauseType: 'delayv', timeout: '5' }, { payload: 'a', delay: -100 }],
      ['random delay', { pauseType: 'random', randomFirst: '1', randomLast: '20', randomUnits: 'milliseconds' }, { payload: 'a' }],
    ];
    for (const [name, c, msg] of arrives) {
      test(`${name}: the message arrives unchanged`, async () => {
        await withNode(delayNode, config(c), async (flow) => {
          flow.receive('n', { ...msg, _msgid: 'm1' });
          const [out] = await flow.waitForMessages(outputId(0), 1);
          assert.deepEqual(out, { ...msg, _msgid: 'm1' });
        });
      });
    }

    test('msg.delay orders messages by their own delays', async () => {
      await withNode(delayNode, config({ pauseType: 'delayv' }), async (flow) => {
        flow.receive('n', { payload: 'slow', delay: 40 });
        flow.receive('n', { payload: 'fast', delay: '1' });
        assert.deepEqual(payloads(await flow.waitForMessages(outputId(0), 2)), ['fast', 'slow']);
      });
    });

    for (const pauseType of ['delay', 'delayv', 'random']) {
      test(`${pauseType}: msg.flush sends now (all, or a number of them)`, async () => {
        await withNode(delayNode, config({ pauseType, randomFirst: '5', randomLast: '5' }), async (flow) => {
          flow.receive('n', { payload: 1 });
          flow.receive('n', { payload: 2 });
          flow.receive('n', { payload: 3 });
          flow.receive('n', { flush: 1 });
          assert.deepEqual(payloads(await flow.waitForMessages(outputId(0), 1)), [1]);
          flow.receive('n', { flush: true });
          assert.deepEqual(payloads(await flow.waitForMessages(outputId(0), 3)), [1, 2, 3]);
        });
      });

      test(`${pauseType}: msg.reset drops what is waiting`, async () => {
        await withNode(delayNode, config({ pauseType, randomFirst: '5', randomLast: '5' }), async (flow) => {
          flow.receive('n', { payload: 1 });
          flow.receive('n', { reset: true });
          flow.receive('n', { payload: 2 });
          flow.receive('n', { flush: true });
          assert.deepEqual(payloads(await flow.waitForMessages(outputId(0), 1)), [2]);
          await received(flow, 4);
          assert.deepEqual(flow.statuses('n').find((s) => s.shape === 'ring'), { fill: 'blue', shape: 'ring', text: '0' });
        });
      });
    }

    test('a message with msg.flush and a payload is flushed with the others', async () => {
      await withNode(delayNode, config({}), async (flow) => {
        flow.receive('n', { payload: 1 });
        flow.receive('n', { payload: 2, flush: true });
        const out = await flow.waitForMessages(outputId(0), 2);
        assert.deepEqual(out.map((m) => [m.payload, m.flush]), [[1, undefined], [2, true]]);
      });
    });

    test('long delays show how many messages wait', async () => {
      await withNode(delayNode, config({}), async (flow) => {
        flow.receive('n', { payload: 1 });
        flow.receive('n', { payload: 2 });
        await received(flow, 2);
        await flow.waitUntil(() => flow.statuses('n').length >= 2);
        assert.deepEqual(flow.statuses('n').slice(-1), [{ fill: 'blue', shape: 'dot', text: '2' }]);
      });
    });
  });

  describe('rate limit, all messages', () => {
    test('queued messages are released one per interval, in order', async () => {
      await withNode(delayNode, config({ pauseType: 'rate', rate: '1', nbRateUnits: '0.01' }), async (flow) => {
        for (const payload of [1, 2, 3]) flow.receive('n', { payload });
        assert.deepEqual(payloads(await flow.waitForMessages(outputId(0), 3)), [1, 2, 3]);
      });
    });

    test('the first message goes at once; msg.toFront and msg.flush', async () => {
      await withNode(delayNode, config({ pauseType: 'rate' }), async (flow) => {
        flow.receive('n', { payload: 1 });
        assert.deepEqual(payloads(await flow.waitForMessages(outputId(0), 1)), [1]);
        flow.receive('n', { payload: 2 });
        flow.receive('n', { payload: 3 });
        flow.receive('n', { payload: 4, toFront: true });
        flow.receive('n', { flush: 2 });
        assert.deepEqual(payloads(await flow.waitForMessages(outputId(0), 3)), [1, 4, 2]);
      });
    });

    test('msg.reset drops the queue and restarts the timing', async () => {
      await withNode(delayNode, config({ pauseType: 'rate' }), async (flow) => {
        flow.receive('n', { payload: 1 });
        flow.receive('n', { payload: 2 });
        flow.receive('n', { reset: true });
        flow.receive('n', { payload: 3 }); // first after a reset: goes at once
        assert.deepEqual(payloads(await flow.waitForMessages(outputId(0), 2)), [1, 3]);
      });
    });

    test('drop mode: messages arriving too soon go to the second output', async () => {
      await withNode(
        delayNode,
        config({ pauseType: 'rate', drop: true, outputs: 2 }),
        async (flow) => {
          for (const payload of [1, 2, 3]) flow.receive('n', { payload });
          assert.deepEqual(payloads(await flow.waitForMessages(outputId(1), 2)), [2, 3]);
          assert.deepEqual(payloads(flow.messagesAt(outputId(0))), [1]);
        },
        { outputs: 2 },
      );
    });

    test('msg.rate overrides the rate when allowed', async () => {
      await withNode(delayNode, config({ pauseType: 'rate', rate: '1', rateUnits: 'day', allowrate: true }), async (flow) => {
        flow.receive('n', { payload: 1 });
        flow.receive('n', { payload: 2, rate: 5 });
        flow.receive('n', { payload: 3 });
        assert.deepEqual(payloads(await flow.waitForMessages(outputId(0), 3)), [1, 2, 3]);
      });
    });

    test('too many queued messages (nodeMessageBufferMaxLength) is an error', async () => {
      await withNode(
        delayNode,
        config({ pauseType: 'rate' }),
        async (flow) => {
          for (const payload of [1, 2, 3, 4]) flow.receive('n', { payload });
          await flow.waitUntil(() => flow.errors.length > 0);
          assert.equal(flow.errors[0]!.message, 'too many pending messages in delay node');
        },
        { settings: { nodeMessageBufferMaxLength: 2 } },
      );
    });
  });

  describe('rate limit per topic', () => {
    test('queue: only the latest message of a topic is kept; replaced ones go to output 2', async () => {
      await withNode(
        delayNode,
        config({ pauseType: 'queue', outputs: 2 }),
        async (flow) => {
          flow.receive('n', { topic: 'a', payload: 1 });
          flow.receive('n', { topic: 'b', payload: 1 });
          flow.receive('n', { topic: 'a', payload: 2 });
          flow.receive('n', { topic: 'c', flush: true });
          const out = await flow.waitForMessages(outputId(0), 2);
          assert.deepEqual(out.map((m) => [m.topic, m.payload]), [['a', 2], ['b', 1]]);
          assert.deepEqual(flow.messagesAt(outputId(1)).map((m) => [m.topic, m.payload]), [['a', 1]]);
        },
        { outputs: 2 },
      );
    });

    test('queue: one topic per interval; messages without a topic get "_none_"', async () => {
      await withNode(delayNode, config({ pauseType: 'queue', nbRateUnits: '0.01' }), async (flow) => {
        flow.receive('n', { topic: 'a', payload: 1 });
        flow.receive('n', { payload: 2 });
        const out = await flow.waitForMessages(outputId(0), 2);
        assert.deepEqual(out.map((m) => [m.topic, m.payload]), [['a', 1], ['_none_', 2]]);
      });
    });

    test('timed: every topic is released each interval', async () => {
      await withNode(delayNode, config({ pauseType: 'timed', nbRateUnits: '0.02' }), async (flow) => {
        flow.receive('n', { topic: 'a', payload: 1 });
        flow.receive('n', { topic: 'b', payload: 1 });
        flow.receive('n', { topic: 'a', payload: 2 });
        const out = await flow.waitForMessages(outputId(0), 2);
        assert.deepEqual(out.map((m) => [m.topic, m.payload]), [['a', 2], ['b', 1]]);
      });
    });

    test('msg.reset empties the queue', async () => {
      await withNode(delayNode, config({ pauseType: 'queue' }), async (flow) => {
        flow.receive('n', { topic: 'a', payload: 1 });
        flow.receive('n', { reset: true });
        flow.receive('n', { topic: 'b', payload: 2 });
        flow.receive('n', { topic: 'c', flush: true });
        assert.deepEqual(payloads(await flow.waitForMessages(outputId(0), 1)), [2]);
        assert.ok(flow.statuses('n').some((s) => s.text === 'reset'));
      });
    });
  });
});
