import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startTestFlow, type TestFlow } from '@loopedge/runtime';
import type { FlowDocument } from '@loopedge/flows';
import { opcuaNodes } from '../../registry/opcua-nodes.js';
import { PLC_NODES, startTestPlc, tempDir, waitUntil, type TestPlc } from '../opcua-shared/test-plc.js';

describe('opcua-write', () => {
  const dir = tempDir('loopedge-opcua-write-');
  const settings = { opcuaPkiDir: join(dir.path, 'client') };
  let plc: TestPlc;
  let f: TestFlow;
  before(async () => {
    plc = await startTestPlc({ pkiDir: dir.path });
    const doc = [
      { id: 't1', type: 'tab', label: 'PLC' },
      { id: 'ep', type: 'opcua-endpoint', endpointUrl: plc.endpointUrl, trustedServerCertificates: [plc.thumbprints.sha256] },
      { id: 'auto', type: 'opcua-write', z: 't1', endpoint: 'ep', nodeId: PLC_NODES.setpoint, wires: [['h1']] },
      { id: 'typed', type: 'opcua-write', z: 't1', endpoint: 'ep', dataType: 'Double', wires: [['h1']] },
      { id: 'h1', type: 'helper', z: 't1', wires: [] },
    ] as FlowDocument;
    f = await startTestFlow(doc, { nodeTypes: opcuaNodes, settings });
    await waitUntil(() => f.statuses('auto').some((s) => s.text === 'connected'), 15_000, 'connected');
  });
  after(async () => {
    await f.stop();
    await plc.stop();
    dir.remove();
  });

  test("writes msg.payload as the variable's own type (read from the server)", async () => {
    f.receive('auto', { payload: '42.5' });
    const [msg] = await f.waitForMessages('h1', 1, 5000);
    assert.equal(msg?.statusCode, 'Good');
    assert.equal(plc.setpoint(), 42.5);
  });

  test('writes to msg.topic with the configured data type', async () => {
    f.receive('typed', { topic: PLC_NODES.setpoint, payload: -7 });
    await f.waitForMessages('h1', 2, 5000);
    assert.equal(plc.setpoint(), -7);
  });

  test('a payload that does not fit the type, or a refused write, goes to catch nodes', async () => {
    f.receive('auto', { payload: 'abc' });
    f.receive('typed', { topic: 'ns=1;s=Missing', payload: 1 });
    await waitUntil(() => f.errors.length >= 2, 5000, 'two errors');
    const messages = f.errors.map((e) => e.message).join('\n');
    assert.match(messages, /opcua-write auto: ns=1;s=Setpoint: cannot write "abc" as Double \(not a number\)/);
    assert.match(messages, /opcua-write typed: writing ns=1;s=Missing .* was refused: BadNodeIdUnknown/);
    assert.equal(plc.setpoint(), -7, 'the setpoint is unchanged');
  });
});
