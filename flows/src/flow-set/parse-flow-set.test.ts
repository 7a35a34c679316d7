import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleFlows } from '../testing/sample-flows.js';
import { parseFlowSet } from './index.js';

describe('parseFlowSet', () => {
  test('sorts a Node-RED export into tabs, subflows, groups, config nodes and nodes per flow', () => {
    const set = parseFlowSet(sampleFlows());
    assert.deepEqual([...set.tabs.keys()], ['tab1', 'tab2']);
    assert.deepEqual([...set.subflows.keys()], ['sf1']);
    assert.deepEqual([...set.groups.keys()], ['grp1']);
    assert.deepEqual([...set.configNodes.keys()], ['broker1']);
    assert.deepEqual(
      Object.fromEntries([...set.nodesByFlow].map(([flow, nodes]) => [flow, nodes.map((n) => n.id)])),
      { tab1: ['inject1', 'scale1', 'mqtt-out1', 'link-out1'], tab2: ['link-in1', 'debug1'], sf1: ['sf1-fn'] },
    );
    assert.equal(set.allById.size, sampleFlows().length);
    assert.equal(set.allById.get('debug1')?.type, 'debug');
  });

  test('every tab and subflow has an entry, even an empty one', () => {
    const set = parseFlowSet([{ id: 'empty', type: 'tab' }, { id: 'sf', type: 'subflow', in: [], out: [] }]);
    assert.deepEqual([...set.nodesByFlow], [['empty', []], ['sf', []]]);
  });

  test('config nodes scoped to a tab are told apart only when the caller names config types', () => {
    const doc = [
      { id: 't', type: 'tab' },
      { id: 'scoped', type: 'mqtt-broker', z: 't' },
      { id: 'n', type: 'mqtt out', z: 't', broker: 'scoped', x: 1, y: 1, wires: [] },
    ];
    assert.deepEqual([...parseFlowSet(doc).configNodes.keys()], []);
    const set = parseFlowSet(doc, { isConfigType: (type) => type === 'mqtt-broker' });
    assert.deepEqual([...set.configNodes.keys()], ['scoped']);
    assert.deepEqual(set.nodesByFlow.get('t')?.map((n) => n.id), ['n']);
  });

  test('on a duplicate id the first item wins', () => {
    const set = parseFlowSet([{ id: 't', type: 'tab' }, { id: 'n', type: 'a', z: 't' }, { id: 'n', type: 'b', z: 't' }]);
    assert.equal(set.allById.get('n')?.type, 'a');
    assert.equal(set.nodesByFlow.get('t')?.length, 1);
  });
});
