import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestFlow, type FlowMessage } from '@loopedge/runtime';
import type { FlowDocument } from '@loopedge/flows';
import { rbeNode } from './index.js';

function rbeFlow(config: Record<string, unknown>): FlowDocument {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'n1', type: 'rbe', z: 'tab', wires: [['h1']], ...config },
    { id: 'h1', type: 'helper', z: 'tab', wires: [] },
  ];
}

/** Send each input in order, then report the payloads that passed. */
async function passed(config: Record<string, unknown>, inputs: Partial<FlowMessage>[]): Promise<unknown[]> {
  const flow = await startTestFlow(rbeFlow(config), { nodeTypes: [rbeNode] });
  try {
    for (const msg of inputs) flow.receive('n1', msg);
    // Deliveries are one FIFO queue: once the filter has seen every input, a marker
    // sent to the sink arrives after anything the filter sent.
    await flow.waitUntil(() => flow.messagesAt('n1').length === inputs.length);
    flow.receive('h1', { marker: true });
    await flow.waitUntil(() => flow.messagesAt('h1').some((m) => m.marker === true));
    return flow.messagesAt('h1').filter((m) => m.marker !== true).map((m) => m.payload);
  } finally {
    await flow.stop();
  }
}

const p = (...values: unknown[]): Partial<FlowMessage>[] => values.map((payload) => ({ payload }));

describe('rbe (filter) node', () => {
  const cases: Array<{ name: string; config: Record<string, unknown>; inputs: Partial<FlowMessage>[]; expected: unknown[] }> = [
    { name: 'rbe passes only changes', config: { func: 'rbe' }, inputs: p('a', 'a', 'b', 'b', 'a', 1, 1, '1'), expected: ['a', 'b', 'a', 1, '1'] },
    { name: 'rbei ignores the initial value', config: { func: 'rbei' }, inputs: p('a', 'a', 'b', 'b'), expected: ['b'] },
    { name: 'rbe compares objects deeply', config: { func: 'rbe' }, inputs: p({ a: 1 }, { a: 1 }, { a: 2 }, [1, 2], [1, 2], Buffer.from('x'), Buffer.from('x')), expected: [{ a: 1 }, { a: 2 }, [1, 2], Buffer.from('x')] },
    { name: 'rbei remembers {} for a first empty object (Node-RED quirk)', config: { func: 'rbei' }, inputs: p({}, { a: 1 }), expected: [{ a: 1 }] },
    { name: 'deadband: change greater than gap', config: { func: 'deadband', gap: '10' }, inputs: p(0, 5, 10, 11, 20, 21.5), expected: [0, 11, 21.5] },
    { name: 'deadbandEq: change greater or equal', config: { func: 'deadbandEq', gap: '10' }, inputs: p(0, 5, 10, 15, 20), expected: [0, 10, 20] },
    { name: 'deadband compared to last input (inout in)', config: { func: 'deadband', gap: '10', inout: 'in' }, inputs: p(0, 5, 10, 15, 30), expected: [0, 30] },
    { name: 'deadband percentage of previous value', config: { func: 'deadband', gap: '10%' }, inputs: p(100, 105, 111, 120, 123), expected: [100, 111, 123] },
    { name: 'narrowband blocks outliers', config: { func: 'narrowband', gap: '10' }, inputs: p(0, 5, 50, 10, 15), expected: [0, 5, 10, 15] },
    { name: 'narrowbandEq blocks equal changes too', config: { func: 'narrowbandEq', gap: '10' }, inputs: p(0, 5, 15, 9), expected: [0, 5, 9] },
    { name: 'narrowband with start value', config: { func: 'narrowband', gap: '5', start: '100' }, inputs: p(0, 98, 110, 101), expected: [98, 101] },
    { name: 'numeric strings are parsed', config: { func: 'deadband', gap: '1' }, inputs: p('1', '1.5', '3'), expected: ['1', '3'] },
    { name: 'other property', config: { func: 'rbe', property: 'value' }, inputs: [{ value: 1 }, { value: 1 }, { payload: 1 }, { value: 2 }], expected: [undefined, undefined] },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      assert.deepEqual(await passed(c.config, c.inputs), c.expected);
    });
  }

  test('topics are filtered separately unless septopics is false', async () => {
    const inputs = [
      { topic: 'a', payload: 1 },
      { topic: 'b', payload: 1 },
      { topic: 'a', payload: 1 },
      { topic: 'b', payload: 2 },
    ];
    assert.deepEqual(await passed({ func: 'rbe' }, inputs), [1, 1, 2]);
    assert.deepEqual(await passed({ func: 'rbe', septopics: false }, inputs), [1, 2]);
  });

  test('a custom topic property (topi)', async () => {
    const inputs = [
      { sensor: 'a', payload: 1 },
      { sensor: 'b', payload: 1 },
      { sensor: 'a', payload: 1 },
    ];
    assert.deepEqual(await passed({ func: 'rbe', topi: 'sensor' }, inputs), [1, 1]);
  });

  test('msg.reset clears one topic, or every topic without a topic', async () => {
    const oneTopic = [
      { topic: 'a', payload: 1 },
      { topic: 'b', payload: 1 },
      { topic: 'a', reset: true },
      { topic: 'a', payload: 1 },
      { topic: 'b', payload: 1 },
    ];
    assert.deepEqual(await passed({ func: 'rbe' }, oneTopic), [1, 1, 1]);
    const all = [{ topic: 'a', payload: 1 }, { topic: 'b', payload: 1 }, { reset: true }, { topic: 'a', payload: 1 }, { topic: 'b', payload: 1 }];
    assert.deepEqual(await passed({ func: 'rbe' }, all), [1, 1, 1, 1]);
  });

  test('a non-numeric value in a band mode warns and is dropped', async () => {
    const flow = await startTestFlow(rbeFlow({ func: 'deadband', gap: '1' }), { nodeTypes: [rbeNode] });
    try {
      flow.receive('n1', { payload: 'abc' });
      await flow.waitUntil(() => flow.warnings.length > 0);
      assert.equal(flow.warnings[0]?.message, 'no number found in payload');
      assert.equal(flow.messagesAt('h1').length, 0);
    } finally {
      await flow.stop();
    }
  });
});
