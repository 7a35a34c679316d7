import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowDocument, FlowItem } from '../types.js';
import { largeFlows, sampleFlows, withItem } from '../testing/sample-flows.js';
import { diffFlows, diffSummary, type FlowDiff } from './index.js';

const noChanges: FlowDiff = { added: [], removed: [], changed: [], rewired: [], moved: [], changedFlows: [] };

function change(id: string, update: (item: FlowItem) => FlowItem, doc: FlowDocument = sampleFlows()): FlowDocument {
  return withItem(doc, id, update);
}

describe('diffFlows: what changed on each node', () => {
  test('identical documents, even with members in another order, have no changes', () => {
    const reordered = sampleFlows().map((item) => Object.fromEntries(Object.entries(item).reverse()) as FlowItem);
    assert.deepEqual(diffFlows(sampleFlows(), reordered), noChanges);
    assert.equal(diffSummary(diffFlows(sampleFlows(), sampleFlows())), 'no changes');
  });

  test('added and removed nodes, and the flows they sit on', () => {
    const next = [...sampleFlows().filter((item) => item.id !== 'debug1'), { id: 'new1', type: 'debug', z: 'tab1', x: 1, y: 1, wires: [] }];
    const diff = diffFlows(sampleFlows(), next);
    assert.deepEqual(diff.added, ['new1']);
    assert.deepEqual(diff.removed, ['debug1']);
    assert.deepEqual(diff.changedFlows, ['tab1', 'tab2']);
  });

  test('a property change is "changed"; a wiring change alone is "rewired"; a position change alone is "moved"', () => {
    let next = change('debug1', (item) => ({ ...item, complete: 'payload' }));
    next = change('inject1', (item) => ({ ...item, wires: [['scale1', 'mqtt-out1']] }), next);
    next = change('link-in1', (item) => ({ ...item, x: 400, y: 300 }), next);
    next = change('grp1', (item) => ({ ...item, w: 500, h: 200 }), next);
    const diff = diffFlows(sampleFlows(), next);
    assert.deepEqual(diff.changed, ['debug1']);
    assert.deepEqual(diff.rewired, ['inject1']);
    assert.deepEqual(diff.moved, ['grp1', 'link-in1']);
    assert.deepEqual(diff.changedFlows, ['tab1', 'tab2'], 'moves alone touch no flow');
  });

  test('moving a node to another tab is a change of both tabs', () => {
    const diff = diffFlows(sampleFlows(), change('debug1', (item) => ({ ...item, z: 'tab1' })));
    assert.deepEqual(diff.changed, ['debug1']);
    assert.deepEqual(diff.changedFlows, ['tab1', 'tab2']);
  });
});

describe('diffFlows: changes spread to what depends on them', () => {
  test('a changed config node marks every node that references it', () => {
    const diff = diffFlows(sampleFlows(), change('broker1', (item) => ({ ...item, broker: 'plc.local' })));
    assert.deepEqual(diff.changed, ['broker1', 'mqtt-out1']);
    assert.deepEqual(diff.changedFlows, ['tab1']);
  });

  test('a config node that only moved (no config change) marks nothing', () => {
    const diff = diffFlows(sampleFlows(), change('broker1', (item) => ({ ...item, x: 5, y: 5 })));
    assert.deepEqual(diff.changed, []);
    assert.deepEqual(diff.moved, ['broker1']);
  });

  test('a removed config node marks the nodes still referring to it', () => {
    const diff = diffFlows(sampleFlows(), sampleFlows().filter((item) => item.id !== 'broker1'));
    assert.deepEqual(diff.removed, ['broker1']);
    assert.deepEqual(diff.changed, ['mqtt-out1']);
  });

  test('a change inside a subflow template marks its instances', () => {
    const diff = diffFlows(sampleFlows(), change('sf1-fn', (item) => ({ ...item, func: 'return null;' })));
    assert.deepEqual(diff.changed, ['sf1-fn', 'scale1']);
    assert.deepEqual(diff.changedFlows, ['tab1', 'sf1']);
  });

  test('a change to the template itself (its env) marks its instances', () => {
    const diff = diffFlows(sampleFlows(), change('sf1', (item) => ({ ...item, env: [{ name: 'FACTOR', type: 'num', value: '100' }] })));
    assert.deepEqual(diff.changed, ['sf1', 'scale1']);
    assert.deepEqual(diff.changedFlows, ['tab1', 'sf1']);
  });

  test('nested subflows: a change deep inside marks the outer instances too', () => {
    const doc: FlowDocument = [
      { id: 't', type: 'tab' },
      { id: 'inner', type: 'subflow', in: [], out: [] },
      { id: 'outer', type: 'subflow', in: [], out: [] },
      { id: 'fn', type: 'function', z: 'inner', func: 'return msg;', x: 1, y: 1, wires: [] },
      { id: 'use-inner', type: 'subflow:inner', z: 'outer', x: 1, y: 1, wires: [] },
      { id: 'use-outer', type: 'subflow:outer', z: 't', x: 1, y: 1, wires: [] },
    ];
    const diff = diffFlows(doc, change('fn', (item) => ({ ...item, func: 'return null;' }), doc));
    assert.deepEqual(diff.changed, ['fn', 'use-inner', 'use-outer']);
    assert.deepEqual(diff.changedFlows, ['t', 'inner', 'outer']);
  });

  test('a disabled tab marks every node on it, and link nodes elsewhere that point at them', () => {
    const diff = diffFlows(sampleFlows(), change('tab2', (item) => ({ ...item, disabled: true })));
    assert.deepEqual(diff.changed, ['tab2', 'link-out1', 'link-in1', 'debug1']);
    assert.deepEqual(diff.changedFlows, ['tab1', 'tab2']);
  });

  test('a group whose env changed marks its members; a restyled group does not', () => {
    const restyled = diffFlows(sampleFlows(), change('grp1', (item) => ({ ...item, style: { label: false } })));
    assert.deepEqual(restyled.changed, ['grp1']);
    const newEnv = diffFlows(sampleFlows(), change('grp1', (item) => ({ ...item, env: [{ name: 'A', type: 'str', value: '1' }] })));
    assert.deepEqual(newEnv.changed, ['grp1', 'inject1', 'scale1']);
  });

  test('a rewired node inside a subflow still changes its instances', () => {
    const diff = diffFlows(sampleFlows(), change('sf1-fn', (item) => ({ ...item, wires: [['sf1-fn']] })));
    assert.deepEqual(diff.rewired, ['sf1-fn']);
    assert.deepEqual(diff.changed, ['scale1']);
  });
});

describe('diffSummary', () => {
  test('counts each kind and the flows touched', () => {
    const diff: FlowDiff = { added: ['a', 'b', 'c'], removed: [], changed: ['d'], rewired: [], moved: ['e', 'f'], changedFlows: ['t1', 't2'] };
    assert.equal(diffSummary(diff), '3 added, 1 changed, 2 moved in 2 flows');
    assert.equal(diffSummary({ ...noChanges, moved: ['x'] }), '1 moved');
  });
});

describe('diffFlows at scale', () => {
  test('one changed node in 10,000 is found, and the config node change reaches all its users', () => {
    const previous = largeFlows(10_000);
    const next = withItem(previous, 't42n7', (item) => ({ ...item, func: 'return null;' }));
    assert.deepEqual(diffFlows(previous, next).changed, ['t42n7']);
    const broker = diffFlows(previous, withItem(previous, 'cfg', (item) => ({ ...item, port: '8883' })));
    assert.equal(broker.changed.length, 10_001);
    assert.equal(broker.changedFlows.length, 100);
  });
});
