import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestFlow } from '@loopedge/runtime';
import { notifyWebhookNode } from './index.js';
import { tlsConfigNode } from '../../network/tls-config/index.js';
import { signWebhookBody, verifyWebhookSignature } from './webhook-signature.js';
import { eventually, makeCertificate, notification, notifierService, startNotifierFlow, type TestCertificate } from '../notifier-shared/test-kit.js';

const SECRET = 'whsec-test-5f1c2a';

interface Received {
  signature: string | undefined;
  delivery: string | undefined;
  contentType: string | undefined;
  body: string;
}

let certificate: TestCertificate;
before(() => {
  certificate = makeCertificate();
});

/** An HTTPS receiver on 127.0.0.1 port 0; `answer` picks the status for each request (or undefined: never answer). */
async function startReceiver(answer: (index: number) => number | undefined | Promise<number> = () => 200): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer({ key: certificate.keyPem, cert: certificate.certPem }, (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const index = received.length;
      received.push({ signature: req.headers['x-loopedge-signature'] as string | undefined, delivery: req.headers['x-loopedge-delivery'] as string | undefined, contentType: req.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') });
      void Promise.resolve(answer(index)).then((status) => {
        if (status === undefined) return; // hang: the notifier's timeout must end the attempt
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 300 ? 'receiver busy' : 'ok');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/alerts`, received };
}

function stopReceiver(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function webhookNode(url: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'hook', type: 'notify-webhook', url, retryInitialSeconds: '0.05', retryMaxSeconds: '0.2', ...extra };
}

const credentials = (): Record<string, Record<string, string>> => ({ hook: { secret: SECRET, ca: certificate.certPem } });

describe('notify-webhook against an HTTPS receiver', () => {
  test('POSTs the notification as JSON with a delivery id, sentAt and an HMAC signature the receiver verifies', async () => {
    const receiver = await startReceiver();
    let flow: TestFlow | undefined;
    try {
      flow = await startNotifierFlow(webhookNode(receiver.url), { types: [notifyWebhookNode], credentials: credentials() });
      const n = notification({ key: 'press-3/temperature', value: { celsius: 91.5 } });
      flow.receive('p', { payload: n });
      await eventually(() => receiver.received.length === 1, 'the webhook');
      const got = receiver.received[0]!;
      assert.equal(got.contentType, 'application/json');
      // Verified the way the README tells receivers to: HMAC-SHA256 of "t.body".
      const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(got.signature ?? '');
      assert.ok(match, `signature header ${got.signature}`);
      assert.equal(createHmac('sha256', SECRET).update(`${match[1]}.${got.body}`).digest('hex'), match[2]);
      assert.equal(verifyWebhookSignature(got.signature, got.body, SECRET, Math.floor(Date.now() / 1000)), undefined);
      const body = JSON.parse(got.body) as Record<string, unknown>;
      assert.equal(body.kind, 'alert');
      assert.equal(body.key, 'press-3/temperature');
      assert.deepEqual(body.value, { celsius: 91.5 });
      assert.equal(body.alertId, n.alertId);
      assert.equal(body.deliveryId, got.delivery);
      assert.ok(!Number.isNaN(Date.parse(body.sentAt as string)));
      await eventually(() => notifierService(flow!, 'hook').counters.delivered === 1, 'the delivery counted');
    } finally {
      await flow?.stop();
      await stopReceiver(receiver.server);
    }
  });

  test('non-2xx answers and a receiver that hangs are retried with back-off; every attempt has the same delivery id', async () => {
    const receiver = await startReceiver((index) => (index === 0 ? 503 : index === 1 ? undefined : 200));
    let flow: TestFlow | undefined;
    try {
      flow = await startNotifierFlow(webhookNode(receiver.url, { timeoutSeconds: '0.3' }), { types: [notifyWebhookNode], credentials: credentials() });
      flow.receive('p', { payload: notification() });
      await eventually(() => notifierService(flow!, 'hook').counters.delivered === 1, 'delivered on the third attempt');
      assert.equal(receiver.received.length, 3);
      assert.equal(new Set(receiver.received.map((r) => r.delivery)).size, 1);
      assert.equal(notifierService(flow, 'hook').counters.failed, 2);
      const warnings = flow.warnings.filter((w) => w.nodeId === 'hook').map((w) => w.message);
      assert.ok(warnings.some((w) => /HTTP 503 from https:\/\/127\.0\.0\.1:\d+\/hooks\/alerts: receiver busy/.test(w)), warnings.join('\n'));
      assert.ok(warnings.some((w) => /no answer from https:\/\/127\.0\.0\.1:\d+ within 0\.3 s/.test(w)), warnings.join('\n'));
    } finally {
      await flow?.stop();
      await stopReceiver(receiver.server);
    }
  });

  test('a storm: maxPerMinute requests, the last one a signed summary of everything still waiting', async () => {
    let release!: () => void;
    const firstAnswer = new Promise<number>((resolve) => (release = () => resolve(200)));
    // The first request is answered only once the whole storm is queued, so the split does not depend on timing.
    const receiver = await startReceiver((index) => (index === 0 ? firstAnswer : 200));
    let flow: TestFlow | undefined;
    try {
      flow = await startNotifierFlow(webhookNode(receiver.url, { maxPerMinute: '3' }), { types: [notifyWebhookNode], credentials: credentials() });
      const service = notifierService(flow, 'hook');
      for (let i = 1; i <= 8; i++) flow.receive('p', { payload: notification({ key: `s${i}`, severity: i % 2 === 0 ? 'critical' : 'warning' }) });
      await eventually(() => service.queued === 8 && receiver.received.length === 1, 'the storm queued behind the first request');
      release();
      await eventually(() => service.queued === 0, 'the queue delivered');
      const bodies = receiver.received.map((r) => JSON.parse(r.body) as { kind: string; key?: string; summary?: { count: number; keys: string[]; text: string } });
      assert.deepEqual(bodies.map((b) => b.kind), ['alert', 'alert', 'summary']);
      assert.deepEqual(bodies.slice(0, 2).map((b) => b.key), ['s1', 's2']);
      assert.equal(bodies[2]!.summary!.count, 6);
      assert.deepEqual(bodies[2]!.summary!.keys, ['s3', 's4', 's5', 's6', 's7', 's8']);
      assert.equal(bodies[2]!.summary!.text, '6 more alert notifications in the last minute: 6 raised (3 critical); keys: s3, s4, s5, s6, s7, s8');
      assert.equal(verifyWebhookSignature(receiver.received[2]!.signature, receiver.received[2]!.body, SECRET, Math.floor(Date.now() / 1000)), undefined);
      assert.deepEqual(service.counters, { delivered: 3, failed: 0, summarized: 6, summaries: 1 });
    } finally {
      await flow?.stop();
      await stopReceiver(receiver.server);
    }
  });

  test('without the shared secret nothing is sent unsigned: the notification waits in the queue', async () => {
    const receiver = await startReceiver();
    let flow: TestFlow | undefined;
    try {
      flow = await startNotifierFlow(webhookNode(receiver.url, { retryInitialSeconds: '60', retryMaxSeconds: '60' }), { types: [notifyWebhookNode], credentials: { hook: { ca: certificate.certPem } } });
      flow.receive('p', { payload: notification() });
      await eventually(() => notifierService(flow!, 'hook').counters.failed === 1, 'the refused attempt');
      assert.equal(receiver.received.length, 0);
      assert.equal(notifierService(flow, 'hook').queued, 1);
      assert.match(notifierService(flow, 'hook').lastError ?? '', /the credential "secret" is empty/);
    } finally {
      await flow?.stop();
      await stopReceiver(receiver.server);
    }
  });

  test('with a tls-config node: its CA and certificate pin decide; a wrong pin keeps the notification queued', async () => {
    const receiver = await startReceiver();
    const rightPin = new X509Certificate(certificate.certPem).fingerprint256;
    const wrongPin = new X509Certificate(makeCertificate().certPem).fingerprint256;
    try {
      for (const [pin, delivered] of [[wrongPin, false], [rightPin, true]] as const) {
        // The tls-config node comes after the notifier in the document: it is looked up at delivery.
        const flow = await startNotifierFlow(webhookNode(receiver.url, { tls: 'tls1', retryInitialSeconds: '60', retryMaxSeconds: '60' }), {
          types: [notifyWebhookNode, tlsConfigNode],
          credentials: { hook: { secret: SECRET }, tls1: { cadata: certificate.certPem } },
          extra: [{ id: 'tls1', type: 'tls-config', verifyservercert: true, pinnedsha256: pin }],
        });
        try {
          flow.receive('p', { payload: notification() });
          const service = notifierService(flow, 'hook');
          await eventually(() => service.counters.delivered + service.counters.failed === 1, 'one attempt');
          assert.equal(service.counters.delivered === 1, delivered, service.lastError);
          if (!delivered) assert.match(service.lastError ?? '', /matches none of the pinned SHA-256 fingerprints/);
        } finally {
          await flow.stop();
        }
      }
      assert.equal(receiver.received.length, 1, 'only the pinned server got the notification');
    } finally {
      await stopReceiver(receiver.server);
    }
  });

  test('an http:// address or a malformed one fails the deploy', async () => {
    await assert.rejects(startNotifierFlow(webhookNode('http://127.0.0.1:9/hook'), { types: [notifyWebhookNode] }), /notify-webhook hook: property "url" must be an https:\/\/ address/);
    await assert.rejects(startNotifierFlow(webhookNode('not a url'), { types: [notifyWebhookNode] }), /notify-webhook hook: property "url" is not a URL/);
  });
});

describe('webhook signature verification (the receiver side)', () => {
  const body = JSON.stringify({ kind: 'alert', key: 'k' });
  const now = 1_760_000_000;
  test('accepts the signature made with the secret', () => {
    assert.equal(verifyWebhookSignature(signWebhookBody(SECRET, body, now), body, SECRET, now + 10), undefined);
  });
  test('refuses a changed body, another secret, an old timestamp and a malformed header', () => {
    const header = signWebhookBody(SECRET, body, now);
    assert.equal(verifyWebhookSignature(header, body.replace('"k"', '"x"'), SECRET, now), 'signature does not match');
    assert.equal(verifyWebhookSignature(header, body, 'other', now), 'signature does not match');
    assert.match(verifyWebhookSignature(header, body, SECRET, now + 301) ?? '', /outside the 300 s tolerance/);
    assert.equal(verifyWebhookSignature('t=1,v1=zz', body, SECRET, now), 'malformed signature header');
    assert.match(verifyWebhookSignature(undefined, body, SECRET, now) ?? '', /no X-LoopEdge-Signature header/);
  });
});
