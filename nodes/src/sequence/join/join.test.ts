import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowMessage, TestFlow } from '@loopedge/runtime';
import { outputId, withNode } from '../../shared/node-test-kit.js';
import { splitNode } from '../split/index.js';
import { joinNode } from './index.js';

/** Send every input, then prove the node is idle with a marker sent straight to the sink (one FIFO queue). */
async function drain(flow: TestFlow, inputs: Array<Partial<FlowMessage>>): Promise<FlowMessage[]> {
  for (const msg of inputs) flow.receive('n', msg);
  await flow.waitUntil(() => flow.messagesAt('n').length >= inputs.length);
  flow.receive(outputId(0), { __marker: true });
  await flow.waitUntil(() => flow.messagesAt(outputId(0)).some((m) => m.__marker === true));
  return flow.messagesAt(outputId(0)).filter((m) => m.__marker !== true);
}

const withoutId = ({ _msgid, ...rest }: FlowMessage): Record<string, unknown> => rest;
const B = (text: string): Buffer => Buffer.from(text);
const part = (payload: unknown, index: number, count: number, extra: Record<string, unknown> = {}): Partial<FlowMessage> => ({ payload, parts: { id: 'g', index, count, ...extra } });
const manual = (config: Record<string, unknown>): Record<string, unknown> => ({ mode: 'custom', build: 'array', count: '', joiner: '\\n', joinerType: 'str', timeout: '', accumulate: false, property: 'payload', propertyType: 'msg', key: 'topic', ...config });

