import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestFlow, fixtureNodesForTests } from '../../testing/structural-fixtures.js';

const flowDoc = [
  { id: 't1', type: 'tab' },
  { id: 't2', type: 'tab' },
  { id: 'out', type: 'link out', z: 't1', mode: 'link', links: ['in'], wires: [] },
  { id: 'in', type: 'link in', z: 't2', name: 'double', links: ['out'], wires: [['dbl']] },
  { id: 'dbl', type: 'test-pass', z: 't2', wires: [['h2', 'ret']] },
  { id: 'ret', type: 'link out', z: 't2', mode: 'return', wires: [] },
  { id: 'h2', type: 'helper', z: 't2' },
  { id: 'call', type: 'link call', z: 't1', links: ['in'], linkType: 'static', timeout: '1', wires: [['h1']] },
  { id: 'dyn', type: 'link call', z: 't1', links: [], linkType: 'dynamic', timeout: '1', wires: [['h1']] },
  { id: 'lost', type: 'link call', z: 't1', links: ['nowhere'], linkType: 'static', timeout: '0.05', wires: [['h1']] },
  { id: 'c', type: 'catch', z: 't1', scope: null, wires: [['hc']] },
  { id: 'h1', type: 'helper', z: 't1' },
  { id: 'hc', type: 'helper', z: 't1' },
];

test('link out reaches a link in on another tab', async () => {
  const flow = await startTestFlow(flowDoc, { nodeTypes: fixtureNodesForTests });
  try {
    flow.receive('out', { payload: 1 });
    const [msg] = await flow.waitForMessages('h2', 1);
    assert.equal(msg!.payload, 1);
  } finally {
    await flow.stop();
  }
});

test('link call by id and by name returns the message through a return-mode link out', async () => {
  const flow = await startTestFlow(flowDoc, { nodeTypes: fixtureNodesForTests });
  try {
    flow.receive('call', { payload: 'static' });
    flow.receive('dyn', { payload: 'dynamic', target: 'double' });
    const got = await flow.waitForMessages('h1', 2);
    assert.deepEqual(got.map((m) => m.payload).sort(), ['dynamic', 'static']);
    assert.ok(got.every((m) => m._linkSource === undefined));
  } finally {
    await flow.stop();
  }
});

test('a link call to a missing target reports an error to the catch node', async () => {
  const flow = await startTestFlow(flowDoc, { nodeTypes: fixtureNodesForTests });
  try {
    flow.receive('lost', { payload: 'x' });
    const [msg] = await flow.waitForMessages('hc', 1);
    assert.match((msg!.error as { message: string }).message, /target link-in node 'nowhere' not found/);
  } finally {
    await flow.stop();
  }
});
