import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import pino from 'pino';
import { coreNodeTypes } from '@loopedge/nodes';
import { createPasswordHasher } from '@loopedge/security';
import { startTestFlow, type TestFlow } from '@loopedge/runtime';
import type { FlowDocument } from '@loopedge/flows';
import { filterCovers, parseDatahubSettings, startDatahub, type RunningDatahub } from './datahub-broker.js';

const logger = pino({ level: 'silent' });
const app = { username: 'line-app', password: 'line-app-password-1', publish: ['line1/#'], subscribe: ['line1/+/state', 'alerts/#'] };
let hub: RunningDatahub;

before(async () => {
  hub = await startDatahub({ port: 0, tlsHost: '127.0.0.1', applications: [app] }, logger, { hasher: await createPasswordHasher(10) });
});
after(() => hub.stop());

async function appClient(options: IClientOptions = {}): Promise<MqttClient> {
  const client = connect(hub.connection.url, { username: app.username, password: app.password, reconnectPeriod: 0, ...options });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

function hubFlow(): Promise<TestFlow> {
  const doc = [
    { id: 't1', type: 'tab', label: 'DataHub' },
    { id: 'in', type: 'datahub-in', z: 't1', topic: 'line1/#', datatype: 'auto-detect', wires: [['h']] },
    { id: 'out', type: 'datahub-out', z: 't1', topic: '', wires: [] },
    { id: 'h', type: 'helper', z: 't1', wires: [] },
  ] as FlowDocument;
  return startTestFlow(doc, { nodeTypes: coreNodeTypes, settings: { datahub: hub.connection, mqttReconnectTime: 100 } });
}

async function waitConnected(flow: TestFlow, id: string): Promise<void> {
  await flow.waitUntil(() => flow.statuses(id).at(-1)?.text === 'connected', 5000, () => JSON.stringify(flow.statuses(id)));
}

describe('DataHub: embedded broker with per-application access', () => {
  test('datahub out → broker → datahub in, and an application publishing inside its topics reaches the flow', async () => {
    const flow = await hubFlow();
    const client = await appClient();
    try {
      await waitConnected(flow, 'in');
      await waitConnected(flow, 'out');
      // Resend until the subscription is live (no subscribe hook from outside the broker).
      const until = Date.now() + 5000;
      while (flow.messagesAt('h').length === 0 && Date.now() < until) {
        flow.receive('out', { topic: 'line1/m1/state', payload: { running: true } });
        await flow.settle(20);
      }
      assert.deepEqual(flow.messagesAt('h')[0]?.payload, { running: true });
      const before = flow.messagesAt('h').length;
      await client.publishAsync('line1/m2/count', '42', { qos: 1 });
      await flow.waitUntil(() => flow.messagesAt('h').some((m) => m.topic === 'line1/m2/count'), 3000);
      assert.equal(flow.messagesAt('h').find((m) => m.topic === 'line1/m2/count')!.payload, 42);
      assert.ok(flow.messagesAt('h').length > before);
    } finally {
      await client.endAsync();
      await flow.stop();
    }
  });

  test("an application cannot subscribe outside its topics, nor publish outside them", async () => {
    const client = await appClient();
    try {
      // mqtt.js reports a refused filter as an error carrying the SUBACK.
      const refusal = await client.subscribeAsync(['line1/m1/state', 'line1/#', 'secret/#'], { qos: 1 }).then(
        () => undefined,
        (error: { packet?: { granted?: number[] } }) => error.packet?.granted,
      );
      assert.deepEqual(refusal, [1, 128, 128]);
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      client.publish('line2/x', 'not allowed', { qos: 1 });
      await closed; // MQTT 3.1.1 has no negative ack: the broker drops the connection
    } finally {
      await client.endAsync(true);
    }
  });

  test('a wrong password or an unknown user is refused', async () => {
    await assert.rejects(appClient({ password: 'wrong-password-123' }), /Not authorized|Bad username/i);
    await assert.rejects(appClient({ username: 'nobody' }), /Not authorized|Bad username/i);
  });

  test('datahub nodes without a running DataHub fail the deploy with what to do', async () => {
    const doc = [{ id: 't1', type: 'tab' }, { id: 'in', type: 'datahub-in', z: 't1', topic: 'a', wires: [] }] as FlowDocument;
    await assert.rejects(startTestFlow(doc, { nodeTypes: coreNodeTypes }), /datahub-in in: the DataHub is off; enable it with "datahub"/);
  });
});

describe('DataHub settings and topic rules', () => {
  test('settings are checked with messages that name the field', () => {
    assert.equal(parseDatahubSettings(undefined), undefined);
    assert.throws(() => parseDatahubSettings({ port: 'x' }), /"datahub".port must be a port number/);
    assert.throws(() => parseDatahubSettings({ port: 0, applications: [{ username: 'a', password: 'short' }] }), /applications\[0\].password must be a string of at least 12/);
    assert.throws(() => parseDatahubSettings({ port: 0, applications: [{ username: 'a', password: 'long-enough-pw', publish: 'x' }] }), /applications\[0\].publish must be a list/);
    assert.throws(() => parseDatahubSettings({ port: 0, applications: [{ username: 'a', passwordHash: 'plain' }] }), /applications\[0\].passwordHash is not a hash this server wrote/);
    assert.throws(() => parseDatahubSettings({ port: 0, tlsPort: 70000 }), /"datahub".tlsPort must be a port number/);
    assert.throws(() => parseDatahubSettings({ port: 0, bridge: { url: 'http://x', topics: [] } }), /bridge.url must be an mqtt:\/\//);
    assert.throws(() => parseDatahubSettings({ port: 0, bridge: { url: 'mqtt://x', topics: [{ pattern: 'a/#', direction: 'sideways' }] } }), /bridge.topics\[0\].direction must be "out", "in" or "both"/);
    assert.throws(() => parseDatahubSettings({ port: 0, bridge: { url: 'mqtt://x', passwordEnv: 'NOPE', topics: [{ pattern: 'a', direction: 'out' }] } }, {}), /"NOPE" is not set/);
    const parsed = parseDatahubSettings({ port: 0, applications: [{ username: 'a', passwordHash: 'v1$x' }], bridge: { url: 'mqtts://x', passwordEnv: 'PW', topics: [{ pattern: 'a/#', direction: 'both', remotePrefix: 'site/' }] } }, { PW: 'secret' });
    assert.deepEqual(parsed?.bridge?.topics, [{ pattern: 'a/#', direction: 'both', localPrefix: '', remotePrefix: 'site/', qos: 0 }]);
    assert.equal(parsed?.bridge?.password, 'secret');
    assert.equal(parsed?.applications[0]?.password, undefined);
  });

  test('an allowed filter covers a topic or a narrower filter, never a wider one', () => {
    assert.ok(filterCovers('line1/#', 'line1/a/b'));
    assert.ok(filterCovers('line1/+/state', 'line1/+/state'));
    assert.ok(filterCovers('a/#', 'a/b/#'));
    assert.ok(!filterCovers('line1/+/state', 'line1/#'));
    assert.ok(!filterCovers('a/b', 'a/+'));
    assert.ok(!filterCovers('a/+', 'a/b/c'));
  });
});
