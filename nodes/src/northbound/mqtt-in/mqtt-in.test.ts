import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import { TestBroker } from '../mqtt-shared/test-broker.js';
import { brokerNode, rawClient, startMqttFlow, waitForStatus } from '../mqtt-shared/test-kit.js';

const broker = new TestBroker();
let publisher: MqttClient;

before(async () => {
  await broker.start();
  publisher = await rawClient(broker.url);
});
after(async () => {
  await publisher.endAsync();
  await broker.stop();
});

/** A flow with one mqtt in (id `in`) wired to sink `h`, started and subscribed. */
async function subscribedFlow(inConfig: Record<string, unknown>, brokerExtra: Record<string, unknown> = {}) {
  const subscribed = new Promise<void>((resolve) => broker.broker.once('subscribe', () => resolve()));
  const flow = await startMqttFlow([
    brokerNode(broker.port, brokerExtra),
    { id: 'in', type: 'mqtt in', z: 't1', topic: 'plant/#', qos: '2', datatype: 'auto-detect', broker: 'b1', wires: [['h']], ...inConfig },
    { id: 'h', type: 'helper', z: 't1', wires: [] },
    { id: 'c', type: 'catch', z: 't1', wires: [] },
  ]);
  await subscribed;
  return flow;
}

describe('mqtt in: payload types (datatype)', () => {
  const cases: Array<[string, string | Buffer, unknown]> = [
    ['auto-detect', '{"t":21.5}', { t: 21.5 }],
    ['auto-detect', 'plain text', 'plain text'],
    ['auto', '{"t":21.5}', '{"t":21.5}'],
    ['utf8', '42', '42'],
    ['buffer', 'ab', Buffer.from('ab')],
    ['base64', 'ab', Buffer.from('ab').toString('base64')],
    ['json', '[1,2]', [1, 2]],
    ['auto-detect', Buffer.from([0xff, 0xfe, 0x00]), Buffer.from([0xff, 0xfe, 0x00])],
  ];
  for (const [datatype, sent, expected] of cases) {
    test(`${datatype}: ${JSON.stringify(sent)}`, async () => {
      const flow = await subscribedFlow({ datatype });
      try {
        await publisher.publishAsync('plant/line1/temp', sent, { qos: 1 });
        const [msg] = await flow.waitForMessages('h', 1, 3000);
        assert.deepEqual(msg!.payload, expected);
        assert.equal(msg!.topic, 'plant/line1/temp');
        assert.equal(msg!.qos, 1);
        assert.equal(msg!.retain, false);
      } finally {
        await flow.stop();
      }
    });
  }

  test('json: malformed JSON is reported as an error with the raw payload, and the next message still flows', async () => {
    const flow = await subscribedFlow({ datatype: 'json' });
    try {
      await publisher.publishAsync('plant/a', '{"broken":', { qos: 1 });
      await publisher.publishAsync('plant/b', '{"ok":true}', { qos: 1 });
      const [msg] = await flow.waitForMessages('h', 1, 3000);
      assert.deepEqual(msg!.payload, { ok: true });
      assert.equal(flow.messagesAt('h').length, 1, 'the malformed message is not sent on');
      assert.equal(flow.errors.length, 1);
      assert.match(flow.errors[0]!.message, /mqtt in in: message on "plant\/a": Payload is not valid JSON/);
      const caught = await flow.waitForMessages('c', 1, 3000);
      assert.deepEqual(caught[0]!.payload, Buffer.from('{"broken":'));
    } finally {
      await flow.stop();
    }
  });
});

describe('mqtt in: subscription', () => {
  test('QoS 2 and retained messages arrive with their flags; a wildcard filter selects topics', async () => {
    await publisher.publishAsync('plant/retained', 'kept', { qos: 1, retain: true });
    const flow = await subscribedFlow({ topic: 'plant/+' });
    try {
      await publisher.publishAsync('other/x', 'not mine', { qos: 0 });
      await publisher.publishAsync('plant/q2', 'exactly once', { qos: 2 });
      const msgs = await flow.waitForMessages('h', 2, 3000);
      assert.deepEqual(msgs.map((m) => [m.topic, m.payload, m.retain, m.qos]), [
        ['plant/retained', 'kept', true, 1],
        ['plant/q2', 'exactly once', false, 2],
      ]);
    } finally {
      await flow.stop();
      await publisher.publishAsync('plant/retained', '', { qos: 1, retain: true }); // clear it
    }
  });

  test('broker outage: status goes disconnected, then connected again, and the subscription is renewed', async () => {
    const flow = await subscribedFlow({});
    try {
      await waitForStatus(flow, 'in', 'connected');
      await publisher.endAsync();
      await broker.stop();
      await waitForStatus(flow, 'in', 'disconnected');
      const resubscribed = broker.start().then(() => new Promise<void>((resolve) => broker.broker.once('subscribe', () => resolve())));
      await resubscribed;
      await waitForStatus(flow, 'in', 'connected');
      publisher = await rawClient(broker.url);
      await publisher.publishAsync('plant/after', 'back', { qos: 1 });
      const [msg] = await flow.waitForMessages('h', 1, 3000);
      assert.equal(msg!.payload, 'back');
      assert.deepEqual(flow.statuses('in').at(-1), { fill: 'green', shape: 'dot', text: 'connected' });
    } finally {
      await flow.stop();
    }
  });
});

describe('mqtt in: configuration errors', () => {
  test('an invalid topic filter or a missing broker fails the deploy with a message naming node and property', async () => {
    await assert.rejects(
      startMqttFlow([brokerNode(broker.port), { id: 'in', type: 'mqtt in', z: 't1', topic: 'a/#/b', broker: 'b1', wires: [] }]),
      /mqtt in in: the topic "a\/#\/b" is not a valid MQTT topic filter/,
    );
    await assert.rejects(startMqttFlow([{ id: 'in', type: 'mqtt in', z: 't1', topic: 'a', broker: 'nope', wires: [] }]), /mqtt in in: the broker config node "nope" is missing/);
  });
});
