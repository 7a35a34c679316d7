import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startTestFlow, type FlowMessage, type TestFlow } from '@loopedge/runtime';
import type { FlowDocument } from '@loopedge/flows';
import { opcuaNodes } from '../../registry/opcua-nodes.js';
import { PLC_NODES, startTestPlc, tempDir, waitUntil, type TestPlc } from '../opcua-shared/test-plc.js';

describe('opcua-read', () => {
  const dir = tempDir('loopedge-opcua-read-');
  const settings = { opcuaPkiDir: join(dir.path, 'client') };
  let plc: TestPlc;
  let f: TestFlow;
  before(async () => {
    plc = await startTestPlc({ pkiDir: dir.path });
    const doc = [
      { id: 't1', type: 'tab', label: 'PLC' },
      { id: 'ep', type: 'opcua-endpoint', endpointUrl: plc.endpointUrl, trustedServerCertificates: [plc.thumbprints.sha1.toUpperCase()] },
      { id: 'configured', type: 'opcua-read', z: 't1', endpoint: 'ep', nodeIds: [PLC_NODES.counter], wires: [['h1']] },
      { id: 'byTopic', type: 'opcua-read', z: 't1', endpoint: 'ep', wires: [['h2']] },
      { id: 'h1', type: 'helper', z: 't1', wires: [] },
      { id: 'h2', type: 'helper', z: 't1', wires: [] },
    ] as FlowDocument;
    f = await startTestFlow(doc, { nodeTypes: opcuaNodes, settings });
    await waitUntil(() => f.statuses('configured').some((s) => s.text === 'connected'), 15_000, 'connected');
  });
  after(async () => {
    await f.stop();
    await plc.stop();
    dir.remove();
  });

  test('reads the configured NodeId (trusted by its SHA-1 thumbprint, any case)', async () => {
    f.receive('configured', { payload: 'go' });
    const [msg] = await f.waitForMessages('h1', 1, 5000);
    assert.equal(msg?.topic, PLC_NODES.counter);
    assert.equal(typeof msg?.payload, 'number');
    assert.equal(msg?.statusCode, 'Good');
    assert.ok(msg?.sourceTimestamp instanceof Date);
  });

  test('reads msg.topic, one NodeId or several', async () => {
    f.receive('byTopic', { topic: PLC_NODES.sine });
    const [one] = await f.waitForMessages('h2', 1, 5000);
    assert.equal(typeof one?.payload, 'number');
    assert.ok(Math.abs(one?.payload as number) <= 1);
    // FlowMessage types topic as a string; at run time a message may carry anything there.
    f.receive('byTopic', { topic: [PLC_NODES.counter, 'ns=1;s=Missing'] } as unknown as Partial<FlowMessage>);
    const many = await f.waitForMessages('h2', 2, 5000);
    const samples = many[1]?.payload as Array<{ nodeId: string; value: unknown; statusCode: string }>;
    assert.equal(samples.length, 2);
    assert.equal(samples[0]?.statusCode, 'Good');
    assert.equal(samples[1]?.nodeId, 'ns=1;s=Missing');
    assert.equal(samples[1]?.statusCode, 'BadNodeIdUnknown');
  });

  test('an unknown single NodeId or a missing topic goes to catch nodes', async () => {
    f.receive('byTopic', { topic: 'ns=1;s=Missing' });
    f.receive('byTopic', { payload: 1 });
    await waitUntil(() => f.errors.length >= 2, 5000, 'two errors');
    const messages = f.errors.map((e) => e.message).join('\n');
    assert.match(messages, /opcua-read byTopic: reading ns=1;s=Missing .* failed: BadNodeIdUnknown/);
    assert.match(messages, /opcua-read byTopic: no NodeId to read/);
  });
});
