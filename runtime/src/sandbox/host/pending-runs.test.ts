import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { PendingRuns } from './pending-runs.js';

describe('PendingRuns', () => {
  test('gives each run back once, in any order, and lists the rest', () => {
    const runs = new PendingRuns<string>();
    runs.set(1, 'a');
    runs.set(2, 'b');
    runs.set(5, 'e');
    assert.equal(runs.size, 3);
    assert.equal(runs.take(2), 'b');
    assert.equal(runs.take(2), undefined);
    assert.equal(runs.take(3), undefined);
    assert.deepEqual(runs.ids(), [1, 5]);
    assert.equal(runs.take(1), 'a');
    assert.equal(runs.take(5), 'e');
    assert.equal(runs.size, 0);
    assert.deepEqual(runs.ids(), []);
    runs.set(9, 'i');
    assert.equal(runs.take(5), undefined);
    assert.deepEqual(runs.ids(), [9]);
  });

  test('matches a Map through a long stream that never drains (compaction)', () => {
    const runs = new PendingRuns<number>();
    const model = new Map<number, number>();
    let next = 1;
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let step = 0; step < 20_000; step++) {
      if (model.size < 3 || random() < 0.5) {
        const id = next++;
        runs.set(id, id * 10);
        model.set(id, id * 10);
      } else {
        const keys = [...model.keys()];
        const id = keys[Math.floor(random() * keys.length)]!;
        assert.equal(runs.take(id), model.get(id));
        model.delete(id);
      }
      assert.equal(runs.size, model.size);
    }
    assert.deepEqual(runs.ids(), [...model.keys()].sort((a, b) => a - b));
  });

  test('refuses an id that is not newer than the last one', () => {
    const runs = new PendingRuns<string>();
    runs.set(4, 'd');
    assert.throws(() => runs.set(4, 'x'), /out of order/);
  });
});
