import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import type { TestFlow } from '@loopedge/runtime';
import { mqttBrokerNode } from '../../northbound/mqtt-broker/index.js';
import { collect, rawClient } from '../../northbound/mqtt-shared/test-kit.js';
import { notifyMqttNode } from './index.js';
import { eventually, notification, notifierService, startNotifierFlow } from '../notifier-shared/test-kit.js';

/** Debian's Mosquitto (apt package `mosquitto`) on 127.0.0.1; stopping and starting it again on the same port is an outage. */
class Mosquitto {
  readonly dir = mkdtempSync(join(tmpdir(), 'loopedge-notify-mqtt-'));
  #process: ChildProcess | undefined;
  constructor(readonly port: number) {
    // Started as root, Mosquitto drops to its own user: it must still read the config and write its session store.
    chmodSync(this.dir, 0o777);
    writeFileSync(join(this.dir, 'mosquitto.conf'), [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence true', `persistence_location ${this.dir}/`, ''].join('\n'));
    chmodSync(join(this.dir, 'mosquitto.conf'), 0o644);
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.#process = spawn('mosquitto', ['-c', join(this.dir, 'mosquitto.conf')], { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      if (await accepting(this.port)) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`mosquitto did not start on port ${this.port} (is the apt package installed?)`);
  }

  async stop(): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

const brokers: Mosquitto[] = [];
after(async () => {
  for (const broker of brokers) {
    await broker.stop();
    rmSync(broker.dir, { recursive: true, force: true });
  }
});

async function mosquitto(): Promise<Mosquitto> {
  const broker = new Mosquitto(await freePort());
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
