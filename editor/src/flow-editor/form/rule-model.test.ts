import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromRows, parseValue, toRows } from './rule-model.js';

test('flat rules round-trip through the builder rows; nested ones stay JSON', () => {
  const rules = [
    { name: 'hot', priority: 2, conditions: { all: [{ fact: 'msg', path: '$.payload.temp', operator: 'greaterThan', value: 80 }] }, event: { type: 'hot' } },
    { name: 'odd', conditions: { any: [{ all: [{ fact: 'a', operator: 'equal', value: 'x' }] }] } },
  ];
  const rows = toRows(rules);
  assert.equal(rows[0]!.conditions[0]!.value, '80');
  assert.equal(rows[0]!.raw, undefined);
  assert.ok(rows[1]!.raw, 'a nested rule is edited as JSON');
  assert.deepEqual(fromRows(rows), rules);
  assert.equal(parseValue('12.5'), 12.5);
  assert.equal(parseValue('on'), 'on');
  assert.deepEqual(parseValue('[1,2]'), [1, 2]);
  assert.equal(parseValue('true'), true);
});
