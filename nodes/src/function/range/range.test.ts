import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { rangeNode } from './index.js';
import { sendAndCollect, withNode } from '../../shared/node-test-kit.js';

const base = { minin: 0, maxin: 100, minout: 0, maxout: 10, action: 'scale', round: false, property: 'payload' };

/** Run one payload; null when nothing came out. A numeric marker follows it. */
async function range(config: Record<string, unknown>, msg: Record<string, unknown>): Promise<Record<string, unknown> | null> {
  return withNode(rangeNode, { ...base, ...config }, async (flow) => {
    const property = String(config.property ?? 'payload');
    const marker: Record<string, unknown> = {};
    // The marker carries a value inside the input range at the same property.
    const parts = property.split('.');
    let target = marker;
    parts.slice(0, -1).forEach((p) => (target = (target[p] = {}) as Record<string, unknown>));
    target[parts[parts.length - 1]!] = Number(config.minin ?? base.minin);
    const [out] = await sendAndCollect(flow, msg, marker, 0, 1);
    return out!.length > 0 ? (out![0] as Record<string, unknown>) : null;
  });
}

const cases: Array<[string, Record<string, unknown>, unknown, unknown]> = [
  ['scales', {}, 50, 5],
  ['scales numeric text', {}, '50', 5],
  ['scales beyond the range', {}, 150, 15],
  ['scales a fraction', { maxout: 1 }, 25, 0.25],
  ['scales into a negative range', { minout: -10, maxout: 10 }, 75, 5],
  ['rounds', { maxout: 3 }, 50, 2],
  ['rounding floors maxout and ceils minout first', { minout: 0.4, maxout: 10.6, round: true }, 100, 10],
  ['clamps above', { action: 'clamp' }, 150, 10],
  ['clamps below', { action: 'clamp' }, -50, 0],
  ['rolls over', { action: 'roll', maxin: 10, maxout: 360 }, 12, 72],
  ['rolls negative values', { action: 'roll', maxin: 10, maxout: 360 }, -1, 324],
  ['drop keeps values inside', { action: 'drop' }, 100, 10],
  ['swaps an inverted input range together with the output range', { minin: 10, maxin: 0, minout: 0, maxout: 100 }, 2, 80],
  ['bounds given as text, as Node-RED exports store them', { minin: '0', maxin: '10', minout: '0', maxout: '100' }, 3, 30],
];

describe('range', () => {
  for (const [name, config, input, expected] of cases) {
    test(name, async () => {
      const out = await range({ round: name.startsWith('round'), ...config }, { payload: input });
      assert.equal(out?.payload, expected);
    });
  }

  test('drop discards values outside the input range', async () => {
    assert.equal(await range({ action: 'drop' }, { payload: 101 }), null);
    assert.equal(await range({ action: 'drop' }, { payload: -1 }), null);
  });

  test('a non-numeric value is logged and dropped', async () => {
    assert.equal(await range({}, { payload: 'abc' }), null);
  });

  test('a message without the property passes unchanged', async () => {
    const out = await range({}, { topic: 'no payload' });
    assert.deepEqual(out && { topic: out.topic, has: 'payload' in out }, { topic: 'no payload', has: false });
  });

  test('scales a nested property', async () => {
    const out = await range({ property: 'payload.value' }, { payload: { value: 20, other: 1 } });
    assert.deepEqual(out?.payload, { value: 2, other: 1 });
  });

  test('a missing parent of the property is an error for that message', async () => {
    await withNode(rangeNode, { ...base, property: 'payload.value' }, async (flow) => {
      flow.receive('n', { topic: 'x' });
      await flow.waitUntil(() => flow.errors.length > 0);
      assert.equal(flow.errors[0]!.nodeId, 'n');
    });
  });
});
