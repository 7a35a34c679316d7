import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startTestFlow } from '@loopedge/runtime';
import type { FlowDocument } from '@loopedge/flows';
import { opcuaNodes } from '../../registry/opcua-nodes.js';
import { PLC_NODES, startTestPlc, tempDir, waitUntil, type TestPlc } from '../opcua-shared/test-plc.js';

describe('opcua-in', () => {
  const dir = tempDir('loopedge-opcua-in-');
  const settings = { opcuaPkiDir: join(dir.path, 'client') };
  let plc: TestPlc;
  before(async () => {
    plc = await startTestPlc({ pkiDir: dir.path });
  });
  after(async () => {
    await plc.stop();
    dir.remove();
  });

  function flow(inNode: Record<string, unknown> = {}): FlowDocument {
    return [
      { id: 't1', type: 'tab', label: 'PLC' },
      { id: 'ep', type: 'opcua-endpoint', endpointUrl: plc.endpointUrl, trustedServerCertificates: [plc.thumbprints.sha256] },
      { id: 'in1', type: 'opcua-in', z: 't1', endpoint: 'ep', nodeIds: [PLC_NODES.counter], samplingInterval: '100', wires: [['h1']], ...inNode },
      { id: 'h1', type: 'helper', z: 't1', wires: [] },
    ] as FlowDocument;
  }

  test('sends one message per change with value, NodeId, timestamps and status', async () => {
    const f = await startTestFlow(flow(), { nodeTypes: opcuaNodes, settings });
    try {
      const msgs = await f.waitForMessages('h1', 3, 15_000);
      const [a, b] = msgs;
      assert.ok(a && b);
      assert.equal(a.topic, PLC_NODES.counter);
      assert.equal(typeof a.payload, 'number');
      assert.ok((b.payload as number) > (a.payload as number), 'the counter increases from one message to the next');
      assert.equal(a.statusCode, 'Good');
      assert.ok(a.sourceTimestamp instanceof Date && a.serverTimestamp instanceof Date);
      assert.ok(f.statuses('in1').some((s) => s.fill === 'green' && s.text === 'connected'));
      assert.deepEqual(f.errors, []);
    } finally {
      await f.stop();
    }
  });

  test('data resumes after the server restarts', async () => {
    const f = await startTestFlow(flow({ nodeIds: [PLC_NODES.counter, PLC_NODES.sine] }), { nodeTypes: opcuaNodes, settings });
    try {
      await f.waitForMessages('h1', 2, 15_000);
      const port = plc.port;
      await plc.stop();
      await waitUntil(() => f.statuses('in1').some((s) => s.fill === 'red'), 15_000, 'a disconnected status');
      const before = f.messagesAt('h1').length;
      plc = await startTestPlc({ pkiDir: dir.path, port });
      await f.waitForMessages('h1', before + 4, 20_000);
      const resumed = f.messagesAt('h1').slice(before);
      assert.ok(resumed.some((m) => m.topic === PLC_NODES.counter) && resumed.some((m) => m.topic === PLC_NODES.sine), 'both items are monitored again');
      assert.deepEqual(f.statuses('in1').at(-1), { fill: 'green', shape: 'dot', text: 'connected' });
    } finally {
      await f.stop();
    }
  });

  test('the watchdog recreates a subscription that falls silent', async () => {
    const f = await startTestFlow(flow(), { nodeTypes: opcuaNodes, settings });
    try {
      await f.waitForMessages('h1', 1, 15_000);
      assert.ok(plc.silenceSubscriptions() >= 1, 'the server has a subscription to silence');
      // 100 ms publishing × 10 keep-alives × 3: the watchdog fires after about 3 s.
      await waitUntil(() => f.warnings.some((w) => w.nodeId === 'in1' && /recreating the subscription/.test(w.message)), 15_000, 'the watchdog warning');
      const before = f.messagesAt('h1').length;
      await f.waitForMessages('h1', before + 2, 10_000);
      assert.deepEqual(f.errors, []);
    } finally {
      await f.stop();
    }
  });

  test('an unknown NodeId is reported with the node and NodeId', async () => {
    const f = await startTestFlow(flow({ nodeIds: ['ns=1;s=NoSuchTag'] }), { nodeTypes: opcuaNodes, settings });
    try {
      await waitUntil(() => f.errors.length > 0, 15_000, 'an error');
      assert.match(f.errors[0]?.message ?? '', /opcua-in in1: cannot monitor ns=1;s=NoSuchTag .*Bad/);
    } finally {
      await f.stop();
    }
  });

  test('a malformed NodeId or an empty list fails the deploy', async () => {
    await assert.rejects(startTestFlow(flow({ nodeIds: ['not a node id'] }), { nodeTypes: opcuaNodes, settings }), /in1.*nodeIds "not a node id" is not an OPC UA NodeId/s);
    await assert.rejects(startTestFlow(flow({ nodeIds: [] }), { nodeTypes: opcuaNodes, settings }), /in1.*nodeIds is empty/s);
  });
});
