import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { outputId, withNode } from '../../shared/node-test-kit.js';
import { modbusClientNode } from '../modbus-client/index.js';
import { TestModbusDevice } from '../modbus-client/modbus-test-device.js';
import { catchNode } from '../../common/catch/index.js';
import { modbusReadNode } from './index.js';

describe('modbus-read', () => {
  const device = new TestModbusDevice(1);
  before(() => device.start());
  after(() => device.stop());

  const client = (c: Record<string, unknown> = {}): Record<string, unknown> => ({ id: 'mc', type: 'modbus-client', host: '127.0.0.1', port: String(device.port), unitId: '1', timeout: '300', ...c });
  const run = (config: Record<string, unknown>, body: Parameters<typeof withNode>[2], clientConfig: Record<string, unknown> = {}): Promise<unknown> =>
    withNode(modbusReadNode, { server: 'mc', interval: '', ...config }, body, { extraNodes: [client(clientConfig)], extraTypes: [modbusClientNode] });

  test('polls holding registers as float32 (word-swapped) and sends the value with the raw registers', async () => {
    device.holding.splice(10, 2, 0x0000, 0x3fc0);
    await run({ area: 'holding', address: '10', dataType: 'float32', wordOrder: 'LE', interval: '20' }, async (flow) => {
      const [msg] = await flow.waitForMessages(outputId(0), 1);
      assert.equal(msg!.payload, 1.5);
      assert.deepEqual(msg!.modbus, { area: 'holding', address: 10, quantity: 1, dataType: 'float32', raw: [0, 0x3fc0] });
      device.holding.splice(10, 2, 0x0000, 0x4000);
      await flow.waitUntil(() => flow.messagesAt(outputId(0)).some((m) => m.payload === 2));
      assert.equal(flow.statuses('n')[0]?.fill, 'green');
    });
  });

  test('a message triggers a read: input registers, int16 with scaling, several values', async () => {
    device.input.splice(0, 3, 650, 0xfffe, 400);
    await run({ area: 'input', address: '0', quantity: '3', dataType: 'int16', scale: '0.1', offset: '-40' }, async (flow) => {
      flow.receive('n', { payload: 'go', topic: 'tank' });
      const [msg] = await flow.waitForMessages(outputId(0), 1);
      assert.deepEqual((msg!.payload as number[]).map((v) => Math.round(v * 10) / 10), [25, -40.2, 0]);
      assert.equal(msg!.topic, 'tank');
    });
  });

  test('coils and discrete inputs read as booleans', async () => {
    device.coils.splice(3, 3, true, false, true);
    device.discrete[7] = true;
    await run({ area: 'coil', address: '3', quantity: '3' }, async (flow) => {
      flow.receive('n', {});
      assert.deepEqual((await flow.waitForMessages(outputId(0), 1))[0]!.payload, [true, false, true]);
    });
    await run({ area: 'discrete', address: '7' }, async (flow) => {
      flow.receive('n', {});
      assert.equal((await flow.waitForMessages(outputId(0), 1))[0]!.payload, true);
    });
  });

  test('no answer within the timeout is an error to catch nodes, naming the device', async () => {
    // The device answers unit 1 only: unit 9 gets no answer at all.
    const extra = [{ id: 'c', type: 'catch', z: 't1', scope: null, wires: [['caught']] }, { id: 'caught', type: 'helper', z: 't1', wires: [] }];
    await withNode(modbusReadNode, { server: 'mc', area: 'holding', address: '0', interval: '' }, async (flow) => {
      flow.receive('n', { payload: 1 });
      await flow.waitUntil(() => flow.errors.length > 0, 3000);
      assert.match(flow.errors[0]!.message, new RegExp(`modbus-read n: read of holding 0\\.\\.0 from 127\\.0\\.0\\.1:${device.port} unit 9 failed: no answer within 300 ms`));
      const [caught] = await flow.waitForMessages('caught', 1);
      assert.equal(caught!.payload, 1);
      assert.equal(flow.messagesAt(outputId(0)).length, 0);
    }, { extraNodes: [client({ unitId: '9' }), ...extra], extraTypes: [modbusClientNode, catchNode] });
  });

  test('a device that goes away is reported once and read again when it comes back', async () => {
    const flaky = new TestModbusDevice(1);
    const port = await flaky.start();
    flaky.holding[0] = 7;
    try {
      await withNode(modbusReadNode, { server: 'mc', area: 'holding', address: '0', interval: '20' }, async (flow) => {
        await flow.waitForMessages(outputId(0), 1);
        await flaky.stop();
        await flow.waitUntil(() => flow.errors.length > 0, 3000);
        assert.match(flow.errors[0]!.message, new RegExp(`read of holding 0\\.\\.0 from 127\\.0\\.0\\.1:${port} unit 1 failed`));
        await flow.waitUntil(() => flow.statuses('n').at(-1)?.fill === 'red');
        flaky.holding[0] = 8;
        await flaky.start(port);
        await flow.waitUntil(() => flow.messagesAt(outputId(0)).some((m) => m.payload === 8), 3000);
        assert.equal(flow.statuses('n').at(-1)?.fill, 'green');
        // Repeated failures while it was away were reported once, not every poll.
        assert.equal(new Set(flow.errors.map((e) => e.message)).size, flow.errors.length);
      }, { extraNodes: [client({ port: String(port) })], extraTypes: [modbusClientNode] });
    } finally {
      await flaky.stop();
    }
  });

  test('a missing config node stops the deploy with a clear reason', async () => {
    await assert.rejects(
      withNode(modbusReadNode, { server: 'nope', area: 'holding' }, async () => undefined),
      /modbus-read n: "server" must name a modbus-client config node; "nope" is not deployed/,
    );
  });
});
