import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowMessage, TestFlow } from '@loopedge/runtime';
import { outputId, withNode } from '../../shared/node-test-kit.js';
import { splitNode } from './index.js';

/** Send every input, then prove the node is idle with a marker sent straight to the sink (one FIFO queue). */
async function drain(flow: TestFlow, inputs: Array<Partial<FlowMessage>>): Promise<FlowMessage[]> {
  for (const msg of inputs) flow.receive('n', msg);
  await flow.waitUntil(() => flow.messagesAt('n').length >= inputs.length);
  flow.receive(outputId(0), { __marker: true });
  await flow.waitUntil(() => flow.messagesAt(outputId(0)).some((m) => m.__marker === true));
  return flow.messagesAt(outputId(0)).filter((m) => m.__marker !== true);
}

/** What a split output looks like without its random ids. */
function shape(msg: FlowMessage): Record<string, unknown> {
  const { _msgid, parts, ...rest } = msg;
  const { id, ...partsRest } = (parts ?? {}) as Record<string, unknown>;
  assert.equal(typeof _msgid, 'string');
  if (parts) assert.equal(typeof id, 'string');
  return parts ? { ...rest, parts: partsRest } : rest;
}

const B = (text: string): Buffer => Buffer.from(text);

describe('split', () => {
  const cases: Array<[string, Record<string, unknown>, Array<Partial<FlowMessage>>, Array<Record<string, unknown>>]> = [
    ['string on newline (default)', {}, [{ payload: 'a\nb', topic: 't' }], [
      { payload: 'a', topic: 't', parts: { type: 'string', ch: '\n', index: 0, count: 2 } },
      { payload: 'b', topic: 't', parts: { type: 'string', ch: '\n', index: 1, count: 2 } },
    ]],
    ['string with a trailing separator gives an empty last part', { splt: ',' }, [{ payload: 'a,' }], [
      { payload: 'a', parts: { type: 'string', ch: ',', index: 0, count: 2 } },
      { payload: '', parts: { type: 'string', ch: ',', index: 1, count: 2 } },
    ]],
    ['string by fixed length', { splt: '2', spltType: 'len' }, [{ payload: 'abc' }], [
      { payload: 'ab', parts: { type: 'string', ch: '', len: 2, index: 0, count: 2 } },
      { payload: 'c', parts: { type: 'string', ch: '', len: 2, index: 1, count: 2 } },
    ]],
    ['string stream keeps the remainder for the next message', { splt: ',', stream: true }, [{ payload: 'a,b' }, { payload: 'c,d' }], [
      { payload: 'a', parts: { type: 'string', ch: ',', index: 0 } },
      { payload: 'bc', parts: { type: 'string', ch: ',', index: 1 } },
    ]],
    ['string by a binary separator', { splt: '[44]', spltType: 'bin' }, [{ payload: 'a,b' }], [
      { payload: 'a', parts: { type: 'string', ch: [44], index: 0, count: 2 } },
      { payload: 'b', parts: { type: 'string', ch: [44], index: 1, count: 2 } },
    ]],
    ['\\e in a separator is a plain "e", as in Node-RED', { splt: '\\e' }, [{ payload: 'aeb' }], [
      { payload: 'a', parts: { type: 'string', ch: 'e', index: 0, count: 2 } },
      { payload: 'b', parts: { type: 'string', ch: 'e', index: 1, count: 2 } },
    ]],
    ['array one element per message', {}, [{ payload: [1, 2] }], [
      { payload: 1, parts: { type: 'array', len: 1, index: 0, count: 2 } },
      { payload: 2, parts: { type: 'array', len: 1, index: 1, count: 2 } },
    ]],
    ['array in chunks', { arraySplt: '2' }, [{ payload: [1, 2, 3] }], [
      { payload: [1, 2], parts: { type: 'array', len: 2, index: 0, count: 2 } },
      { payload: [3], parts: { type: 'array', len: 2, index: 1, count: 2 } },
    ]],
    ['object, key copied to topic', { addname: 'topic' }, [{ payload: { a: 1, b: 2 } }], [
      { payload: 1, topic: 'a', parts: { type: 'object', key: 'a', index: 0, count: 2 } },
      { payload: 2, topic: 'b', parts: { type: 'object', key: 'b', index: 1, count: 2 } },
    ]],
    ['buffer by separator', { splt: ',' }, [{ payload: B('a,b') }], [
      { payload: B('a'), parts: { type: 'buffer', ch: ',', index: 0, count: 2 } },
      { payload: B('b'), parts: { type: 'buffer', ch: ',', index: 1, count: 2 } },
    ]],
    ['buffer ending in the separator announces one part more (Node-RED)', { splt: ',' }, [{ payload: B('a,b,') }], [
      { payload: B('a'), parts: { type: 'buffer', ch: ',', index: 0, count: 3 } },
      { payload: B('b'), parts: { type: 'buffer', ch: ',', index: 1, count: 3 } },
    ]],
    ['buffer by fixed length', { splt: '2', spltType: 'len' }, [{ payload: B('abc') }], [
      { payload: B('ab'), parts: { type: 'buffer', len: 2, index: 0, count: 2 } },
      { payload: B('c'), parts: { type: 'buffer', len: 2, index: 1, count: 2 } },
    ]],
    ['buffer stream by length', { splt: '2', spltType: 'len', stream: true }, [{ payload: B('abc') }, { payload: B('d') }], [
      { payload: B('ab'), parts: { type: 'buffer', len: 2, index: 0 } },
      { payload: B('cd'), parts: { type: 'buffer', len: 2, index: 1 } },
    ]],
    ['another property, recorded in parts.property', { property: 'data' }, [{ data: 'x\ny' }], [
      { data: 'x', parts: { type: 'string', ch: '\n', index: 0, count: 2, property: 'data' } },
      { data: 'y', parts: { type: 'string', ch: '\n', index: 1, count: 2, property: 'data' } },
    ]],
    ['existing parts are pushed down a level', {}, [{ payload: 'a', parts: { id: 'outer', index: 3, count: 9 } }], [
      { payload: 'a', parts: { type: 'string', ch: '\n', index: 0, count: 1, parts: { id: 'outer', index: 3, count: 9 } } },
    ]],
    ['numbers and booleans are dropped', {}, [{ payload: 5 }, { payload: true }, { topic: 'no payload' }], []],
  ];
  for (const [name, config, inputs, expected] of cases) {
    test(name, async () => {
      const out = await withNode(splitNode, config, (flow) => drain(flow, inputs));
      assert.deepEqual(out.map(shape), expected);
    });
  }

  test('every part has its own message id and all share one parts.id', async () => {
    const out = await withNode(splitNode, {}, (flow) => drain(flow, [{ payload: 'a\nb\nc' }]));
    assert.equal(new Set(out.map((m) => m._msgid)).size, 3);
    assert.equal(new Set(out.map((m) => (m.parts as { id: string }).id)).size, 1);
  });

  const badConfigs: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a zero length', { splt: '0', spltType: 'len' }, /splt/],
    ['a binary separator that is not a byte array', { splt: 'abc', spltType: 'bin' }, /splt/],
    ['an array split below 1', { arraySplt: 0 }, /arraySplt/],
  ];
  for (const [name, config, field] of badConfigs) {
    test(`refuses to start with ${name}`, async () => {
      await assert.rejects(withNode(splitNode, config, async () => undefined), field);
    });
  }
});
