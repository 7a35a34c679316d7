// Issue 8's end-to-end test: a PLC's oven temperature (a real OPC UA server)
// crosses a threshold → opcua-in → rules → alert → notify-email + notify-webhook
// in the real LoopEdge server. One alert, one mail, one signed webhook while it
// stays high; an operator acknowledges through the API; the server restarts on
// the same data folder and keeps the state; the temperature falls below the
// hysteresis band → cleared, and every transition is notified once.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import type { FlowDocument } from '@loopedge/flows';
import { silentLogger, type AlertRecord, type FlowMessage, type RuntimeNode } from '@loopedge/runtime';
import { startServer, type RunningServer } from '@loopedge/server';
import { ApiClient, TestAdmin, type TestUser } from '@loopedge/server/testing';
import { startTemperaturePlc, TEMPERATURE_NODE_ID, type TemperaturePlc } from './temperature-plc.js';

const WEBHOOK_SECRET = 'e2e-webhook-secret-9c41';
const work = mkdtempSync(join(tmpdir(), 'loopedge-alerts-e2e-'));
const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(work, { recursive: true, force: true });
});

/** A self-signed certificate for 127.0.0.1 (openssl CLI), for the test's SMTP and HTTPS receivers. */
function certificate(): { certPem: string; keyPem: string } {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(work, 'key.pem'), '-out', join(work, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { certPem: readFileSync(join(work, 'cert.pem'), 'utf8'), keyPem: readFileSync(join(work, 'key.pem'), 'utf8') };
}

interface Mail {
  secure: boolean;
  to: string[];
  subject: string;
  body: string;
}

interface Webhook {
  body: Record<string, unknown>;
  signatureValid: boolean;
  delivery: string | undefined;
}

/** The SMTP server of the plant (smtp-server): STARTTLS, login required. */
async function startSmtp(tls: { certPem: string; keyPem: string }, mails: Mail[]): Promise<number> {
  const server = new SMTPServer({
    key: tls.keyPem,
    cert: tls.certPem,
    logger: false,
    onAuth: (auth, _session, callback) => (auth.username === 'edge' && auth.password === 'smtp-pass' ? callback(null, { user: 'edge' }) : callback(new Error('Invalid login'))),
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const split = raw.indexOf('\r\n\r\n');
        const headers = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
        const body = raw.slice(split + 4).replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
        mails.push({ secure: session.secure, to: session.envelope.rcptTo.map((r) => r.address), subject: /^Subject: (.*)$/im.exec(headers.replace(/\r/g, ''))?.[1] ?? '', body });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.server.address() as AddressInfo).port;
}

/** The operations team's webhook receiver: checks the HMAC the way the notify-webhook README tells receivers to. */
async function startReceiver(tls: { certPem: string; keyPem: string }, hooks: Webhook[]): Promise<string> {
  const server: HttpsServer = createHttpsServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const parts = Object.fromEntries(String(req.headers['x-loopedge-signature'] ?? '').split(',').map((p) => p.split('=', 2) as [string, string]));
      const expected = createHmac('sha256', WEBHOOK_SECRET).update(`${parts.t}.${raw}`).digest('hex');
      const fresh = Math.abs(Date.now() / 1000 - Number(parts.t)) < 300;
      hooks.push({ body: JSON.parse(raw) as Record<string, unknown>, signatureValid: fresh && parts.v1 === expected, delivery: req.headers['x-loopedge-delivery'] as string | undefined });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}/loopedge/alerts`;
}

function flows(plc: TemperaturePlc, smtpPort: number, webhookUrl: string): FlowDocument {
  return [
    { id: 'oven', type: 'tab', label: 'Oven 1' },
    { id: 'ep', type: 'opcua-endpoint', endpointUrl: plc.endpointUrl, trustedServerCertificates: [plc.thumbprint] },
    { id: 'mail', type: 'notify-email', host: '127.0.0.1', port: String(smtpPort), from: 'LoopEdge <edge@plant.example>', to: 'maintenance@plant.example', retryInitialSeconds: '0.2', retryMaxSeconds: '2' },
    { id: 'hook', type: 'notify-webhook', url: webhookUrl, retryInitialSeconds: '0.2', retryMaxSeconds: '2' },
    { id: 'in', type: 'opcua-in', z: 'oven', endpoint: 'ep', nodeIds: [TEMPERATURE_NODE_ID], samplingInterval: '100', wires: [['rules']] },
    // Only plausible readings (a broken sensor reads -273 or 3000) reach the alert.
    {
      id: 'rules',
      type: 'rules',
      z: 'oven',
      outputMode: 'ports',
      outputs: 1,
      rules: [{ name: 'plausible reading', conditions: { all: [{ fact: 'msg', path: '$.payload', operator: 'greaterThanInclusive', value: -50 }, { fact: 'msg', path: '$.payload', operator: 'lessThanInclusive', value: 500 }] } }],
      wires: [['alert']],
    },
    {
      id: 'alert',
      type: 'alert',
      z: 'oven',
      name: 'Oven 1 over temperature',
      condition: 'above',
      property: 'payload',
      threshold: '80',
      clearBelow: '70',
      severity: 'critical',
      key: 'oven-1/temperature',
      title: 'Oven 1 temperature {{payload}} degC',
      message: 'The oven temperature is {{payload}} degC, above the 80 degC limit.',
      notifiers: ['mail', 'hook'],
      wires: [[]],
    },
  ] as FlowDocument;
}

/** Temperatures that reached the alert node, in order (the runtime's receive hook; the flow is not changed for the test). */
function watchAlertInput(server: RunningServer): number[] {
  const seen: number[] = [];
  server.runtime.hooks.onReceive = (node: RuntimeNode, msg: FlowMessage) => {
    if (node.id === 'alert') seen.push(msg.payload as number);
  };
  return seen;
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

interface NotifierView {
  queued: number;
  counters: { delivered: number };
}
/** Both notifiers idle: nothing queued, nothing in flight (their config node's service). */
function notifiersIdle(server: RunningServer): boolean {
  return ['mail', 'hook'].every((id) => (server.runtime.node(id)?.handlers.api as NotifierView | undefined)?.queued === 0);
}

async function signIn(url: string, ca: string, user: TestUser): Promise<ApiClient> {
  const client = new ApiClient(url, ca);
  const response = await client.login(user.username, user.password);
  assert.equal(response.status, 200, response.text);
  return client;
}

test('PLC over temperature → one alert, one mail, one signed webhook → acknowledged → restart keeps it → cleared below the band', async () => {
  const tls = certificate();
  const mails: Mail[] = [];
  const hooks: Webhook[] = [];
  const smtpPort = await startSmtp(tls, mails);
  const webhookUrl = await startReceiver(tls, hooks);
  const plc = await startTemperaturePlc(join(work, 'plc-pki'), 20);
  cleanups.push(() => plc.stop());

  // 1. The real server; credentials through the API (never in the flow), then the flows deployed.
  const admin = await TestAdmin.start();
  let server: RunningServer = admin.server;
  let stopped = false;
  cleanups.push(async () => {
    if (!stopped) await server.stop();
  });
  const editor = await admin.signedIn('editor');
  for (const [id, values] of [
    ['mail', { user: 'edge', password: 'smtp-pass', ca: tls.certPem }],
    ['hook', { secret: WEBHOOK_SECRET, ca: tls.certPem }],
  ] as const) {
    const set = await editor.request('PUT', `/api/credentials/${id}`, { values });
    assert.equal(set.status, 200, set.text);
  }
  const current = await editor.get<{ rev: string }>('/api/flows');
  let seen = watchAlertInput(server);
  const deployed = await editor.post('/api/flows', { flows: flows(plc, smtpPort, webhookUrl), rev: current.body.rev, type: 'full' });
  assert.equal(deployed.status, 200, deployed.text);
  await until(() => seen.includes(20), 'the first reading at the alert node');

  // 2. Over the threshold and staying there for several samples: one alert, one notification per channel.
  for (const celsius of [85, 86, 88]) {
    plc.setTemperature(celsius);
    await until(() => seen.includes(celsius), `the reading ${celsius} at the alert node`);
  }
  await until(() => mails.length >= 1 && hooks.length >= 1 && notifiersIdle(server), 'the raise notifications');
  const operatorUser = await admin.user('operator');
  const operator = await admin.signedIn('operator');
  const active = await operator.get<{ total: number; alerts: AlertRecord[] }>('/api/alerts?state=active');
  assert.equal(active.body.total, 1, 'exactly one alert while the temperature stays high');
  const alert = active.body.alerts[0]!;
  assert.equal(alert.key, 'oven-1/temperature');
  assert.equal(alert.severity, 'critical');
  assert.equal(mails.length, 1, 'one mail for the raise, none for the further high samples');
  assert.equal(hooks.length, 1, 'one webhook for the raise');
  assert.equal(mails[0]!.secure, true, 'the mail went over STARTTLS');
  assert.deepEqual(mails[0]!.to, ['maintenance@plant.example']);
  assert.match(mails[0]!.subject, /^\[CRITICAL\] Oven 1 temperature 8\d degC \(raised\)$/);
  assert.match(mails[0]!.body, /Key: +oven-1\/temperature/);
  assert.equal(hooks[0]!.signatureValid, true, 'the webhook HMAC verifies with the shared secret');
  assert.equal(hooks[0]!.body.kind, 'alert');
  assert.equal(hooks[0]!.body.transition, 'raised');
  assert.equal(hooks[0]!.body.alertId, alert.id);
  assert.equal(hooks[0]!.body.deliveryId, hooks[0]!.delivery);

  // 3. An operator acknowledges through the API: notified on both channels.
  const acked = await operator.post<{ alert: AlertRecord }>(`/api/alerts/${alert.id}/acknowledge`, { note: 'door opened, cooling down' });
  assert.equal(acked.status, 200, acked.text);
  await until(() => mails.length === 2 && hooks.length === 2, 'the acknowledge notifications');
  assert.match(mails[1]!.subject, /\(acknowledged\)$/);
  assert.equal(hooks[1]!.body.transition, 'acknowledged');
  assert.equal(hooks[1]!.body.acknowledgedBy, operatorUser.username);
  assert.equal(hooks[1]!.signatureValid, true);

  // 4. Restart on the same data folder while it is still hot: the alert stays acknowledged, nothing is raised again.
  const dataDir = admin.dataDir;
  await server.stop();
  stopped = true;
  server = await startServer({ flows: join(dataDir, 'flows.json'), data: dataDir, port: 0, host: '127.0.0.1', env: {}, logger: silentLogger, bcryptCost: 10, version: '0.0.0-test', announce: () => {} });
  stopped = false;
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  seen = watchAlertInput(server);
  const url = `https://127.0.0.1:${server.admin!.server.port}`;
  const operatorAgain = await signIn(url, server.admin!.security.certificates.caCertificatePem(), operatorUser);
  await until(() => seen.includes(88), 'the current reading after the restart');
  plc.setTemperature(89);
  await until(() => seen.includes(89), 'a new high reading after the restart');
  const afterRestart = await operatorAgain.get<{ alert: AlertRecord }>(`/api/alerts/${alert.id}`);
  assert.equal(afterRestart.status, 200, afterRestart.text);
  assert.equal(afterRestart.body.alert.state, 'acknowledged');
  assert.equal((await operatorAgain.get<{ total: number }>('/api/alerts?state=active')).body.total, 0, 'no new alert after the restart');

  // 5. Inside the hysteresis band (70..80) it stays; below 70 it clears, and that is notified.
  plc.setTemperature(75);
  await until(() => seen.includes(75), 'the reading 75 at the alert node');
  plc.setTemperature(65);
  await until(() => mails.length === 3 && hooks.length === 3, 'the clear notifications');
  assert.match(mails[2]!.subject, /\(cleared\)$/);
  assert.equal(hooks[2]!.body.transition, 'cleared');
  assert.equal(hooks[2]!.body.alertId, alert.id);
  assert.equal(hooks[2]!.signatureValid, true);
  const cleared = await operatorAgain.get<{ alert: AlertRecord; history: Array<{ transition: string }> }>(`/api/alerts/${alert.id}`);
  assert.equal(cleared.body.alert.state, 'cleared');
  assert.deepEqual(cleared.body.history.map((h) => h.transition), ['raised', 'acknowledged', 'cleared']);
  await until(() => notifiersIdle(server), 'the notifiers idle');
  assert.equal(mails.length, 3, 'one mail per transition, no duplicates');
  assert.equal(hooks.length, 3, 'one webhook per transition, no duplicates');
});
