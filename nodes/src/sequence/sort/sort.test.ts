import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowMessage } from '@loopedge/runtime';
import { outputId, withNode } from '../../shared/node-test-kit.js';
import { sortNode } from './index.js';

const seq = (values: unknown[], id = 's'): Array<Partial<FlowMessage>> => values.map((payload, index) => ({ payload, parts: { id, index, count: values.length } }));
const property = (config: Record<string, unknown>): Record<string, unknown> => ({ target: 'payload', targetType: 'msg', msgKey: 'payload', msgKeyType: 'elem', order: 'ascending', as_num: false, ...config });
const sequence = (config: Record<string, unknown>): Record<string, unknown> => ({ targetType: 'seq', seqKey: 'payload', seqKeyType: 'msg', order: 'ascending', as_num: false, ...config });

describe('sort', () => {
  const arrayCases: Array<[string, Record<string, unknown>, Partial<FlowMessage>, unknown]> = [
    ['numbers ascending', {}, { payload: [3, 1, 2] }, [1, 2, 3]],
    ['strings descending', { order: 'descending' }, { payload: ['b', 'c', 'a'] }, ['c', 'b', 'a']],
    ['numeric text as numbers', { as_num: true }, { payload: ['10', '9', '100'] }, ['9', '10', '100']],
    ['numeric text as text', {}, { payload: ['10', '9', '100'] }, ['10', '100', '9']],
    ['by a JSONata key', { msgKey: 'v', msgKeyType: 'jsonata' }, { payload: [{ v: 3 }, { v: 1 }, { v: 2 }] }, [{ v: 1 }, { v: 2 }, { v: 3 }]],
    ['a nested property', { target: 'data.list' }, { payload: 0, data: { list: [2, 1] } }, [1, 2]],
  ];
  for (const [name, config, msg, expected] of arrayCases) {
    test(`array: ${name}`, async () => {
      await withNode(sortNode, property(config), async (flow) => {
        flow.receive('n', msg);
        const [out] = await flow.waitForMessages(outputId(0), 1);
        const target = String(config.target ?? 'payload');
        assert.deepEqual(target === 'payload' ? out!.payload : (out!.data as { list: unknown }).list, expected);
      });
    });
  }

  test('array: a message without an array is dropped', async () => {
    await withNode(sortNode, property({}), async (flow) => {
      flow.receive('n', { payload: 'not an array' });
      flow.receive('n', { payload: [2, 1] });
      const [out] = await flow.waitForMessages(outputId(0), 1);
      assert.deepEqual(out!.payload, [1, 2]);
      assert.equal(flow.messagesAt(outputId(0)).length, 1);
    });
  });

  const sequenceCases: Array<[string, Record<string, unknown>, Array<Partial<FlowMessage>>, unknown[]]> = [
    ['by payload', {}, seq([3, 1, 2]), [1, 2, 3]],
    ['descending as numbers', { order: 'descending', as_num: true }, seq(['10', '9', '100']), ['100', '10', '9']],
    ['by a JSONata key', { seqKey: '$number(payload) * -1', seqKeyType: 'jsonata' }, seq([1, 3, 2]), [3, 2, 1]],
    ['by topic, count from the last part', { seqKey: 'topic' }, [{ payload: 'B', topic: 'b', parts: { id: 'q', index: 0 } }, { payload: 'A', topic: 'a', parts: { id: 'q', index: 1, count: 2 } }], ['A', 'B']],
  ];
  for (const [name, config, inputs, expected] of sequenceCases) {
    test(`sequence: ${name}`, async () => {
      await withNode(sortNode, sequence(config), async (flow) => {
        for (const msg of inputs) flow.receive('n', msg);
        const out = await flow.waitForMessages(outputId(0), inputs.length);
        assert.deepEqual(out.map((m) => m.payload), expected);
        // msg.parts.index is renumbered in the new order
        assert.deepEqual(out.map((m) => (m.parts as { index: number }).index), expected.map((_, i) => i));
      });
    });
  }

  test('sequence: messages without msg.parts are dropped', async () => {
    await withNode(sortNode, sequence({}), async (flow) => {
      flow.receive('n', { payload: 'alone' });
      for (const msg of seq([2, 1])) flow.receive('n', msg);
      const out = await flow.waitForMessages(outputId(0), 2);
      assert.deepEqual(out.map((m) => m.payload), [1, 2]);
    });
  });

  test('sequence: too many pending messages fails the oldest sequence', async () => {
    await withNode(
      sortNode,
      sequence({}),
      async (flow) => {
        flow.receive('n', { payload: 1, parts: { id: 'a', index: 0, count: 5 } });
        flow.receive('n', { payload: 2, parts: { id: 'a', index: 1, count: 5 } });
        flow.receive('n', { payload: 3, parts: { id: 'b', index: 0, count: 5 } });
        await flow.waitUntil(() => flow.errors.length > 0);
        assert.match(flow.errors[0]!.message, /Too many pending messages in sort node/);
      },
      { settings: { nodeMessageBufferMaxLength: 2 } },
    );
  });

  test('refuses to start with a bad JSONata key', async () => {
    await assert.rejects(withNode(sortNode, sequence({ seqKey: '$$$(', seqKeyType: 'jsonata' }), async () => undefined), /seqKey/);
  });
});
