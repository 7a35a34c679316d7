import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestFlow } from '@loopedge/runtime';
import type { FlowDocument } from '@loopedge/flows';
import { modbusReadNode } from '../modbus-read/index.js';
import { modbusWriteNode } from '../modbus-write/index.js';
import { modbusClientNode } from './index.js';
import { TestRtuLine } from './modbus-rtu-test-line.js';

const nodeTypes = [modbusClientNode, modbusReadNode, modbusWriteNode];

describe('modbus-client clienttype "rtu" (serial line through a socat pty pair)', () => {
  const line = new TestRtuLine(3);
  before(() => line.start(19200));
  after(() => line.stop());

  const flowWith = (client: Record<string, unknown>): FlowDocument =>
    [
      { id: 't1', type: 'tab', label: 'RTU' },
      { id: 'rtu', type: 'modbus-client', ...client },
      { id: 'read', type: 'modbus-read', z: 't1', server: 'rtu', area: 'holding', address: '4', quantity: '1', dataType: 'int32', interval: '', wires: [['out']] },
      { id: 'coil', type: 'modbus-read', z: 't1', server: 'rtu', area: 'coil', address: '2', quantity: '2', interval: '', wires: [['out']] },
      { id: 'write', type: 'modbus-write', z: 't1', server: 'rtu', area: 'holding', address: '20', dataType: 'uint16', wires: [['out']] },
      { id: 'out', type: 'helper', z: 't1', wires: [] },
    ] as FlowDocument;
  const rtuClient = { clienttype: 'rtu', serialPort: line.clientPath, serialBaudrate: '19200', serialParity: 'none', serialDatabits: '8', serialStopbits: '1', unitId: '3', timeout: '1000' };

  test('reads registers and coils and writes a register over RTU', async () => {
    line.holding.splice(4, 2, 0x0001, 0x0002); // int32 big-endian words: 65538
    line.coils.splice(2, 2, true, false);
    const flow = await startTestFlow(flowWith(rtuClient), { nodeTypes });
    try {
      flow.receive('read', {});
      const [value] = await flow.waitForMessages('out', 1, 5000);
      assert.equal(value!.payload, 65538);
      flow.receive('coil', {});
      const [, coils] = await flow.waitForMessages('out', 2, 5000);
      assert.deepEqual(coils!.payload, [true, false]);
      flow.receive('write', { payload: 4242 });
      await flow.waitForMessages('out', 3, 5000);
      assert.equal(line.holding[20], 4242);
      assert.equal(flow.errors.length, 0, JSON.stringify(flow.errors));
    } finally {
      await flow.stop();
    }
  });

  test('a serial port that does not exist: the read fails with an error naming the port; bad line settings fail the deploy', async () => {
    const flow = await startTestFlow(flowWith({ ...rtuClient, serialPort: '/dev/loopedge-no-such-port' }), { nodeTypes });
    try {
      flow.receive('read', {});
      await flow.waitUntil(() => flow.errors.length > 0, 5000);
      assert.match(flow.errors[0]!.message, /cannot connect to \/dev\/loopedge-no-such-port \(RTU 19200 8N1\) unit 3/);
    } finally {
      await flow.stop();
    }
    await assert.rejects(startTestFlow(flowWith({ ...rtuClient, serialBaudrate: '12345' }), { nodeTypes }), /"serialBaudrate" must be one of/);
    await assert.rejects(startTestFlow(flowWith({ ...rtuClient, serialPort: '' }), { nodeTypes }), /"serialPort" is empty/);
  });
});
