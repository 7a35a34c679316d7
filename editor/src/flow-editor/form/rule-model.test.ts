import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addChild,
  editAsJson,
  editAsRows,
  fromRows,
  newCondition,
  newGroup,
  nodeAt,
  parseValue,
  removeAt,
  setCondition,
  setMode,
  toRows,
  type GroupNode,
} from './rule-model.js';

const nested = [
  { name: 'hot', priority: 2, conditions: { all: [{ fact: 'msg', path: '$.payload.temp', operator: 'greaterThan', value: 80 }] }, event: { type: 'hot' } },
  {
    name: 'odd',
    conditions: {
      any: [
        { all: [{ fact: 'a', operator: 'equal', value: 'x' }, { not: { fact: 'b', operator: 'in', value: [1, 2] } }] },
        { not: { any: [{ fact: 'c', operator: 'startsWith', value: '5' }] } },
        { fact: 'd', operator: 'equal', value: true, params: { unit: 'C' } },
        { condition: 'sharedCondition' },
        { name: 'named', priority: 3, all: [{ fact: 'e', operator: 'notEqual', value: null }] },
      ],
    },
  },
];

function root(rules: unknown, index = 0): GroupNode {
  return toRows(rules)[index]!.root;
}

test('nested all/any/not rules round-trip through the builder unchanged', () => {
  const rows = toRows(nested);
  assert.ok(rows.every((row) => row.raw === undefined), 'nested rules are edited as rows');
  assert.deepEqual(fromRows(rows), nested);
  const odd = rows[1]!.root;
  assert.equal(odd.mode, 'any');
  assert.equal(nodeAt(odd, [0, 1])?.kind, 'group');
  assert.equal((nodeAt(odd, [0, 1]) as GroupNode).mode, 'not');
  assert.equal(nodeAt(odd, [0, 1, 0])?.kind, 'condition');
  // A string that looks like a number stays a string while it is not edited.
  assert.deepEqual(fromRows(rows)[1]!['conditions'], nested[1]!.conditions);
});

test('conditions with params, condition references and extra keys are kept unchanged as opaque rows', () => {
  const odd = root(nested, 1);
  assert.equal(nodeAt(odd, [2])?.kind, 'opaque');
  assert.equal(nodeAt(odd, [3])?.kind, 'opaque');
  const named = nodeAt(odd, [4]) as GroupNode;
  assert.equal(named.kind, 'group');
  assert.deepEqual(named.extra, { name: 'named', priority: 3 });
  // Editing elsewhere in the tree leaves them as they were.
  const edited = setCondition(odd, [0, 0], { value: '7' });
  const conditions = fromRows([{ ...toRows(nested)[1]!, root: edited }])[0]!['conditions'] as { any: unknown[] };
  assert.deepEqual(conditions.any[0], { all: [{ fact: 'a', operator: 'equal', value: 7 }, { not: { fact: 'b', operator: 'in', value: [1, 2] } }] });
  assert.deepEqual(conditions.any.slice(1), (nested[1]!.conditions as { any: unknown[] }).any.slice(1));
});

test('rule properties the inputs cannot hold stay in the rule', () => {
  const rules = [{ name: 5, priority: { weird: true }, conditions: { all: [] }, event: { type: 'x' } }];
  assert.deepEqual(fromRows(toRows(rules)), rules);
});

test('conditions and groups are added, removed and re-moded at depth', () => {
  let tree = root(nested, 1);
  tree = addChild(tree, [0], newGroup());
  assert.equal((nodeAt(tree, [0]) as GroupNode).children.length, 3);
  tree = addChild(tree, [0, 2], newCondition());
  assert.equal((nodeAt(tree, [0, 2]) as GroupNode).children.length, 2);
  tree = setMode(tree, [0, 2], 'any');
  tree = setCondition(tree, [0, 2, 1], { fact: 'f', value: '[1, "a"]', operator: 'in' });
  const before = JSON.stringify(tree);
  // `not` holds exactly one: it refuses a second child, removing its only child, and a mode switch from two children.
  assert.equal(JSON.stringify(addChild(tree, [0, 1], newCondition())), before);
  assert.equal(JSON.stringify(removeAt(tree, [0, 1, 0])), before);
  assert.equal(JSON.stringify(setMode(tree, [0, 2], 'not')), before);
  assert.equal(JSON.stringify(removeAt(tree, [])), before, 'the root group stays');
  tree = removeAt(tree, [0, 2, 0]);
  tree = setMode(tree, [0, 2], 'not');
  const row = { ...toRows(nested)[1]!, root: tree };
  const conditions = fromRows([row])[0]!['conditions'] as { any: Array<{ all: unknown[] }> };
  assert.deepEqual(conditions.any[0]!.all[2], { not: { fact: 'f', operator: 'in', value: [1, 'a'], path: '$.payload' } });
  tree = removeAt(tree, [0, 0]);
  assert.equal((nodeAt(tree, [0]) as GroupNode).children.length, 2);
  assert.equal((nodeAt(tree, [0, 0]) as GroupNode).mode, 'not', 'later siblings move up');
});

test('typed values are parsed back', () => {
  assert.equal(parseValue('12.5'), 12.5);
  assert.equal(parseValue('on'), 'on');
  assert.deepEqual(parseValue('[1,2]'), [1, 2]);
  assert.equal(parseValue('true'), true);
  assert.equal(parseValue('null'), null);
  assert.equal(parseValue('[1,'), '[1,');
  const tree = setCondition(root(nested), [0], { value: '90' });
  const row = { ...toRows(nested)[0]!, root: tree };
  assert.deepEqual(fromRows([row])[0]!['conditions'], { all: [{ fact: 'msg', path: '$.payload.temp', operator: 'greaterThan', value: 90 }] });
});

test('"Edit as JSON" and back; invalid JSON stays in JSON with the parse error', () => {
  const row = toRows(nested)[1]!;
  const json = editAsJson(row);
  assert.deepEqual(JSON.parse(json.raw!), nested[1]!.conditions);
  assert.deepEqual(fromRows([json]), [nested[1]]);
  const back = editAsRows(json);
  assert.equal(back.raw, undefined);
  assert.deepEqual(fromRows([back]), [nested[1]]);

  const broken = editAsRows({ ...json, raw: '{ "all": [' });
  assert.equal(broken.raw, '{ "all": [', 'the text is kept');
  assert.match(broken.error!, /^Invalid JSON: /);
  const notGroup = editAsRows({ ...json, raw: '{ "fact": "a", "operator": "equal", "value": 1 }' });
  assert.ok(notGroup.raw !== undefined);
  assert.match(notGroup.error!, /"all".*"any".*"not"/);
  const fixed = editAsRows({ ...broken, raw: '{ "not": { "fact": "a", "operator": "equal", "value": 1 } }' });
  assert.equal(fixed.raw, undefined);
  assert.equal(fixed.error, undefined);
  assert.equal(fixed.root.mode, 'not');
});

test('a rule whose conditions are not a group is edited as JSON and kept unchanged', () => {
  const rules = [{ name: 'ref', conditions: { condition: 'shared' } }, { name: 'empty' }];
  const rows = toRows(rules);
  assert.ok(rows[0]!.raw);
  assert.deepEqual(fromRows(rows)[0], rules[0]);
  assert.deepEqual(fromRows(rows)[1], { name: 'empty', conditions: { all: [] } });
});
