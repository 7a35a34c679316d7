import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'mqtt';
import type { TestFlow } from '@loopedge/runtime';
import { mqttBrokerNode } from '../../northbound/mqtt-broker/index.js';
import { collect, rawClient } from '../../northbound/mqtt-shared/test-kit.js';
import { notifyMqttNode } from './index.js';
import { Mosquitto } from '../../testing/mosquitto.js';
import { eventually, notification, notifierService, startNotifierFlow } from '../notifier-shared/test-kit.js';

const brokers: Mosquitto[] = [];
after(async () => {
  for (const broker of brokers) {
    await broker.dispose();
  }
});

async function mosquitto(): Promise<Mosquitto> {
  const broker = new Mosquitto({ persistent: true });
  brokers.push(broker);
  return broker;
}

function nodes(port: number, extra: Record<string, unknown> = {}): { notifier: Record<string, unknown>; extra: Array<Record<string, unknown>> } {
  return {
    // The broker node comes after the notifier in the document: the notifier finds it at its first delivery.
    notifier: { id: 'mq', type: 'notify-mqtt', broker: 'b1', retryInitialSeconds: '0.05', retryMaxSeconds: '0.2', ...extra },
    extra: [{ id: 'b1', type: 'mqtt-broker', broker: '127.0.0.1', port: String(port), clientid: '', protocolVersion: '4', keepalive: '60', cleansession: true }],
  };
}

describe('notify-mqtt through Mosquitto', () => {
  test('publishes the notification JSON to the topic from the template, with QoS and retain', async () => {
    const broker = await mosquitto();
    await broker.start();
    const watcher = await rawClient(broker.url);
    const live = await collect(watcher, 'plant/alerts/#', 1);
    let flow: TestFlow | undefined;
    try {
      const { notifier, extra } = nodes(broker.port, { topic: 'plant/alerts/{{severity}}/{{key}}', qos: '1', retain: true });
      flow = await startNotifierFlow(notifier, { types: [notifyMqttNode, mqttBrokerNode], extra, settings: { mqttReconnectTime: 100 } });
      const n = notification({ key: 'press-9', severity: 'major' });
      flow.receive('p', { payload: n });
      await eventually(() => live.length === 1, 'the notification at the subscriber');
      assert.equal(live[0]!.topic, 'plant/alerts/major/press-9');
      assert.equal(live[0]!.qos, 1);
      const body = JSON.parse(live[0]!.payload.toString('utf8')) as Record<string, unknown>;
      assert.equal(body.kind, 'alert');
      assert.equal(body.alertId, n.alertId);
      assert.equal(body.title, n.title);
      assert.equal(typeof body.deliveryId, 'string');
      // Retained: a subscriber that comes later still gets the last notification.
      const late = await rawClient(broker.url);
      const retained = await collect(late, 'plant/alerts/major/press-9', 1);
      await eventually(() => retained.length === 1, 'the retained notification');
      assert.equal(retained[0]!.retain, true);
      await late.endAsync();
    } finally {
      await flow?.stop();
      await watcher.endAsync();
    }
  });

  test('while the broker is down notifications wait in the queue, then arrive in order once it is back', async () => {
    const broker = await mosquitto();
    // A subscriber with a persistent session (kept by Mosquitto across its restart) sees everything published while it is away.
    await broker.start();
    const session = { clientId: 'alert-watcher', clean: false } as const;
    let watcher = await rawClient(broker.url, session);
    await watcher.subscribeAsync('loopedge/alerts/#', { qos: 1 });
    await watcher.endAsync();
    await broker.stop();
    let flow: TestFlow | undefined;
    try {
      const { notifier, extra } = nodes(broker.port);
      flow = await startNotifierFlow(notifier, { types: [notifyMqttNode, mqttBrokerNode], extra, settings: { mqttReconnectTime: 100 } });
      for (const key of ['o1', 'o2', 'o3']) flow.receive('p', { payload: notification({ key }) });
      const service = notifierService(flow, 'mq');
      await eventually(() => service.counters.failed >= 1 && service.queued === 3, 'a failed attempt with three queued', 15_000);
      assert.equal(service.counters.delivered, 0);
      await broker.start();
      await eventually(() => service.queued === 0, 'the queue drained after the broker came back', 15_000);
      assert.equal(service.counters.delivered, 3);
      // The broker sends the held messages right after CONNACK: listen before connecting.
      const received: string[] = [];
      watcher = connect(broker.url, { reconnectPeriod: 0, ...session });
      watcher.on('message', (topic) => received.push(topic));
      await eventually(() => received.length === 3, 'the three notifications at the subscriber');
      assert.deepEqual(received, ['loopedge/alerts/o1', 'loopedge/alerts/o2', 'loopedge/alerts/o3']);
      await watcher.endAsync();
    } finally {
      await flow?.stop();
    }
  });

  test('without a broker node it publishes on the DataHub the server hands to the runtime', async () => {
    const broker = await mosquitto();
    await broker.start();
    const watcher = await rawClient(broker.url);
    const live = await collect(watcher, 'loopedge/alerts/#', 1);
    let flow: TestFlow | undefined;
    try {
      // The shape the server puts in the runtime settings when the DataHub runs (this Mosquitto stands in for it).
      const datahub = { url: broker.url, username: 'loopedge-runtime', password: 'per-start-secret' };
      flow = await startNotifierFlow({ id: 'mq', type: 'notify-mqtt', broker: '' }, { types: [notifyMqttNode], settings: { datahub, mqttReconnectTime: 100 } });
      flow.receive('p', { payload: notification({ key: 'line-2/stop', transition: 'cleared', state: 'cleared' }) });
      await eventually(() => live.length === 1, 'the notification through the DataHub');
      assert.equal(live[0]!.topic, 'loopedge/alerts/line-2/stop');
      assert.equal((JSON.parse(live[0]!.payload.toString('utf8')) as { transition: string }).transition, 'cleared');
    } finally {
      await flow?.stop();
      await watcher.endAsync();
    }
  });

  test('a topic with wildcards fails the deploy', async () => {
    const { notifier, extra } = nodes(1, { topic: 'alerts/#' });
    await assert.rejects(startNotifierFlow(notifier, { types: [notifyMqttNode, mqttBrokerNode], extra }), /notify-mqtt mq: topics may not contain the wildcards/);
  });
});
