import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestFlow, fixtureNodesForTests } from '../../testing/structural-fixtures.js';

test('complete fires when the watched node finishes, not when it fails', async () => {
  const flow = await startTestFlow(
    [
      { id: 't1', type: 'tab' },
      { id: 'p', type: 'test-pass', z: 't1', wires: [[]] },
      { id: 'x', type: 'test-throw', z: 't1', wires: [[]] },
      { id: 'done', type: 'complete', z: 't1', scope: ['p', 'x'], wires: [['h']] },
      { id: 'h', type: 'helper', z: 't1' },
    ],
    { nodeTypes: fixtureNodesForTests },
  );
  try {
    flow.receive('x', { payload: 'fails' });
    flow.receive('p', { payload: 'ok' });
    const [msg] = await flow.waitForMessages('h', 1);
    assert.equal(msg!.payload, 'ok');
    assert.deepEqual(msg!.complete, { source: { id: 'p', type: 'test-pass', name: undefined } });
    await flow.settle(20);
    assert.equal(flow.messagesAt('h').length, 1);
  } finally {
    await flow.stop();
  }
});
