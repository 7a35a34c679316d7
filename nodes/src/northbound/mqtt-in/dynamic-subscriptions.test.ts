import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import type { TestFlow } from '@loopedge/runtime';
import { TestBroker } from '../mqtt-shared/test-broker.js';
import { brokerNode, eventually, rawClient, startMqttFlow, waitForStatus } from '../mqtt-shared/test-kit.js';

const broker = new TestBroker();
const second = new TestBroker();
let publisher: MqttClient;

before(async () => {
  await broker.start();
  await second.start();
  publisher = await rawClient(broker.url);
});
after(async () => {
  await publisher.endAsync();
  await broker.stop();
  await second.stop();
});

function dynamicFlow(brokerExtra: Record<string, unknown> = {}): Promise<TestFlow> {
  return startMqttFlow([
    brokerNode(broker.port, brokerExtra),
    // Node-RED writes a dynamic mqtt in as inputs: 1 with an empty topic.
    { id: 'in', type: 'mqtt in', z: 't1', topic: '', qos: '2', datatype: 'utf8', broker: 'b1', inputs: 1, wires: [['h']] },
    { id: 'h', type: 'helper', z: 't1', wires: [] },
  ]);
}

/** Send an action and wait until the runtime has finished it (the list comes back on the output). */
async function act(flow: TestFlow, msg: Record<string, unknown>): Promise<unknown> {
  const before = flow.messagesAt('h').length;
  flow.receive('in', msg);
  flow.receive('in', { action: 'getSubscriptions' });
  await flow.waitUntil(() => flow.messagesAt('h').slice(before).some((m) => m.topic === 'subscriptions'), 3000, () => 'no subscription list');
  return flow.messagesAt('h').filter((m) => m.topic === 'subscriptions').at(-1)!.payload;
}

/** Publish until a message on this topic reaches the sink (a subscribe is asynchronous at the broker). */
async function reaches(flow: TestFlow, topic: string, client = publisher): Promise<unknown> {
  await eventually(() => {
    if (!flow.messagesAt('h').some((m) => m.topic === topic)) void client.publishAsync(topic, `on ${topic}`, { qos: 0 });
    return flow.messagesAt('h').some((m) => m.topic === topic);
  }, `a message on ${topic}`);
  return flow.messagesAt('h').find((m) => m.topic === topic)!.payload;
}

describe('mqtt in: dynamic subscriptions (inputs: 1)', () => {
  test('subscribe a string, an array and objects; list; replace; unsubscribe one, then all', async () => {
    const flow = await dynamicFlow();
    try {
      await waitForStatus(flow, 'in', 'connected');
      assert.deepEqual(await act(flow, { action: 'subscribe', topic: 'a/1' }), [{ topic: 'a/1', qos: 2 }]);
      const list = await act(flow, { action: 'subscribe', topic: ['b/+', { topic: 'c/#', qos: 1, datatype: 'buffer' }] });
      assert.deepEqual(list, [{ topic: 'a/1', qos: 2 }, { topic: 'b/+', qos: 2 }, { topic: 'c/#', qos: 1, datatype: 'buffer' }]);
      assert.equal(await reaches(flow, 'a/1'), 'on a/1');
      assert.equal(await reaches(flow, 'b/x'), 'on b/x');
      assert.deepEqual(await reaches(flow, 'c/d/e'), Buffer.from('on c/d/e'), 'the subscription\'s own datatype wins');
      // Subscribing again replaces the options, without a second subscription.
      assert.deepEqual(await act(flow, { action: 'subscribe', topic: { topic: 'a/1', qos: '0' } }), [{ topic: 'b/+', qos: 2 }, { topic: 'c/#', qos: 1, datatype: 'buffer' }, { topic: 'a/1', qos: 0 }]);
      assert.deepEqual(await act(flow, { action: 'unsubscribe', topic: 'b/+' }), [{ topic: 'c/#', qos: 1, datatype: 'buffer' }, { topic: 'a/1', qos: 0 }]);
      assert.deepEqual(await act(flow, { action: 'unsubscribe', topic: true }), []);
      await publisher.publishAsync('a/1', 'after unsubscribe', { qos: 1 });
      // A later message on a new subscription arrives; the earlier one on a/1 would have come first.
      await act(flow, { action: 'subscribe', topic: 'z/1' });
      await reaches(flow, 'z/1');
      assert.ok(!flow.messagesAt('h').some((m) => m.payload === 'after unsubscribe'), 'nothing arrives once unsubscribed');
      assert.deepEqual(flow.errors, []);
    } finally {
      await flow.stop();
    }
  });

  test('bad actions and topics go to catch nodes with the node id and what to send instead', async () => {
    const flow = await dynamicFlow();
    try {
      flow.receive('in', { action: 'sub', topic: 'x' });
      flow.receive('in', { action: 'subscribe', topic: 'a/#/b' });
      flow.receive('in', { action: 'subscribe', topic: 5 as unknown as string });
      await flow.waitUntil(() => flow.errors.length === 3, 3000, () => JSON.stringify(flow.errors));
      assert.match(flow.errors[0]!.message, /mqtt in in: msg.action "sub" is not known; use one of connect, disconnect, subscribe/);
      assert.match(flow.errors[1]!.message, /mqtt in in: "a\/#\/b" is not a valid MQTT topic filter/);
      assert.match(flow.errors[2]!.message, /mqtt in in: msg.topic must be a topic, an array of topics or of \{ topic, qos \} objects/);
    } finally {
      await flow.stop();
    }
  });

  test('autoConnect off: connect and disconnect actions; subscriptions survive a disconnect; msg.broker with force moves to another broker', async () => {
    const flow = await dynamicFlow({ autoConnect: false });
    try {
      await act(flow, { action: 'subscribe', topic: 'plant/#' });
      assert.equal(flow.statuses('in').at(-1)?.text, 'disconnected', 'no connection before the connect action');
      flow.receive('in', { action: 'connect' });
      await waitForStatus(flow, 'in', 'connected');
      assert.equal(await reaches(flow, 'plant/1'), 'on plant/1');
      flow.receive('in', { action: 'disconnect' });
      await waitForStatus(flow, 'in', 'disconnected');
      flow.receive('in', { action: 'connect', broker: { port: second.port } }); // not connected: no force needed
      await waitForStatus(flow, 'in', 'connected');
      const other = await rawClient(second.url);
      try {
        assert.equal(await reaches(flow, 'plant/2', other), 'on plant/2', 'the subscription is restored on the new broker');
      } finally {
        await other.endAsync();
      }
      flow.receive('in', { action: 'connect', broker: { port: broker.port } });
      await flow.waitUntil(() => flow.errors.length === 1, 3000, () => 'no error for a connect without force');
      assert.match(flow.errors[0]!.message, /already connected; to connect with msg.broker, set msg.broker.force = true/);
      flow.receive('in', { action: 'connect', broker: { port: broker.port, force: true } });
      assert.equal(await reaches(flow, 'plant/3'), 'on plant/3', 'back on the first broker');
    } finally {
      await flow.stop();
    }
  });
});
