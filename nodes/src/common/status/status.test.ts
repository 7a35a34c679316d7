import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestFlow, fixtureNodesForTests } from '../../testing/structural-fixtures.js';

test('status nodes receive status changes of nodes in scope', async () => {
  const flow = await startTestFlow(
    [
      { id: 't1', type: 'tab' },
      { id: 's', type: 'test-status', z: 't1', name: 'sensor', wires: [] },
      { id: 'other', type: 'test-status', z: 't1', wires: [] },
      { id: 'st', type: 'status', z: 't1', scope: ['s'], wires: [['h']] },
      { id: 'h', type: 'helper', z: 't1' },
    ],
    { nodeTypes: fixtureNodesForTests },
  );
  try {
    flow.receive('other', { payload: 'ignored' });
    flow.receive('s', { payload: 21.5 });
    const [msg] = await flow.waitForMessages('h', 1);
    assert.deepEqual(msg!.status, { fill: 'green', shape: 'dot', text: '21.5', source: { id: 's', type: 'test-status', name: 'sensor' } });
    await flow.settle(20);
    assert.equal(flow.messagesAt('h').length, 1);
    assert.equal(flow.statuses('other').length, 1, 'the event bus still saw the other status');
  } finally {
    await flow.stop();
  }
});
