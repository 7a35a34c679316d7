import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type MqttClient } from 'mqtt';
import { silentLogger } from '@loopedge/runtime';
import { createPasswordHasher } from '@loopedge/security';
import { startDatahub, type RunningDatahub } from './datahub-broker.js';
import { Mosquitto } from '@loopedge/nodes/testing/mosquitto';

async function client(url: string, options: Record<string, unknown> = {}): Promise<MqttClient & { seen: Array<[string, string]> }> {
  const c = connect(url, { reconnectPeriod: 100, ...options }) as MqttClient & { seen: Array<[string, string]> };
  c.seen = [];
  c.on('message', (topic, payload) => c.seen.push([topic, payload.toString()]));
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('error', reject);
  });
  return c;
}

async function until(condition: () => boolean, what: () => string, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('DataHub bridge to an external broker (mosquitto)', () => {
  const mosquitto = new Mosquitto();
  let hub: RunningDatahub;
  let local: Awaited<ReturnType<typeof client>>;
  let remote: Awaited<ReturnType<typeof client>>;
  before(async () => {
    await mosquitto.start();
    hub = await startDatahub(
      {
        port: 0,
        tlsHost: '127.0.0.1',
        applications: [],
        bridge: {
          url: mosquitto.url,
          clientId: 'bridge-test',
          reconnectMaxMs: 300,
          topics: [
            { pattern: 'plant/#', direction: 'out', localPrefix: '', remotePrefix: 'site1/', qos: 1 },
            { pattern: 'cmd/#', direction: 'in', localPrefix: 'from-cloud/', remotePrefix: 'site1/', qos: 1 },
            { pattern: 'sync/#', direction: 'both', localPrefix: '', remotePrefix: '', qos: 1 },
          ],
        },
      },
      silentLogger,
      { hasher: await createPasswordHasher(10) },
    );
    await until(() => hub.bridge!.connected, () => 'bridge did not connect');
    local = await client(hub.connection.url, { username: hub.connection.username, password: hub.connection.password });
    remote = await client(mosquitto.url);
    await local.subscribeAsync(['from-cloud/#', 'sync/#', 'plant/#'], { qos: 1 });
    await remote.subscribeAsync(['site1/#', 'sync/#'], { qos: 1 });
  });
  after(async () => {
    await local?.endAsync(true);
    await remote?.endAsync(true);
    await hub?.stop();
    await mosquitto.dispose();
  });

  test('out: local topics reach the remote broker under its prefix; in: remote topics arrive under the local prefix', async () => {
    await local.publishAsync('plant/line1/temp', '21.5', { qos: 1 });
    await until(() => remote.seen.some(([t]) => t === 'site1/plant/line1/temp'), () => JSON.stringify(remote.seen));
    assert.deepEqual(remote.seen.find(([t]) => t === 'site1/plant/line1/temp'), ['site1/plant/line1/temp', '21.5']);
    await remote.publishAsync('site1/cmd/stop', 'now', { qos: 1 });
    await until(() => local.seen.some(([t]) => t === 'from-cloud/cmd/stop'), () => JSON.stringify(local.seen));
    // Topics outside every row stay where they are.
    await local.publishAsync('private/x', 'stay', { qos: 1 });
    await remote.publishAsync('site1/other', 'stay', { qos: 1 });
  });

  test('both: each message crosses once and never comes back (no loop)', async () => {
    await local.publishAsync('sync/from-local', 'L', { qos: 1 });
    await remote.publishAsync('sync/from-remote', 'R', { qos: 1 });
    await until(() => remote.seen.some(([t]) => t === 'sync/from-local') && local.seen.some(([t]) => t === 'sync/from-remote'), () => `${JSON.stringify(local.seen)} / ${JSON.stringify(remote.seen)}`);
    // A marker sent the same way after them: once it arrived, any echo of the first ones would have too.
    await local.publishAsync('plant/marker', 'm', { qos: 1 });
    await remote.publishAsync('site1/cmd/marker', 'm', { qos: 1 });
    await until(() => remote.seen.some(([t]) => t === 'site1/plant/marker') && local.seen.some(([t]) => t === 'from-cloud/cmd/marker'), () => 'markers');
    const count = (seen: Array<[string, string]>, topic: string): number => seen.filter(([t]) => t === topic).length;
    assert.equal(count(local.seen, 'sync/from-local'), 1);
    assert.equal(count(remote.seen, 'sync/from-local'), 1);
    assert.equal(count(local.seen, 'sync/from-remote'), 1);
    assert.equal(count(remote.seen, 'sync/from-remote'), 1);
  });

  test('the bridge reconnects after the remote broker restarts', async () => {
    await mosquitto.stop();
    await until(() => !hub.bridge!.connected, () => 'bridge still connected');
    await mosquitto.start();
    await until(() => hub.bridge!.connected && remote.connected, () => 'bridge did not reconnect');
    await remote.subscribeAsync(['site1/#'], { qos: 1 });
    await local.publishAsync('plant/after-restart', 'back', { qos: 1 });
    await until(() => remote.seen.some(([t]) => t === 'site1/plant/after-restart'), () => JSON.stringify(remote.seen.slice(-3)));
  });
});
