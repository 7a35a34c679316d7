import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTable, median, metText, ratioText } from './report.js';

test('median of odd and even counts, without reordering the input', () => {
  const rounds = [30, 10, 20];
  assert.equal(median(rounds), 20);
  assert.deepEqual(rounds, [30, 10, 20]);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

test('tables pad labels left and numbers right', () => {
  const table = formatTable('T', ['engine', 'msg/s'], [['LoopEdge', '1,000'], ['Node-RED', '10']]);
  assert.equal(table, ['T', 'engine    msg/s', '--------  -----', 'LoopEdge  1,000', 'Node-RED     10'].join('\n'));
});

test('ratio and target texts', () => {
  assert.equal(ratioText(2.345), '2.35×');
  assert.equal(ratioText(undefined), '—');
  assert.deepEqual([metText(true), metText(false), metText(undefined)], ['yes', 'NO', '?']);
});
