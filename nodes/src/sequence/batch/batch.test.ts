import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowMessage, TestFlow } from '@loopedge/runtime';
import { outputId, withNode } from '../../shared/node-test-kit.js';
import { batchNode } from './index.js';

/** Send every input, then prove the node is idle with a marker sent straight to the sink (one FIFO queue). */
async function drain(flow: TestFlow, inputs: Array<Partial<FlowMessage>>): Promise<FlowMessage[]> {
  for (const msg of inputs) flow.receive('n', msg);
  await flow.waitUntil(() => flow.messagesAt('n').length >= inputs.length);
  flow.receive(outputId(0), { __marker: true });
  await flow.waitUntil(() => flow.messagesAt(outputId(0)).some((m) => m.__marker === true));
  return flow.messagesAt(outputId(0)).filter((m) => m.__marker !== true);
}

/** [payload, index, count] for each output, and which outputs share a sequence id. */
function sequences(out: FlowMessage[]): { items: unknown[][]; groups: number[] } {
  const ids: string[] = [];
  const groups = out.map((m) => {
    const id = (m.parts as { id: string }).id;
    if (!ids.includes(id)) ids.push(id);
    return ids.indexOf(id);
  });
  return { items: out.map((m) => [m.payload, (m.parts as { index: number }).index, (m.parts as { count: number }).count]), groups };
}

const payloads = (...values: unknown[]): Array<Partial<FlowMessage>> => values.map((payload) => ({ payload }));
const count = (config: Record<string, unknown>): Record<string, unknown> => ({ mode: 'count', count: 2, overlap: 0, interval: 10, allowEmptySequence: false, honourParts: false, ...config });

describe('batch', () => {
  const cases: Array<[string, Record<string, unknown>, Array<Partial<FlowMessage>>, unknown[][], number[]]> = [
    ['count: groups of two', count({}), payloads(1, 2, 3, 4, 5), [[1, 0, 2], [2, 1, 2], [3, 0, 2], [4, 1, 2]], [0, 0, 1, 1]],
    ['count: overlap repeats the last messages', count({ count: '3', overlap: '1' }), payloads(1, 2, 3, 4, 5), [[1, 0, 3], [2, 1, 3], [3, 2, 3], [3, 0, 3], [4, 1, 3], [5, 2, 3]], [0, 0, 0, 1, 1, 1]],
    ['count: msg.reset drops the messages held', count({ count: 3 }), [...payloads(1, 2), { reset: true }, ...payloads(3, 4, 5)], [[3, 0, 3], [4, 1, 3], [5, 2, 3]], [0, 0, 0]],
    ['count: the end of an incoming sequence ends the batch (honourParts)', count({ count: 5, honourParts: true }), [{ payload: 'a', parts: { id: 'z', index: 0, count: 2 } }, { payload: 'b', parts: { id: 'z', index: 1, count: 2 } }, { payload: 'c' }], [['a', 0, 2], ['b', 1, 2]], [0, 0]],
  ];
  for (const [name, config, inputs, items, groups] of cases) {
    test(name, async () => {
      const out = await withNode(batchNode, config, (flow) => drain(flow, inputs));
      assert.deepEqual(sequences(out), { items, groups });
    });
  }

  test('count: parts.id is the id of the first message of the sequence', async () => {
    await withNode(batchNode, count({}), async (flow) => {
      const out = await drain(flow, [{ _msgid: 'first', payload: 1 }, { _msgid: 'second', payload: 2 }]);
      assert.deepEqual(out.map((m) => (m.parts as { id: string }).id), ['first', 'first']);
    });
  });

  test('count: refuses to start when the overlap is not smaller than the count', async () => {
    await assert.rejects(withNode(batchNode, count({ count: 2, overlap: 2 }), async () => undefined), /overlap/);
  });

  test('interval: everything received in an interval is one sequence', async () => {
    await withNode(batchNode, count({ mode: 'interval', interval: '0.02' }), async (flow) => {
      flow.receive('n', { payload: 1 });
      flow.receive('n', { payload: 2 });
      const out = await flow.waitForMessages(outputId(0), 2);
      assert.deepEqual(sequences(out), { items: [[1, 0, 2], [2, 1, 2]], groups: [0, 0] });
    });
  });

  test('interval: an empty message when nothing arrived (allowEmptySequence)', async () => {
    await withNode(batchNode, count({ mode: 'interval', interval: '0.01', allowEmptySequence: true }), async (flow) => {
      const [out] = await flow.waitForMessages(outputId(0), 1);
      assert.equal(out!.payload, null);
      assert.deepEqual({ ...(out!.parts as object), id: 'x' }, { id: 'x', index: 0, count: 1 });
    });
  });

  const concat = { ...count({ mode: 'concat' }), topics: [{ topic: 'a' }, { topic: 'b' }] };

  test('concat: sequences of each topic are joined in topic order', async () => {
    const inputs = [
      { topic: 'b', payload: 'b0', parts: { id: 'B', index: 0, count: 2 } },
      { topic: 'a', payload: 'a0', parts: { id: 'A', index: 0, count: 1 } },
      { topic: 'c', payload: 'ignored' },
      { topic: 'b', payload: 'b1', parts: { id: 'B', index: 1, count: 2 } },
    ];
    const out = await withNode(batchNode, concat, (flow) => drain(flow, inputs));
    assert.deepEqual(sequences(out), { items: [['a0', 0, 3], ['b0', 1, 3], ['b1', 2, 3]], groups: [0, 0, 0] });
  });

  test('concat: a message of a listed topic without msg.parts is an error', async () => {
    await withNode(batchNode, concat, async (flow) => {
      await drain(flow, [{ topic: 'a', payload: 1 }]);
      await flow.waitUntil(() => flow.errors.length > 0);
      assert.match(flow.errors[0]!.message, /no parts property/);
    });
  });
});
