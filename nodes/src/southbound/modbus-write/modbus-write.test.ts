import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { outputId, withNode } from '../../shared/node-test-kit.js';
import { modbusClientNode } from '../modbus-client/index.js';
import { TestModbusDevice } from '../modbus-client/modbus-test-device.js';
import { modbusWriteNode } from './index.js';

describe('modbus-write', () => {
  const device = new TestModbusDevice(1);
  before(() => device.start());
  after(() => device.stop());

  const run = (config: Record<string, unknown>, body: Parameters<typeof withNode>[2]): Promise<unknown> =>
    withNode(modbusWriteNode, { server: 'mc', ...config }, body, {
      extraNodes: [{ id: 'mc', type: 'modbus-client', host: '127.0.0.1', port: String(device.port), unitId: '1', timeout: '300' }],
      extraTypes: [modbusClientNode],
    });

  test('writes float64 values (several registers) and passes the message on', async () => {
    await run({ area: 'holding', address: '20', dataType: 'float64' }, async (flow) => {
      flow.receive('n', { payload: [1.5, '-2'] });
      const [msg] = await flow.waitForMessages(outputId(0), 1);
      assert.deepEqual(msg!.payload, [1.5, '-2']);
      assert.deepEqual(device.holding.slice(20, 28), [0x3ff8, 0, 0, 0, 0xc000, 0, 0, 0]);
    });
  });

  test('writes one scaled uint16 with byte swap', async () => {
    await run({ area: 'holding', address: '5', dataType: 'uint16', byteOrder: 'LE', scale: '0.5' }, async (flow) => {
      flow.receive('n', { payload: 0x1234 / 2 });
      await flow.waitForMessages(outputId(0), 1);
      assert.equal(device.holding[5], 0x3412);
    });
  });

  test('writes coils', async () => {
    await run({ area: 'coil', address: '40' }, async (flow) => {
      flow.receive('n', { payload: [true, 0, 1] });
      flow.receive('n', { payload: 'true' });
      await flow.waitForMessages(outputId(0), 2);
      assert.deepEqual(device.coils.slice(40, 43), [true, false, true]);
      assert.equal(device.coils[40], true);
    });
  });

  test('a payload that cannot be written is an error naming the node and what to send', async () => {
    await run({ area: 'holding', address: '0', dataType: 'int16' }, async (flow) => {
      flow.receive('n', { payload: 'hello' });
      flow.receive('n', { payload: 40000 });
      await flow.waitUntil(() => flow.errors.length >= 2);
      assert.match(flow.errors[0]!.message, /modbus-write n: msg\.payload must be a number or an array of numbers for registers, got "hello"/);
      assert.match(flow.errors[1]!.message, /modbus-write n: 40000 is out of range for int16/);
      assert.equal(flow.messagesAt(outputId(0)).length, 0);
    });
  });
});
