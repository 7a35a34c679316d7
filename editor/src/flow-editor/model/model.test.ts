import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowItem } from '@loopedge/flows';
import {
  addNode, addTab, connect, copyItems, deleteItems, disconnect, exportFlows, groupNodes, importFlows, moveNodes, pasteItems,
  reorderTab, setOutputCount, snap, updateNode, type EditorDocument, type NodeTypeInfo,
} from './index.js';

const types: Record<string, NodeTypeInfo> = {
  inject: { type: 'inject', category: 'common', inputs: 0, outputs: 1, editor: { label: 'inject', color: '#a6bbcf' }, schema: { properties: { name: { default: '' }, repeat: { default: '' } } } },
  function: { type: 'function', category: 'function', inputs: 1, outputs: 1, dynamicOutputs: true, editor: { label: 'function' }, schema: { properties: { func: { default: '\nreturn msg;' }, outputs: { default: 1 } } } },
  debug: { type: 'debug', category: 'common', inputs: 1, outputs: 0, editor: { label: 'debug' }, schema: { properties: {} } },
  'mqtt-broker': { type: 'mqtt-broker', category: 'config', inputs: 0, outputs: 0, configNode: true, editor: { label: 'broker' }, schema: { properties: { broker: { default: 'localhost' } } } },
  'mqtt in': { type: 'mqtt in', category: 'northbound', inputs: 0, outputs: 1, editor: { label: 'mqtt in' }, schema: { properties: { broker: { default: '' } } } },
};
const lookup = (type: string): NodeTypeInfo | undefined => types[type];

let counter = 0;
const seqId = (): string => `new${++counter}`;

function sample(): EditorDocument {
  return [
    { id: 't1', type: 'tab', label: 'One' },
    { id: 't2', type: 'tab', label: 'Two' },
    { id: 'a', type: 'inject', z: 't1', name: 'tick', x: 100, y: 100, wires: [['b']] },
    { id: 'b', type: 'function', z: 't1', x: 300, y: 100, func: 'return msg;', outputs: 1, wires: [['c']] },
    { id: 'c', type: 'debug', z: 't1', x: 500, y: 100, wires: [] },
    { id: 'cfg', type: 'mqtt-broker', broker: 'localhost' },
    { id: 'm', type: 'mqtt in', z: 't1', broker: 'cfg', x: 100, y: 200, wires: [[]] },
  ];
}

describe('edits', () => {
  test('addNode fills the schema defaults and one wire array per output', () => {
    const { doc, id } = addNode(sample(), { type: 'function', z: 't2', x: 40, y: 60, info: types['function'] });
    const node = doc.find((i) => i.id === id)!;
    assert.equal(node['func'], '\nreturn msg;');
    assert.deepEqual(node['wires'], [[]]);
    assert.equal(node['z'], 't2');
  });

  test('edits copy only what they change: untouched items stay the same objects', () => {
    const before = sample();
    const after = moveNodes(before, new Map([['a', { x: 120, y: 100 }]]));
    assert.notEqual(after.find((i) => i.id === 'a'), before.find((i) => i.id === 'a'));
    assert.equal(after.find((i) => i.id === 'b'), before.find((i) => i.id === 'b'));
    assert.equal(moveNodes(before, new Map([['a', { x: 100, y: 100 }]])), before, 'a no-op move returns the same document');
  });

  test('connect adds a wire once, disconnect removes it, self-wires are refused', () => {
    let doc = connect(sample(), { source: 'a', port: 0, target: 'c' });
    assert.deepEqual(doc.find((i) => i.id === 'a')!['wires'], [['b', 'c']]);
    assert.equal(connect(doc, { source: 'a', port: 0, target: 'c' }), doc);
    assert.equal(connect(doc, { source: 'a', port: 0, target: 'a' }), doc);
    doc = disconnect(doc, { source: 'a', port: 0, target: 'b' });
    assert.deepEqual(doc.find((i) => i.id === 'a')!['wires'], [['c']]);
  });

  test('deleting a node removes wires into it; deleting a tab removes its nodes', () => {
    const doc = deleteItems(sample(), ['b']);
    assert.equal(doc.find((i) => i.id === 'b'), undefined);
    assert.deepEqual(doc.find((i) => i.id === 'a')!['wires'], [[]]);
    const noTab = deleteItems(sample(), ['t1']);
    assert.deepEqual(noTab.map((i) => i.id), ['t2', 'cfg']);
  });

  test('setOutputCount drops the wires of removed ports', () => {
    let doc = updateNode(sample(), 'b', { wires: [['c'], ['a']] });
    doc = setOutputCount(doc, 'b', 1);
    assert.deepEqual(doc.find((i) => i.id === 'b')!['wires'], [['c']]);
  });

  test('tabs are added after the last tab and reorder among tabs', () => {
    const { doc, id } = addTab(sample(), 'Three', 't3');
    assert.deepEqual(doc.filter((i) => i.type === 'tab').map((i) => i.id), ['t1', 't2', id]);
    const reordered = reorderTab(doc, 't3', 0);
    assert.deepEqual(reordered.filter((i) => i.type === 'tab').map((i) => i.id), ['t3', 't1', 't2']);
    assert.equal(reordered.length, doc.length);
  });

  test('groups wrap their members; deleting the group keeps the members ungrouped', () => {
    const { doc, id } = groupNodes(sample(), ['a', 'b'], 'pair', 'g1');
    const group = doc.find((i) => i.id === id)!;
    assert.deepEqual(group['nodes'], ['a', 'b']);
    assert.equal(doc.find((i) => i.id === 'a')!['g'], 'g1');
    assert.ok(Number(group['w']) > 200);
    const ungrouped = deleteItems(doc, ['g1']);
    assert.equal(ungrouped.find((i) => i.id === 'a')!['g'], undefined);
    assert.ok(ungrouped.find((i) => i.id === 'b'));
  });

  test('snap rounds to the 20 px grid', () => {
    assert.equal(snap(29), 20);
    assert.equal(snap(31), 40);
  });
});