describe('join', () => {
  const cases: Array<[string, Record<string, unknown>, Array<Partial<FlowMessage>>, Array<Record<string, unknown>>]> = [
    ['auto: string parts in any order', { mode: 'auto' }, [part('b', 1, 3, { type: 'string', ch: ',' }), part('a', 0, 3, { type: 'string', ch: ',' }), part('c', 2, 3, { type: 'string', ch: ',' })], [{ payload: 'a,b,c' }]],
    ['auto: array chunks are flattened', { mode: 'auto' }, [part([3], 1, 2, { type: 'array', len: 2 }), part([1, 2], 0, 2, { type: 'array', len: 2 })], [{ payload: [1, 2, 3] }]],
    ['auto: object from keys', { mode: 'auto' }, [part(1, 0, 2, { type: 'object', key: 'a' }), part(2, 1, 2, { type: 'object', key: 'b' })], [{ payload: { a: 1, b: 2 } }]],
    ['auto: buffer with a byte-array separator', { mode: 'auto' }, [part(B('a'), 0, 2, { type: 'buffer', ch: [44] }), part(B('b'), 1, 2, { type: 'buffer', ch: [44] })], [{ payload: B('a,b') }]],
    ['auto: an enclosing sequence is restored', { mode: 'auto' }, [part('x', 0, 1, { type: 'string', ch: '', parts: { id: 'outer', index: 2, count: 4 } })], [{ payload: 'x', parts: { id: 'outer', index: 2, count: 4 } }]],
    ['auto: parts.property', { mode: 'auto' }, [{ data: 'x', parts: { id: 'g', index: 0, count: 2, type: 'string', ch: '-', property: 'data' } }, { data: 'y', parts: { id: 'g', index: 1, count: 2, type: 'string', ch: '-', property: 'data' } }], [{ data: 'x-y' }]],
    ['manual: array after a count', manual({ count: '2' }), [{ payload: 1, topic: 'a' }, { payload: 2, topic: 'b' }, { payload: 3 }], [{ payload: [1, 2], topic: 'b' }]],
    ['manual: string with an escaped joiner', manual({ build: 'string', count: '2', joiner: '\\t' }), [{ payload: 1 }, { payload: 'x' }], [{ payload: '1\tx' }]],
    ['manual: buffer with a binary joiner', manual({ build: 'buffer', count: '2', joiner: '[44]', joinerType: 'bin' }), [{ payload: B('a') }, { payload: 'b' }], [{ payload: B('a,b') }]],
    ['manual: object keyed by topic, the last value wins', manual({ build: 'object', count: '2' }), [{ payload: 1, topic: 'a' }, { payload: 2, topic: 'a' }, { payload: 3, topic: 'b' }], [{ payload: { a: 2, b: 3 }, topic: 'b' }]],
    ['manual: merged objects (non-objects are skipped)', manual({ build: 'merged', count: '2' }), [{ payload: { a: 1 } }, { payload: 5 }, { payload: { b: 2 } }], [{ payload: { a: 1, b: 2 } }]],
    ['manual: msg.complete sends what there is', manual({ count: '5' }), [{ payload: 1 }, { payload: 2, complete: true }], [{ payload: [1, 2] }]],
    ['manual: msg.reset drops the group', manual({ count: '5' }), [{ payload: 1 }, { payload: 2, reset: true }, { payload: 3 }, { complete: true }], [{ payload: [3] }]],
    ['manual: a blank count follows msg.parts.count', manual({ count: '' }), [part('a', 0, 2), part('b', 1, 2)], [{ payload: ['a', 'b'] }]],
    ['manual: useparts false ignores msg.parts', manual({ count: '', useparts: false }), [part('a', 0, 2), part('b', 1, 2), { payload: 'c', complete: true }], [{ payload: ['a', 'b', 'c'] }]],
    ['manual: accumulate keeps sending', manual({ count: '2', accumulate: true }), [{ payload: 1 }, { payload: 2 }, { payload: 3 }, { payload: 4, complete: true }, { payload: 5 }], [{ payload: [1, 2] }, { payload: [1, 2, 3] }, { payload: [1, 2, 3, 4] }]],
  ];
  for (const [name, config, inputs, expected] of cases) {
    test(name, async () => {
      const out = await withNode(joinNode, config, (flow) => drain(flow, inputs));
      assert.deepEqual(out.map(withoutId), expected);
    });
  }

  test('manual: whole messages as an object', async () => {
    const out = await withNode(joinNode, manual({ build: 'object', propertyType: 'full' }), (flow) => drain(flow, [{ payload: 1, topic: 'a' }, { payload: 2, topic: 'b', complete: true }]));
    const joined = out[0]!.payload as Record<string, FlowMessage>;
    assert.deepEqual(Object.keys(joined), ['a', 'b']);
    assert.equal(joined.a!.payload, 1);
    assert.equal(joined.b!.topic, 'b');
  });

  test('manual: a non-buffer value in buffer mode fails that message', async () => {
    await withNode(joinNode, manual({ build: 'buffer', count: '2', joiner: '' }), async (flow) => {
      await drain(flow, [{ payload: B('a') }, { payload: 5 }]);
      await flow.waitUntil(() => flow.errors.length > 0);
      assert.match(flow.errors[0]!.message, /Cannot join number to buffer/);
    });
  });

  test('manual: sends after the timeout', async () => {
    await withNode(joinNode, manual({ count: '10', timeout: '0.02' }), async (flow) => {
      flow.receive('n', { payload: 1 });
      flow.receive('n', { payload: 2 });
      const [out] = await flow.waitForMessages(outputId(0), 1);
      assert.deepEqual(out!.payload, [1, 2]);
    });
  });

  test('auto: warns about messages without msg.parts', async () => {
    await withNode(joinNode, { mode: 'auto' }, async (flow) => {
      await drain(flow, [{ payload: 1 }]);
      await flow.waitUntil(() => flow.warnings.length > 0);
      assert.match(flow.warnings[0]!.message, /missing msg.parts/);
    });
  });

  test('split then join gives back the original payload', async () => {
    const extraNodes = [{ id: 's', type: 'split', z: 't1', splt: ',', wires: [['n']] }];
    await withNode(
      joinNode,
      { mode: 'auto' },
      async (flow) => {
        flow.receive('s', { payload: 'x,y,z' });
        flow.receive('s', { payload: [1, 2, 3] });
        flow.receive('s', { payload: { a: 1, b: [2] } });
        const out = await flow.waitForMessages(outputId(0), 3);
        assert.deepEqual(out.map((m) => m.payload), ['x,y,z', [1, 2, 3], { a: 1, b: [2] }]);
        assert.ok(out.every((m) => !Object.hasOwn(m, 'parts')));
      },
      { extraNodes, extraTypes: [splitNode] },
    );
  });

  describe('reduce', () => {
    const seq = (values: unknown[]): Array<Partial<FlowMessage>> => values.map((payload, index) => ({ payload, parts: { id: 's', index, count: values.length } }));
    const reduceCases: Array<[string, Record<string, unknown>, Array<Partial<FlowMessage>>, unknown]> = [
      ['sum', { reduceExp: '$A+payload', reduceInit: '0', reduceInitType: 'num', reduceFixup: '' }, seq([1, 2, 3]), 6],
      ['average with a fix-up', { reduceExp: '$A+payload', reduceInit: '0', reduceInitType: 'num', reduceFixup: '$A/$N' }, seq([2, 4, 6]), 4],
      ['right to left, with $I and $N', { reduceExp: '$append($A, [payload & $string($I) & "/" & $string($N)])', reduceInit: '[]', reduceInitType: 'json', reduceRight: true, reduceFixup: '$join($A, ",")' }, seq(['x', 'y']), 'y1/2,x0/2'],
      ['legacy msg. expressions', { reduceExp: '$A+msg.payload', reduceInit: '10', reduceInitType: 'num' }, seq([1, 2]), 13],
    ];
    for (const [name, config, inputs, expected] of reduceCases) {
      test(name, async () => {
        await withNode(joinNode, { mode: 'reduce', ...config }, async (flow) => {
          for (const msg of inputs) flow.receive('n', msg);
          const [out] = await flow.waitForMessages(outputId(0), 1);
          assert.deepEqual(out!.payload, expected);
          // the reduced message keeps its msg.parts, as in Node-RED
          assert.equal((out!.parts as { id: string }).id, 's');
        });
      });
    }

    test('messages outside a sequence pass through', async () => {
      await withNode(joinNode, { mode: 'reduce', reduceExp: '$A', reduceInit: '0', reduceInitType: 'num' }, async (flow) => {
        flow.receive('n', { payload: 'plain' });
        const [out] = await flow.waitForMessages(outputId(0), 1);
        assert.equal(out!.payload, 'plain');
      });
    });

    test('an expression error fails the message that completed the sequence', async () => {
      await withNode(joinNode, { mode: 'reduce', reduceExp: '$error("boom")', reduceInit: '0', reduceInitType: 'num' }, async (flow) => {
        for (const msg of seq([1, 2])) flow.receive('n', msg);
        await flow.waitUntil(() => flow.errors.length > 0);
        assert.match(flow.errors[0]!.message, /boom/);
        assert.equal(flow.errors.length, 1);
      });
    });

    test('refuses to start without an expression', async () => {
      await assert.rejects(withNode(joinNode, { mode: 'reduce' }, async () => undefined), /reduceExp/);
    });
  });
});
