import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestFlow } from '@loopedge/runtime';
import { brokerNode, collect, eventually, rawClient, startMqttFlow, waitForStatus } from '../mqtt-shared/test-kit.js';

/** A real Mosquitto (apt package `mosquitto`) on 127.0.0.1 with a password file: the external-broker case. */
const dir = mkdtempSync(join(tmpdir(), 'loopedge-mosquitto-'));
let mosquitto: ChildProcess | undefined;
let port = 0;
let tlsPort = 0;
const credentials = { get: (id: string): Record<string, string> => (id === 'b1' ? { user: 'edge', password: 'pw-edge' } : {}) };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port: p } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return p;
}

async function accepting(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(p, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** A throwaway CA and a server certificate for 127.0.0.1, made with the openssl CLI (apt package `openssl`). */
function makeCertificates(): void {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '1', '-subj', '/CN=LoopEdge test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.pem'), '-days', '1', '-extfile', file('san.ext'));
  for (const name of ['ca.pem', 'server.pem', 'server.key']) chmodSync(file(name), 0o644);
}

before(async () => {
  port = await freePort();
  execFileSync('mosquitto_passwd', ['-b', '-c', join(dir, 'passwd'), 'edge', 'pw-edge']);
  // Started as root, Mosquitto drops to its own user: it must still read these.
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'passwd'), 0o644);
  tlsPort = await freePort();
  makeCertificates();
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    [
      'per_listener_settings false',
      'allow_anonymous false',
      `password_file ${join(dir, 'passwd')}`,
      'persistence false',
      `listener ${port} 127.0.0.1`,
      `listener ${tlsPort} 127.0.0.1`,
      `cafile ${join(dir, 'ca.pem')}`,
      `certfile ${join(dir, 'server.pem')}`,
      `keyfile ${join(dir, 'server.key')}`,
      '',
    ].join('\n'),
  );
  mosquitto = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
  let ready = false;
  for (let i = 0; i < 200 && !ready; i++) {
    ready = await accepting(port);
    if (!ready) await new Promise((resolve) => setTimeout(resolve, 25));
  }
  for (let i = 0; i < 200 && ready && !(await accepting(tlsPort)); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  assert.ok(ready, `mosquitto did not start on port ${port} (is the apt package installed?)`);
});

