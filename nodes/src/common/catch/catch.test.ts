import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestFlow, fixtureNodesForTests } from '../../testing/structural-fixtures.js';

const tab = { id: 't1', type: 'tab' };

test('catch (all) gets a copy of the failing message with error details', async () => {
  const flow = await startTestFlow(
    [tab, { id: 'x', type: 'test-throw', z: 't1', name: 'boom', wires: [[]] }, { id: 'c', type: 'catch', z: 't1', scope: null, wires: [['h']] }, { id: 'h', type: 'helper', z: 't1' }],
    { nodeTypes: fixtureNodesForTests },
  );
  try {
    flow.receive('x', { payload: 'p', error: 'old' });
    const [msg] = await flow.waitForMessages('h', 1);
    assert.equal(msg!.payload, 'p');
    assert.equal(msg!._error, 'old');
    const error = msg!.error as { message: string; source: { id: string; type: string; name: string; count: number } };
    assert.equal(error.message, 'Error: thrown on purpose');
    assert.deepEqual(error.source, { id: 'x', type: 'test-throw', name: 'boom', count: 1 });
    assert.equal(flow.errors[0]!.handled, true);
  } finally {
    await flow.stop();
  }
});

test('a scoped catch ignores other nodes, and uncaught-only fires only when nothing else caught', async () => {
  const flow = await startTestFlow(
    [
      tab,
      { id: 'x', type: 'test-throw', z: 't1', wires: [[]] },
      { id: 'y', type: 'test-throw', z: 't1', wires: [[]] },
      { id: 'cx', type: 'catch', z: 't1', scope: ['x'], wires: [['hx']] },
      { id: 'cu', type: 'catch', z: 't1', scope: null, uncaught: true, wires: [['hu']] },
      { id: 'hx', type: 'helper', z: 't1' },
      { id: 'hu', type: 'helper', z: 't1' },
    ],
    { nodeTypes: fixtureNodesForTests },
  );
  try {
    flow.receive('x', { payload: 1 });
    flow.receive('y', { payload: 2 });
    await flow.waitForMessages('hu', 1);
    await flow.waitForMessages('hx', 1);
    await flow.settle(30);
    assert.deepEqual(flow.messagesAt('hx').map((m) => m.payload), [1]);
    assert.deepEqual(flow.messagesAt('hu').map((m) => m.payload), [2]);
  } finally {
    await flow.stop();
  }
});

test('an error loop through a catch node stops after 10 rounds with a warning', async () => {
  const flow = await startTestFlow(
    [tab, { id: 'x', type: 'test-throw', z: 't1', wires: [[]] }, { id: 'c', type: 'catch', z: 't1', scope: null, wires: [['x', 'h']] }, { id: 'h', type: 'helper', z: 't1' }],
    { nodeTypes: fixtureNodesForTests },
  );
  try {
    flow.receive('x', { payload: 1 });
    await flow.waitUntil(() => flow.warnings.length > 0);
    assert.match(flow.warnings[0]!.message, /maximum number of catches/);
    assert.equal(flow.messagesAt('h').length, 9);
  } finally {
    await flow.stop();
  }
});

test('an error inside a subflow with no catch there goes to the parent flow, reported by the instance', async () => {
  const flow = await startTestFlow(
    [
      tab,
      { id: 'sf', type: 'subflow', name: 'S', in: [{ wires: [{ id: 'x' }] }], out: [] },
      { id: 'x', type: 'test-throw', z: 'sf', wires: [[]] },
      { id: 'inst', type: 'subflow:sf', z: 't1', wires: [] },
      { id: 'c', type: 'catch', z: 't1', scope: ['inst'], wires: [['h']] },
      { id: 'h', type: 'helper', z: 't1' },
    ],
    { nodeTypes: fixtureNodesForTests },
  );
  try {
    flow.receive('inst', { payload: 1 });
    const [msg] = await flow.waitForMessages('h', 1);
    assert.equal((msg!.error as { source: { id: string } }).source.id, 'inst-x');
  } finally {
    await flow.stop();
  }
});