describe('clipboard', () => {
  test('paste gives new ids and keeps only the wires between pasted nodes, on another tab', () => {
    const clip = copyItems(sample(), ['a', 'b']);
    const { doc, ids } = pasteItems(sample(), clip, 't2', { x: 200, y: 300 }, seqId);
    assert.equal(ids.length, 2);
    const [na, nb] = ids.map((id) => doc.find((i) => i.id === id)!);
    assert.equal(na!['z'], 't2');
    assert.deepEqual(na!['wires'], [[nb!.id]], 'the internal wire follows the new id');
    assert.deepEqual(nb!['wires'], [[]], 'the wire to the uncopied debug node is dropped');
    assert.deepEqual([na!['x'], na!['y']], [200, 300]);
    assert.equal(doc.length, sample().length + 2);
  });

  test('pasting twice makes two independent copies', () => {
    const clip = copyItems(sample(), ['a']);
    const once = pasteItems(sample(), clip, 't1', undefined, seqId);
    const twice = pasteItems(once.doc, clip, 't1', undefined, seqId);
    assert.notEqual(once.ids[0], twice.ids[0]);
    assert.equal(new Set(twice.doc.map((i) => i.id)).size, twice.doc.length);
  });

  test('a copied group brings its members', () => {
    const grouped = groupNodes(sample(), ['a', 'b'], '', 'g1').doc;
    const clip = copyItems(grouped, ['g1']);
    assert.deepEqual(clip.map((i) => i.id).sort(), ['a', 'b', 'g1']);
    const { doc, ids } = pasteItems(grouped, clip, 't2', undefined, seqId);
    const group = doc.find((i) => ids.includes(i.id) && i.type === 'group')!;
    const members = group['nodes'] as string[];
    assert.equal(members.length, 2);
    for (const member of members) assert.equal(doc.find((i) => i.id === member)!['g'], group.id);
  });
});

describe('import and export', () => {
  const nodeRedExport: FlowItem[] = [
    { id: 'f1', type: 'tab', label: 'Imported' },
    { id: 'i1', type: 'inject', z: 'f1', name: 'go', x: 100, y: 80, wires: [['d1']] },
    { id: 'd1', type: 'debug', z: 'f1', x: 300, y: 80, wires: [] },
  ];

  test('a Node-RED export imports as a new tab', () => {
    const result = importFlows(sample(), JSON.stringify(nodeRedExport), 't1', lookup, seqId);
    assert.ok(result.ok);
    assert.deepEqual(result.ids, ['f1', 'i1', 'd1']);
    assert.equal(result.doc.find((i) => i.id === 'i1')!['z'], 'f1');
  });

  test('ids already taken are renamed and references follow', () => {
    const clash: FlowItem[] = [
      { id: 'a', type: 'inject', z: 'elsewhere', x: 1, y: 2, wires: [['c']] },
      { id: 'c', type: 'debug', z: 'elsewhere', x: 3, y: 4, wires: [] },
    ];
    const result = importFlows(sample(), JSON.stringify(clash), 't2', lookup, seqId);
    assert.ok(result.ok);
    const [newA, newC] = result.ids;
    assert.notEqual(newA, 'a');
    const a = result.doc.find((i) => i.id === newA)!;
    assert.deepEqual(a['wires'], [[newC]]);
    assert.equal(a['z'], 't2', 'nodes without their tab land on the current tab');
  });

  test('invalid imports list the problem per node', () => {
    const bad = [
      { id: 'x1', type: 'inject', z: 'f', name: 'broken', x: 1, y: 1, wires: [['nowhere']] },
      { id: 'x2', type: 'no-such-type', z: 'f', x: 1, y: 1 },
      { id: 'f', type: 'tab' },
    ];
    const result = importFlows(sample(), JSON.stringify(bad), 't1', lookup, seqId);
    assert.equal(result.ok, false);
    if (result.ok) return;
    const byNode = new Map(result.problems.map((p) => [p.nodeId, p]));
    assert.match(byNode.get('x1')!.what, /inject "broken"/);
    assert.equal(byNode.get('x1')!.field, 'wires[0][0]');
    assert.ok(byNode.get('x2'), 'the unknown type is reported on its node');
    assert.equal(importFlows(sample(), '{nope', 't1').ok, false);
    assert.equal(importFlows(sample(), '[1]', 't1').ok, false);
  });

  test('export of a selection takes referenced config nodes and drops outside wires', () => {
    const exported = JSON.parse(exportFlows(sample(), ['a', 'm'])) as FlowItem[];
    assert.deepEqual(exported.map((i) => i.id).sort(), ['a', 'cfg', 'm']);
    assert.deepEqual(exported.find((i) => i.id === 'a')!['wires'], [[]]);
    assert.equal((JSON.parse(exportFlows(sample())) as FlowItem[]).length, sample().length);
  });

  test('export then import round-trips into an empty document', () => {
    const result = importFlows([], exportFlows(sample()), 'unused', lookup);
    assert.ok(result.ok);
    assert.deepEqual(result.doc, sample());
  });
});