after(async () => {
  if (mosquitto && mosquitto.exitCode === null) {
    const exited = new Promise((resolve) => mosquitto!.once('exit', resolve));
    mosquitto.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

const url = () => `mqtt://127.0.0.1:${port}`;

describe('mqtt-broker against Mosquitto', () => {
  test('MQTT 5 with user and password: mqtt out → Mosquitto → mqtt in, with properties; birth and close messages', async () => {
    const watcher = await rawClient(url(), { username: 'edge', password: 'pw-edge' });
    const lifecycle = await collect(watcher, 'edge/state');
    let flow: TestFlow | undefined;
    try {
      flow = await startMqttFlow(
        [
          brokerNode(port, { protocolVersion: '5', birthTopic: 'edge/state', birthPayload: 'online', birthQos: '1', closeTopic: 'edge/state', closePayload: 'offline', closeQos: '1' }),
          { id: 'in', type: 'mqtt in', z: 't1', topic: 'cell/+/data', qos: '2', datatype: 'auto-detect', broker: 'b1', wires: [['h']] },
          { id: 'out', type: 'mqtt out', z: 't1', topic: '', qos: '2', retain: 'false', contentType: 'application/json', userProps: '{"site":"A"}', broker: 'b1', wires: [] },
          { id: 'h', type: 'helper', z: 't1', wires: [] },
        ],
        { credentials },
      );
      await waitForStatus(flow, 'in', 'connected');
      await eventually(() => lifecycle.length >= 1, 'the birth message');
      // The subscription is on its way once connected; resend until the first arrives (Mosquitto has no subscribe hook for tests).
      await eventually(
        () => {
          if (flow!.messagesAt('h').length === 0) flow!.receive('out', { topic: 'cell/1/data', payload: { temp: 20 } });
          return flow!.messagesAt('h').length > 0;
        },
        'a message through Mosquitto',
      );
      const msg = flow.messagesAt('h')[0]!;
      assert.deepEqual(msg.payload, { temp: 20 });
      assert.equal(msg.qos, 2);
      assert.equal(msg.contentType, 'application/json');
      assert.deepEqual(msg.userProperties, { site: 'A' });
      await flow.stop();
      flow = undefined;
      await eventually(() => lifecycle.length >= 2, 'the close message');
      assert.deepEqual(lifecycle.slice(0, 2).map((m) => m.payload.toString()), ['online', 'offline']);
    } finally {
      await flow?.stop();
      await watcher.endAsync();
    }
  });

  test('TLS: trusted with the CA from the credentials; without it the certificate is refused and said so', async () => {
    const ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
    const nodes = (extra: Record<string, unknown>) => [brokerNode(tlsPort, { usetls: true, ...extra }), { id: 'in', type: 'mqtt in', z: 't1', topic: 'tls/#', broker: 'b1', wires: [] }];
    const trusted = await startMqttFlow(nodes({}), { credentials: { get: () => ({ user: 'edge', password: 'pw-edge', ca }) } });
    try {
      await waitForStatus(trusted, 'in', 'connected');
    } finally {
      await trusted.stop();
    }
    const untrusted = await startMqttFlow(nodes({}), { credentials: { get: () => ({ user: 'edge', password: 'pw-edge' }) } });
    try {
      await untrusted.waitUntil(() => untrusted.warnings.some((w) => /failed: .*(self.signed|certificate)/i.test(w.message)), 5000, () => JSON.stringify(untrusted.warnings));
      assert.notEqual(untrusted.statuses('in').at(-1)?.text, 'connected');
    } finally {
      await untrusted.stop();
    }
  });

  test('TLS through a tls-config node (listed after the broker, CA from a file, public key pinned); a wrong pin is refused', async () => {
    const { certificateFingerprints } = await import('../../network/tls-config/tls-options.js');
    const { X509Certificate } = await import('node:crypto');
    const spki = certificateFingerprints(new X509Certificate(readFileSync(join(dir, 'server.pem'))).raw).spki;
    const nodes = (pin: string) => [
      brokerNode(tlsPort, { usetls: true, tls: 'tls1' }),
      { id: 'in', type: 'mqtt in', z: 't1', topic: 'tls/#', broker: 'b1', wires: [] },
      { id: 'tls1', type: 'tls-config', cert: '', key: '', ca: join(dir, 'ca.pem'), verifyservercert: true, pinnedsha256: pin },
    ];
    const pinned = await startMqttFlow(nodes(spki), { credentials });
    try {
      await waitForStatus(pinned, 'in', 'connected');
    } finally {
      await pinned.stop();
    }
    const wrong = await startMqttFlow(nodes('cd'.repeat(32)), { credentials });
    try {
      await wrong.waitUntil(() => wrong.warnings.some((w) => w.message.includes('matches none of the pinned')), 5000, () => JSON.stringify(wrong.warnings));
      assert.notEqual(wrong.statuses('in').at(-1)?.text, 'connected');
    } finally {
      await wrong.stop();
    }
  });

  test('refused credentials: a warning that names the broker and what to check', async () => {
    const flow = await startMqttFlow([brokerNode(port), { id: 'in', type: 'mqtt in', z: 't1', topic: 'x', broker: 'b1', wires: [] }], { credentials: { get: () => ({ user: 'edge', password: 'nope' }) } });
    try {
      await flow.waitUntil(() => flow.warnings.some((w) => w.message.includes(`Connection to mqtt-broker b1 (mqtt://127.0.0.1:${port}) failed`) && w.message.includes('credentials')), 5000, () => JSON.stringify(flow.warnings));
      assert.notEqual(flow.statuses('in').at(-1)?.text, 'connected');
    } finally {
      await flow.stop();
    }
  });
});

describe('mqtt-broker: configuration', () => {
  test('an empty broker address or a wrong protocol version fails the deploy, naming node and property', async () => {
    await assert.rejects(startMqttFlow([{ id: 'b1', type: 'mqtt-broker', broker: '' }]), /mqtt-broker b1: the broker address \(property "broker"\) is empty/);
    await assert.rejects(startMqttFlow([{ id: 'b1', type: 'mqtt-broker', broker: 'h', protocolVersion: '6' }]), /mqtt-broker b1: protocolVersion must be 3, 4 or 5/);
  });
});
