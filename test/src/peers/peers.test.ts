import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowDocument } from '@loopedge/flows';
import { shutdownNodeRed, startNodeRedFlow } from './node-red-peer.js';
import { MissingNodeTypesError, missingNodeTypes, startLoopEdgeFlow } from './loopedge-peer.js';
import type { StartFlowPeer } from './flow-peer.js';

after(() => shutdownNodeRed());

/** change (reads env, writes global context) -> inactive debug, as an engineer's export has it. */
const flow: FlowDocument = [
  { id: 't1', type: 'tab', label: 'Peer test' },
  {
    id: 'chg',
    type: 'change',
    z: 't1',
    rules: [
      { t: 'set', p: 'seen', pt: 'msg', to: 'counter', tot: 'global' },
      { t: 'set', p: 'counter', pt: 'global', to: 'payload', tot: 'msg' },
      { t: 'set', p: 'site', pt: 'msg', to: 'PEER_SITE', tot: 'env' },
    ],
    wires: [['out']],
  },
  { id: 'out', type: 'debug', z: 't1', active: false, wires: [] },
];

for (const [engine, start] of [
  ['Node-RED', startNodeRedFlow],
  ['LoopEdge', startLoopEdgeFlow],
] as Array<[string, StartFlowPeer]>) {
  describe(`${engine} peer`, () => {
    test('delivers messages, records copies, calls listeners, and sees the env it was given', async () => {
      const peer = await start(flow, { env: { PEER_SITE: 'north' } });
      try {
        const live: unknown[] = [];
        const remove = peer.onInput('out', (msg) => live.push(msg.payload));
        peer.receive('chg', { payload: 1 });
        const [first] = await peer.waitForMessages('out', 1, 2000);
        assert.equal(first?.site, 'north');
        assert.equal(first?.seen, undefined);
        assert.equal(typeof first?._msgid, 'string');
        remove();
        peer.receive('chg', { payload: 2 });
        const msgs = await peer.waitForMessages('out', 2, 2000);
        assert.deepEqual(msgs.map((m) => [m.payload, m.seen]), [[1, undefined], [2, 1]]);
        assert.deepEqual(live, [1], 'a removed listener is not called');
        msgs.length = 0;
        assert.equal(peer.messagesAt('out').length, 2, 'each call hands out its own array');
      } finally {
        await peer.stop();
      }
    });

    test('starts each flow with empty global context', async () => {
      for (const expectedSeen of [undefined, undefined]) {
        const peer = await start(flow);
        try {
          peer.receive('chg', { payload: 5 });
          const [msg] = await peer.waitForMessages('out', 1, 2000);
          assert.equal(msg?.seen, expectedSeen);
        } finally {
          await peer.stop();
        }
      }
    });

    test('waitForMessages rejects with what arrived; unrecorded nodes are refused', async () => {
      const peer = await start(flow, { record: ['out'] });
      try {
        await assert.rejects(peer.waitForMessages('out', 1, 30), /node out received 0 of 1 expected messages within 30 ms/);
        assert.throws(() => peer.messagesAt('chg'), /Messages at node chg are not recorded/);
        assert.throws(() => peer.receive('nope', {}), /nope/);
      } finally {
        await peer.stop();
      }
    });
  });
}

test('Node-RED peer restores process.env after the flow stops', async () => {
  delete process.env.PEER_SITE;
  const peer = await startNodeRedFlow(flow, { env: { PEER_SITE: 'temporary' } });
  assert.equal(process.env.PEER_SITE, 'temporary');
  await peer.stop();
  assert.equal(process.env.PEER_SITE, undefined);
});

test('Node-RED peer rejects a flow with an unknown node type, and the next flow still runs', async () => {
  await assert.rejects(startNodeRedFlow([{ id: 't', type: 'tab' }, { id: 'x', type: 'no-such-type', z: 't' }]), /missing-types: no-such-type/);
  const peer = await startNodeRedFlow(flow);
  peer.receive('chg', { payload: 1 });
  await peer.waitForMessages('out', 1, 2000);
  await peer.stop();
});

test('LoopEdge peer names every node type it lacks before starting anything', async () => {
  const doc: FlowDocument = [
    { id: 't', type: 'tab' },
    { id: 'sf', type: 'subflow', in: [], out: [] },
    { id: 'i', type: 'subflow:sf', z: 't' },
    { id: 'a', type: 'zeta-node', z: 't' },
    { id: 'b', type: 'alpha-node', z: 't' },
    { id: 'c', type: 'alpha-node', z: 't' },
  ];
  assert.deepEqual(missingNodeTypes(doc), ['alpha-node', 'zeta-node']);
  await assert.rejects(startLoopEdgeFlow(doc), (error: unknown) => error instanceof MissingNodeTypesError && error.types.join() === 'alpha-node,zeta-node');
});
