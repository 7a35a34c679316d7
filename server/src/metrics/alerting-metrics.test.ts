// /metrics publishes the notifier config nodes' counters and queue sizes and
// the open alerts per severity: a real server, an alert node with two webhook
// notifiers (one receiver answering over HTTPS, one address nobody listens on),
// and a real scrape through the admin API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowDocument } from '@loopedge/flows';
import { TestAdmin } from '../test-support/test-admin.js';
import type { ApiClient } from '../test-support/api-client.js';
import type { NotifierMetricsView } from './alerting-metrics.js';

const work = mkdtempSync(join(tmpdir(), 'loopedge-alert-metrics-'));
let admin: TestAdmin;
let receiver: HttpsServer;
let scraper: ApiClient;
let hooksReceived = 0;
let certPem = '';

/** A port that was just free: connecting to it is refused, so deliveries there fail. */
async function closedPort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

before(async () => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(work, 'key.pem'), '-out', join(work, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  certPem = readFileSync(join(work, 'cert.pem'), 'utf8');
  receiver = createHttpsServer({ cert: certPem, key: readFileSync(join(work, 'key.pem'), 'utf8') }, (req, res) => {
    req.resume();
    req.on('end', () => {
      hooksReceived++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
  admin = await TestAdmin.start();
  scraper = await admin.signedIn('admin');
});

after(async () => {
  await admin?.stop();
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  rmSync(work, { recursive: true, force: true });
});

function flows(receiverPort: number, deadPort: number | undefined): FlowDocument {
  const notifiers = deadPort === undefined ? ['hook'] : ['hook', 'down'];
  return [
    { id: 'tab1', type: 'tab', label: 'Ovens' },
    { id: 'hook', type: 'notify-webhook', url: `https://127.0.0.1:${receiverPort}/alerts`, maxPerMinute: '100', retryInitialSeconds: '0.2' },
    // Nobody listens: the first attempt fails and the retry is a minute away, so everything stays queued.
    ...(deadPort === undefined ? [] : [{ id: 'down', type: 'notify-webhook', url: `https://127.0.0.1:${deadPort}/alerts`, retryInitialSeconds: '60', retryMaxSeconds: '60' }]),
    { id: 'alert', type: 'alert', z: 'tab1', condition: 'above', threshold: '80', severity: 'critical', key: 'oven-{{topic}}', title: '{{topic}} hot', notifiers, wires: [[]] },
  ] as FlowDocument;
}

function notifierView(id: string): NotifierMetricsView {
  const view = admin.server.runtime.node(id)?.handlers.api as NotifierMetricsView | undefined;
  assert.ok(view, `notifier ${id} runs`);
  return view;
}

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function scrape(): Promise<string> {
  const response = await scraper.get('/metrics');
  assert.equal(response.status, 200, response.text);
  return response.text;
}

/** The value of one sample line, e.g. sample(text, 'loopedge_notifier_queue{notifier="down",type="notify-webhook"}'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('notifier counters, queue sizes and open alerts per severity appear at /metrics; a removed notifier disappears', async () => {
  admin.security.credentials.set('hook', { secret: 'metrics-test-secret', ca: certPem });
  admin.security.credentials.set('down', { secret: 'metrics-test-secret', ca: certPem });
  const receiverPort = (receiver.address() as AddressInfo).port;
  const deployed = await admin.server.runtime.deploy(flows(receiverPort, await closedPort()), { type: 'full' });
  assert.ok(deployed.ok, JSON.stringify(deployed));

  // 1. Three ovens overheat: three alerts, three notifications per notifier.
  for (const oven of ['a', 'b', 'c']) admin.server.runtime.receive('alert', { topic: oven, payload: 95 });
  await until(() => notifierView('hook').queued === 0 && notifierView('hook').counters.delivered >= 1 && notifierView('down').counters.failed >= 1 && notifierView('down').queued === 3, 'the working notifier to empty its queue and the dead one to fail once');
  assert.ok(hooksReceived >= 1, 'the receiver got the notifications');

  // 2. The scrape says what the notifiers say.
  const text = await scrape();
  const hook = notifierView('hook').counters;
  const series = (notifier: string, outcome: string): string => `loopedge_notifications_total{notifier="${notifier}",type="notify-webhook",outcome="${outcome}"}`;
  assert.equal(sample(text, series('hook', 'delivered')), hook.delivered);
  assert.equal(sample(text, series('hook', 'failed')), 0);
  assert.equal(sample(text, series('hook', 'summarized')), hook.summarized);
  assert.equal(hook.delivered - hook.summaries + hook.summarized, 3, 'every notification went out, alone or in a summary');
  assert.equal(sample(text, 'loopedge_notification_summaries_total{notifier="hook",type="notify-webhook"}'), hook.summaries);
  assert.equal(sample(text, 'loopedge_notifier_queue{notifier="hook",type="notify-webhook"}'), 0);
  assert.equal(sample(text, series('down', 'delivered')), 0);
  assert.equal(sample(text, series('down', 'failed')), notifierView('down').counters.failed);
  assert.equal(sample(text, 'loopedge_notifier_queue{notifier="down",type="notify-webhook"}'), 3, 'nothing is dropped while the receiver is down');
  assert.equal(sample(text, 'loopedge_alerts_open{severity="critical"}'), 3);
  assert.equal(sample(text, 'loopedge_alerts_open{severity="minor"}'), 0, 'every severity is present');
  assert.match(text, /# TYPE loopedge_notifications_total counter/);
  assert.match(text, /# TYPE loopedge_notifier_queue gauge/);

  // 3. One oven cools down (cleared alerts are not open); the dead notifier is removed from the flows.
  admin.server.runtime.receive('alert', { topic: 'a', payload: 20 });
  await until(() => admin.server.runtime.options.host!.alerts!.listOpen().length === 2, 'the alert of oven a to clear');
  const redeployed = await admin.server.runtime.deploy(flows(receiverPort, undefined), { type: 'full' });
  assert.ok(redeployed.ok, JSON.stringify(redeployed));
  const later = await scrape();
  assert.equal(sample(later, 'loopedge_alerts_open{severity="critical"}'), 2);
  assert.doesNotMatch(later, /notifier="down"/, 'a notifier that no longer runs is not reported');
  assert.match(later, /loopedge_notifier_queue\{notifier="hook",type="notify-webhook"\} \d+/);
});
