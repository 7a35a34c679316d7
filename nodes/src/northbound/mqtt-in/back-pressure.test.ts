import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Type } from '@sinclair/typebox';
import { defineNode, Runtime, type FlowMessage } from '@loopedge/runtime';
import type { FlowDocument } from '@loopedge/flows';
import { mqttNodes } from '../../registry/mqtt-nodes.js';
import { Mosquitto } from '../../testing/mosquitto.js';
import { TAB, brokerNode, eventually, rawClient } from '../mqtt-shared/test-kit.js';

const FLOOD = 50_000;
const mosquitto = new Mosquitto();

before(async () => {
  await mosquitto.start();
});
after(async () => {
  await mosquitto.dispose();
});

/** A node slower than the flood: one message per event-loop turn, each with ~40 µs of work. */
const slowNode = defineNode({
  type: 'slow-test',
  category: 'function',
  config: Type.Object({}),
  inputs: 1,
  outputs: 1,
  editor: { label: 'slow', icon: '', color: '#fff' },
  helpFile: '',
  create() {
    const queue: Array<{ msg: FlowMessage; send: (m: FlowMessage) => void; done: () => void }> = [];
    let timer: NodeJS.Immediate | undefined;
    const work = () => {
      timer = undefined;
      const next = queue.shift();
      if (!next) return;
      const until = performance.now() + 0.04;
      while (performance.now() < until);
      next.send(next.msg);
      next.done();
      if (queue.length > 0) timer = setImmediate(work);
    };
    return {
      input(msg, send, done) {
        queue.push({ msg, send, done });
        timer ??= setImmediate(work);
      },
      close() {
        if (timer) clearImmediate(timer);
      },
    };
  },
});

/** Checks order and counts without keeping messages; records the runtime's backlog and this process's RSS. */
const stats = { probes: 0, received: 0, outOfOrder: 0, maxBacklog: 0, peakRss: 0 };
const orderSinkNode = defineNode({
  type: 'order-sink-test',
  category: 'function',
  config: Type.Object({}),
  inputs: 1,
  outputs: 0,
  editor: { label: 'sink', icon: '', color: '#fff' },
  helpFile: '',
  create(node) {
    return {
      input(msg) {
        if (msg.topic === 'flood/probe') {
          stats.probes++;
          return;
        }
        if (msg.payload !== String(stats.received)) stats.outOfOrder++;
        stats.received++;
        const backlog = node.load.queued + node.load.inFlight;
        if (backlog > stats.maxBacklog) stats.maxBacklog = backlog;
        if ((stats.received & 511) === 0) stats.peakRss = Math.max(stats.peakRss, process.memoryUsage.rss());
      },
    };
  },
});

/** The flood comes from another process, as from a real device, as fast as mqtt.js can write. */
function publishFlood(url: string, count: number): Promise<number | null> {
  const mqttUrl = pathToFileURL(createRequire(import.meta.url).resolve('mqtt')).href;
  const script = `
    const mqtt = await import(${JSON.stringify(mqttUrl)});
    const client = await mqtt.connectAsync(${JSON.stringify(url)}, { reconnectPeriod: 0 });
    for (let i = 0; i < ${count}; i++) client.publish('flood/x', String(i), { qos: 0 });
    await client.endAsync();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('mqtt in: back-pressure', () => {
  test(`a flood of ${FLOOD} QoS 0 messages into a slow flow: all arrive in order, the runtime's backlog and memory stay bounded`, async (t) => {
    // The bare Runtime, not the test harness: the harness keeps every message it sees.
    const runtime = new Runtime({ nodeTypes: [...mqttNodes, slowNode, orderSinkNode], env: {}, settings: { mqttReconnectTime: 100 } });
    const result = await runtime.deploy([
      TAB,
      brokerNode(mosquitto.port),
      { id: 'in', type: 'mqtt in', z: 't1', topic: 'flood/#', qos: '0', datatype: 'utf8', broker: 'b1', wires: [['slow']] },
      { id: 'slow', type: 'slow-test', z: 't1', wires: [['sink']] },
      { id: 'sink', type: 'order-sink-test', z: 't1', wires: [] },
    ] as FlowDocument);
    assert.ok(result.ok, JSON.stringify(result));
    try {
      // Probe until the subscription is live at the broker, so the flood starts on a subscribed client.
      const prober = await rawClient(mosquitto.url);
      await eventually(() => {
        if (stats.probes === 0) void prober.publishAsync('flood/probe', 'p', { qos: 0 });
        return stats.probes > 0;
      }, 'the subscription to be live');
      await prober.endAsync();
      const rssBefore = process.memoryUsage.rss();
      const exit = await publishFlood(mosquitto.url, FLOOD);
      assert.equal(exit, 0, 'the publisher process finished');
      await eventually(() => stats.received >= FLOOD, `all ${FLOOD} messages (got ${stats.received})`, 60_000);
      t.diagnostic(`received ${stats.received}, out of order ${stats.outOfOrder}, max runtime backlog ${stats.maxBacklog}, peak RSS ${(stats.peakRss / 1e6).toFixed(0)} MB (before the flood ${(rssBefore / 1e6).toFixed(0)} MB)`);
      assert.equal(stats.received, FLOOD);
      assert.equal(stats.outOfOrder, 0);
      // The gate stops reading above 1,000 held messages; without it the backlog grows towards the whole flood.
      assert.ok(stats.maxBacklog < 2_000, `max backlog ${stats.maxBacklog}`);
      assert.ok(stats.peakRss - rssBefore < 100e6, `RSS grew by ${((stats.peakRss - rssBefore) / 1e6).toFixed(0)} MB`);
    } finally {
      await runtime.stop();
    }
  });
});
