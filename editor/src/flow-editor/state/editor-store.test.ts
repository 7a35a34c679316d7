import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, moveNodes } from '../model/index.js';
import { FlowEditorStore } from './editor-store.js';

const flows = [
  { id: 't1', type: 'tab', label: 'One' },
  { id: 't2', type: 'tab', label: 'Two' },
  { id: 'a', type: 'inject', z: 't1', x: 100, y: 100, wires: [['b']] },
  { id: 'b', type: 'debug', z: 't1', x: 300, y: 100, wires: [] },
];

test('edits mark changes against the deployed flows until marked deployed', () => {
  const store = new FlowEditorStore(flows, '1');
  assert.equal(store.getState().activeTab, 't1');
  store.edit((doc) => moveNodes(doc, new Map([['a', { x: 140, y: 100 }]])), 'move');
  assert.equal(store.getState().changes.byId.get('a'), 'moved');
  store.markDeployed('2');
  assert.equal(store.getState().changes.byId.size, 0);
  assert.equal(store.getState().rev, '2');
  store.undo();
  assert.equal(store.getState().changes.byId.get('a'), 'moved', 'undo after a deploy is a change again');
});

test('copy on one tab, paste on another: new ids, internal wire kept, pasted nodes selected', () => {
  const store = new FlowEditorStore(flows, '1');
  store.select(['a', 'b']);
  store.copy();
  store.setActiveTab('t2');
  store.paste();
  const pasted = store.doc.filter((i) => i['z'] === 't2');
  assert.equal(pasted.length, 2);
  assert.deepEqual([...store.getState().selection].sort(), pasted.map((p) => p.id).sort());
  const inject = pasted.find((p) => p.type === 'inject')!;
  const debug = pasted.find((p) => p.type === 'debug')!;
  assert.deepEqual(inject['wires'], [[debug.id]]);
});

test('cut removes the selection and delete removes selected wires; undo brings both back', () => {
  const store = new FlowEditorStore(flows, '1');
  store.select([], ['a:0:b']);
  store.deleteSelection();
  assert.deepEqual(store.doc.find((i) => i.id === 'a')!['wires'], [[]]);
  store.select(['b']);
  store.cut();
  assert.equal(store.doc.find((i) => i.id === 'b'), undefined);
  store.undo();
  store.undo();
  assert.deepEqual(store.doc.find((i) => i.id === 'a')!['wires'], [['b']]);
  assert.equal(store.getState().selection.size, 0);
});

test('a merge keeps the editor edits on top of the server flows, undoable', () => {
  const store = new FlowEditorStore(flows, '1');
  store.edit((doc) => connect(doc, { source: 'b', port: 0, target: 'a' }), 'wire');
  const remote = [...flows, { id: 'c', type: 'debug', z: 't2', x: 1, y: 1, wires: [] }];
  store.rebase(remote, '2', [...store.doc, remote[4]!]);
  assert.equal(store.getState().rev, '2');
  assert.deepEqual([...store.getState().changes.byId.keys()], ['b'], 'only the editor edit is pending against the server flows');
});

test('select all takes every item of the active tab', () => {
  const store = new FlowEditorStore(flows, '1');
  store.selectAll();
  assert.deepEqual([...store.getState().selection].sort(), ['a', 'b']);
});
