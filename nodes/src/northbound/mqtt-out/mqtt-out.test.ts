import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { TestFlow } from '@loopedge/runtime';
import { TestBroker } from '../mqtt-shared/test-broker.js';
import { brokerNode, collect, eventually, rawClient, startMqttFlow, waitForStatus, type Received } from '../mqtt-shared/test-kit.js';
import { MemoryAlertService } from '../../alerting/shared/memory-alert-service.js';

const broker = new TestBroker({
  // Credentials checked by the broker, so the test shows they come from the credential store.
  authenticate: (_client, username, password, done) => done(null, username === 'edge' && password?.toString() === 's3cret'),
});
const dataDir = mkdtempSync(join(tmpdir(), 'loopedge-mqtt-out-'));
const credentials = { get: (id: string): Record<string, string> => (id === 'b1' ? { user: 'edge', password: 's3cret' } : {}) };

before(() => broker.start());
after(async () => {
  await broker.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function outFlow(outConfig: Record<string, unknown>, alerts?: MemoryAlertService): Promise<TestFlow> {
  return startMqttFlow([brokerNode(broker.port), { id: 'out', type: 'mqtt out', z: 't1', broker: 'b1', wires: [], ...outConfig }, { id: 'c', type: 'catch', z: 't1', wires: [] }], { credentials, settings: { dataDir }, ...(alerts ? { host: { alerts } } : {}) });
}

async function listener(filter: string): Promise<{ client: MqttClient; received: Received[] }> {
  const client = await rawClient(broker.url, { username: 'edge', password: 's3cret' });
  return { client, received: await collect(client, filter) };
}

const texts = (received: Received[]) => received.map((r) => r.payload.toString());

describe('mqtt out: publishing', () => {
  test("topic, QoS and retain: the node's values win over the message's; objects go as JSON", async () => {
    const { client, received } = await listener('out/#');
    const flow = await outFlow({ topic: '', qos: '', retain: '' });
    try {
      await waitForStatus(flow, 'out', 'connected');
      flow.receive('out', { topic: 'out/a', payload: { v: 1 }, qos: 2 });
      flow.receive('out', { topic: 'out/b', payload: 7, retain: 'true', qos: 1 });
      flow.receive('out', { topic: 'out/c' }); // no payload: nothing is published
      flow.receive('out', { topic: 'out/d', payload: Buffer.from([1, 2]) });
      await eventually(() => received.length >= 3, 'three messages');
      // Different QoS levels take different round trips, so order across them is not guaranteed.
      assert.deepEqual(received.map((r) => [r.topic, r.payload.toString('hex'), r.qos]).sort(), [
        ['out/a', Buffer.from('{"v":1}').toString('hex'), 2],
        ['out/b', Buffer.from('7').toString('hex'), 1],
        ['out/d', '0102', 0],
      ]);
    } finally {
      await flow.stop();
      await client.publishAsync('out/b', '', { retain: true, qos: 1 });
      await client.endAsync();
    }
    const fixed = await outFlow({ topic: 'fixed/t', qos: '1', retain: true });
    const late = await listener('fixed/#');
    try {
      await waitForStatus(fixed, 'out', 'connected');
      fixed.receive('out', { topic: 'ignored', payload: 'x', qos: 0 });
      await eventually(() => late.received.length >= 1, 'the retained message');
      assert.deepEqual([late.received[0]!.topic, late.received[0]!.qos], ['fixed/t', 1]);
    } finally {
      await fixed.stop();
      await late.client.publishAsync('fixed/t', '', { retain: true, qos: 1 });
      await late.client.endAsync();
    }
  });

  test('a wildcard or missing topic is a node error naming node and property; the node keeps working', async () => {
    const flow = await outFlow({});
    try {
      flow.receive('out', { topic: 'a/#', payload: 1 });
      flow.receive('out', { payload: 1 });
      await flow.waitUntil(() => flow.errors.length === 2, 3000);
      assert.match(flow.errors[0]!.message, /mqtt out out: cannot publish to topic "a\/#"/);
      assert.match(flow.errors[1]!.message, /set the node's topic or msg.topic/);
    } finally {
      await flow.stop();
    }
  });

  test('wrong credentials: the status says why, no crash', async () => {
    const flow = await startMqttFlow([brokerNode(broker.port), { id: 'out', type: 'mqtt out', z: 't1', broker: 'b1', wires: [] }], { credentials: { get: () => ({ user: 'edge', password: 'wrong' }) } });
    try {
      await flow.waitUntil(() => flow.warnings.some((w) => /Connection to mqtt-broker b1 .* failed: .*(Bad username|Not authorized)/i.test(w.message)), 5000, () => JSON.stringify(flow.warnings));
    } finally {
      await flow.stop();
    }
  });
});

describe('mqtt out: store-and-forward', () => {
  test('broker down: messages are queued; broker back: all delivered exactly once, in order', async () => {
    const flow = await outFlow({ topic: 'sf/line', qos: '1', storeForward: true });
    try {
      await waitForStatus(flow, 'out', 'connected');
      await broker.stop();
      await waitForStatus(flow, 'out', 'disconnected');
      for (let i = 1; i <= 20; i++) flow.receive('out', { payload: `m${i}` });
      await flow.waitUntil(() => (flow.statuses('out').at(-1)?.text ?? '').includes('20 queued'), 3000, () => JSON.stringify(flow.statuses('out').at(-1)));
      await broker.start();
      const { client, received } = await listener('sf/#');
      try {
        await eventually(() => received.length >= 20, '20 messages after the broker came back');
        // The queue count in the status is refreshed at most every 200 ms.
        await flow.waitUntil(() => flow.statuses('out').at(-1)?.text === 'connected', 3000, () => JSON.stringify(flow.statuses('out').at(-1)));
        // Anything extra (a duplicate) would have arrived before the queue emptied and the status said so.
        assert.deepEqual(texts(received), Array.from({ length: 20 }, (_, i) => `m${i + 1}`));
        assert.deepEqual(flow.statuses('out').at(-1), { fill: 'green', shape: 'dot', text: 'connected' });
        assert.equal(flow.errors.length, 0);
      } finally {
        await client.endAsync();
      }
    } finally {
      await flow.stop();
    }
  });

  test('the queue survives a restart of the flows and is delivered afterwards', async () => {
    await broker.stop();
    const first = await outFlow({ topic: 'sf/restart', qos: '2', storeForward: true });
    try {
      for (let i = 1; i <= 5; i++) first.receive('out', { payload: i });
      await first.waitUntil(() => (first.statuses('out').at(-1)?.text ?? '').includes('5 queued'), 3000);
    } finally {
      await first.stop();
    }
    await broker.start();
    const { client, received } = await listener('sf/#');
    const second = await outFlow({ topic: 'sf/restart', qos: '2', storeForward: true });
    try {
      await eventually(() => received.length >= 5, 'the 5 queued messages after restart');
      await waitForStatus(second, 'out', 'connected');
      assert.deepEqual(texts(received), ['1', '2', '3', '4', '5']);
      assert.equal(received[0]!.qos, 2);
    } finally {
      await second.stop();
      await client.endAsync();
    }
  });

  test('overflow drop-oldest: the oldest go, counted in the status, warned and raised as one alert; the newest are delivered', async () => {
    await broker.stop();
    const alerts = new MemoryAlertService();
    const flow = await outFlow({ id: 'out', topic: 'sf/over', qos: '1', storeForward: true, sfMaxMessages: '3', sfOverflow: 'drop-oldest' }, alerts);
    try {
      for (let i = 1; i <= 5; i++) flow.receive('out', { payload: `o${i}` });
      await flow.waitUntil(() => (flow.statuses('out').at(-1)?.text ?? '').includes('2 dropped'), 3000, () => JSON.stringify(flow.statuses('out')));
      assert.match(flow.statuses('out').at(-1)!.text!, /3 queued, 2 dropped/);
      assert.ok(flow.warnings.some((w) => /store-and-forward dropped 1 message\(s\), the oldest/.test(w.message)));
      const alert = alerts.openByKey('system:store-forward:out');
      assert.equal(alert?.severity, 'major', 'the loss is raised as an alert');
      assert.match(alert!.message, /message\(s\) dropped, the oldest/);
      assert.equal(alerts.query({}).total, 1, 'one alert for the node for the node, however many drops');
      await broker.start();
      const { client, received } = await listener('sf/over');
      try {
        await eventually(() => received.length >= 3, 'the 3 kept messages');
        await flow.waitUntil(() => (flow.statuses('out').at(-1)?.text ?? '') === 'connected, 2 dropped', 3000);
        assert.deepEqual(texts(received), ['o3', 'o4', 'o5']);
      } finally {
        await client.endAsync();
      }
    } finally {
      await flow.stop();
    }
  });

  test('overflow drop-newest: the refused message is a node error (catch nodes see it), never silent', async () => {
    await broker.stop();
    const flow = await outFlow({ id: 'out', topic: 'sf/full', storeForward: true, sfMaxMessages: '2', sfOverflow: 'drop-newest' });
    try {
      for (let i = 1; i <= 3; i++) flow.receive('out', { payload: i });
      const [caught] = await flow.waitForMessages('c', 1, 3000);
      assert.equal(caught!.payload, 3);
      assert.match(flow.errors[0]!.message, /store-and-forward queue is full \(2 messages\); the message to "sf\/full" was dropped/);
      assert.match(flow.statuses('out').at(-1)!.text!, /2 queued, 1 dropped/);
    } finally {
      await flow.stop();
      await broker.start();
    }
  });

  test('store-and-forward without a data folder fails the deploy with what to do', async () => {
    await assert.rejects(
      startMqttFlow([brokerNode(broker.port), { id: 'out', type: 'mqtt out', z: 't1', broker: 'b1', storeForward: true, wires: [] }]),
      /mqtt out out: store-and-forward needs the runtime setting "dataDir"/,
    );
  });
});
