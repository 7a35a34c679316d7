import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  canRedo, canUndo, connect, mergeFlows, moveNodes, pendingChanges, record, redo, searchNodes, startHistory, tabView, undo, updateNode,
  type EditorDocument, type NodeTypeInfo,
} from './index.js';

const doc0: EditorDocument = [
  { id: 't1', type: 'tab', label: 'One' },
  { id: 'a', type: 'inject', z: 't1', name: 'tick', x: 100, y: 100, wires: [['b']] },
  { id: 'b', type: 'function', z: 't1', x: 300, y: 100, func: 'msg.payload = "needle"; return msg;', outputs: 2, wires: [[], []] },
  { id: 'lo', type: 'link out', z: 't1', x: 100, y: 300, links: ['li'], wires: [] },
  { id: 'li', type: 'link in', z: 't1', x: 300, y: 300, links: ['lo'], wires: [[]] },
];

describe('history', () => {
  test('60 moves undo one by one back to the start and redo forward again', () => {
    let history = startHistory(doc0);
    for (let step = 1; step <= 60; step++) history = record(history, moveNodes(history.present, new Map([['a', { x: 100 + step * 20, y: 100 }]])), 'move');
    assert.equal(history.past.length, 60);
    for (let step = 59; step >= 0; step--) {
      history = undo(history);
      assert.equal(history.present.find((i) => i.id === 'a')!['x'], 100 + step * 20);
    }
    assert.equal(history.present, doc0);
    assert.equal(canUndo(history), false);
    history = redo(redo(history));
    assert.equal(history.present.find((i) => i.id === 'a')!['x'], 140);
  });

  test('a new edit after undo drops the redo branch; a no-op edit records nothing', () => {
    let history = record(startHistory(doc0), connect(doc0, { source: 'a', port: 0, target: 'li' }), 'wire');
    history = undo(history);
    assert.ok(canRedo(history));
    history = record(history, updateNode(history.present, 'a', { name: 'other' }), 'edit');
    assert.equal(canRedo(history), false);
    assert.equal(record(history, history.present, 'nothing'), history);
  });
});

describe('pending changes', () => {
  test('added, changed, moved and removed items are told apart, with their tabs', () => {
    let doc = moveNodes(doc0, new Map([['a', { x: 500, y: 100 }]]));
    doc = updateNode(doc, 'b', { func: 'return null;' });
    doc = [...doc.filter((i) => i.id !== 'li'), { id: 'n', type: 'debug', z: 't1', x: 1, y: 1 }];
    const changes = pendingChanges(doc, doc0);
    assert.equal(changes.byId.get('a'), 'moved');
    assert.equal(changes.byId.get('b'), 'changed');
    assert.equal(changes.byId.get('n'), 'added');
    assert.deepEqual(changes.removed, ['li']);
    assert.deepEqual([...changes.tabs], ['t1']);
    assert.equal(pendingChanges(doc0, doc0).byId.size, 0);
  });
});

describe('merge after a stale revision', () => {
  test('server edits to untouched nodes are taken, local edits kept, both-changed reported', () => {
    const local = updateNode(updateNode(doc0, 'a', { name: 'mine' }), 'b', { func: 'local' });
    const remote = updateNode(updateNode(doc0, 'b', { func: 'remote' }), 'lo', { name: 'server' });
    const merged = mergeFlows(doc0, [...local, { id: 'new', type: 'debug', z: 't1', x: 1, y: 1 }], remote);
    const byId = new Map(merged.doc.map((i) => [i.id, i]));
    assert.equal(byId.get('a')!['name'], 'mine');
    assert.equal(byId.get('lo')!['name'], 'server');
    assert.equal(byId.get('b')!['func'], 'local');
    assert.deepEqual(merged.conflicts, ['b']);
    assert.deepEqual(merged.fromServer, ['lo']);
    assert.ok(byId.has('new'));
  });
});

describe('search and canvas view', () => {
  const lookup = (type: string): NodeTypeInfo | undefined =>
    type === 'function' ? { type, category: 'function', inputs: 1, outputs: 1, dynamicOutputs: true, editor: { label: 'function', outputLabels: ['ok'] }, schema: {} } : undefined;

  test('search matches name, type and property values', () => {
    assert.deepEqual(searchNodes(doc0, 'TICK').map((h) => [h.id, h.field]), [['a', 'name']]);
    assert.deepEqual(searchNodes(doc0, 'link in').map((h) => h.id), ['li']);
    assert.deepEqual(searchNodes(doc0, 'needle').map((h) => [h.id, h.field]), [['b', 'func']]);
    assert.deepEqual(searchNodes(doc0, '  '), []);
  });

  test('the tab view has a node per item, an edge per wire and virtual link wires', () => {
    const view = tabView(doc0, 't1', lookup);
    assert.equal(view.nodes.length, 4);
    assert.deepEqual(view.edges.map((e) => e.id), ['a:0:b']);
    assert.deepEqual(view.linkEdges.map((e) => [e.source, e.target]), [['lo', 'li']]);
    const fn = view.nodes.find((n) => n.id === 'b')!;
    assert.equal(fn.data.outputs, 2, 'a function with outputs: 2 has two ports');
    assert.deepEqual(fn.data.outputLabels, ['ok', '']);
    assert.equal(fn.position.x + fn.width / 2, 300, 'x/y is the node centre, as in Node-RED');
    const xss = tabView(updateNode(doc0, 'a', { name: '<img src=x onerror=alert(1)>' }), 't1', lookup);
    assert.equal(xss.nodes.find((n) => n.id === 'a')!.data.label, '<img src=x onerror=alert(1)>');
  });
});
