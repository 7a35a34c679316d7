import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startTestFlow, type TestFlow } from '@loopedge/runtime';
import type { FlowDocument } from '@loopedge/flows';
import { catchNode } from '../../common/catch/index.js';
import { tlsConfigNode } from '../tls-config/index.js';
import { httpRequestNode } from './index.js';
import { MemoryAlertService } from '../../alerting/shared/memory-alert-service.js';

/**
 * The cloud endpoint: a real HTTPS server with a test CA. It records each body
 * it accepted; bodies named in `answers` get that status once (or always, for 400).
 */
class CloudEndpoint {
  readonly received: string[] = [];
  readonly answers = new Map<string, number>();
  server: Server | undefined;
  port = 0;
  constructor(readonly tls: { key: Buffer; cert: Buffer }) {}

  async start(): Promise<void> {
    const server = createServer(this.tls, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        const status = this.answers.get(body);
        if (status !== undefined) {
          if (status !== 400) this.answers.delete(body);
          return void res.writeHead(status).end(`status ${status}`);
        }
        this.received.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ stored: body, auth: req.headers.authorization ?? null }));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('http request store-and-forward (HTTPS endpoint that goes away)', () => {
  let dir: string;
  let endpoint: CloudEndpoint;
  let caPem: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loopedge-http-sf-'));
    const file = (name: string): string => join(dir, name);
    const openssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '1', '-subj', '/CN=LoopEdge test CA');
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=127.0.0.1');
    writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.pem'), '-days', '1', '-extfile', file('san.ext'));
    caPem = readFileSync(file('ca.pem'), 'utf8');
    endpoint = new CloudEndpoint({ key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem')) });
    await endpoint.start();
  });
  after(async () => {
    await endpoint.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (dataDir: string): Promise<TestFlow> => {
    const flow = [
      { id: 't1', type: 'tab', label: 'Cloud' },
      { id: 'tls', type: 'tls-config', verifyservercert: true },
      { id: 'n', type: 'http request', z: 't1', method: 'POST', ret: 'obj', url: `https://127.0.0.1:${endpoint.port}/ingest`, tls: 'tls', authType: 'bearer', storeForward: true, sfMaxMessages: '100', wires: [['out']] },
      { id: 'out', type: 'helper', z: 't1', wires: [] },
      { id: 'c', type: 'catch', z: 't1', scope: null, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 't1', wires: [] },
    ] as FlowDocument;
    const credentials: Record<string, Record<string, string>> = { tls: { cadata: caPem }, n: { password: 'cloud-secret' } };
    return startTestFlow(flow, {
      nodeTypes: [httpRequestNode, tlsConfigNode, catchNode],
      settings: { dataDir, httpRequestRetryMaxMs: 200 },
      credentials: { get: (id) => credentials[id] ?? {} },
    });
  };
  const queueEmpty = (flow: TestFlow): boolean => flow.statuses('n').at(-1)?.text === '0 queued';

  test('requests sent during an outage and across a runtime restart arrive once, in order; the queue empties', async () => {
    const dataDir = join(dir, 'outage');
    let flow = await start(dataDir);
    try {
      for (const i of [1, 2, 3]) flow.receive('n', { payload: `m${i}`, topic: `t${i}` });
      const first = await flow.waitForMessages('out', 3, 5000);
      assert.deepEqual(first.map((m) => (m.payload as { stored: string }).stored), ['m1', 'm2', 'm3']);
      assert.equal(first[0]!.topic, 't1');
      assert.equal((first[0]!.payload as { auth: string }).auth, 'Bearer cloud-secret', 'credentials are added when sending');

      await endpoint.stop();
      for (const i of [4, 5, 6]) flow.receive('n', { payload: `m${i}` });
      await flow.waitUntil(() => flow.statuses('n').some((s) => /retrying: ECONNREFUSED/.test(s.text ?? '')), 5000, () => 'no retry status');
      // The queue file must not hold the node's credentials.
      const stored = readFileSync(join(dataDir, 'store-forward', 'http-request-n.sqlite'));
      assert.equal(stored.includes('cloud-secret'), false);

      await flow.stop();
      flow = await start(dataDir);
      for (const i of [7, 8]) flow.receive('n', { payload: `m${i}` });
      await flow.waitUntil(() => flow.statuses('n').some((s) => /5 queued/.test(s.text ?? '')), 5000, () => `queued: ${JSON.stringify(flow.statuses('n').at(-1))}`);
      await endpoint.start(); // same port
      await flow.waitUntil(() => endpoint.received.length >= 8 && queueEmpty(flow), 10_000, () => `received ${endpoint.received.join(',')}`);
      assert.deepEqual(endpoint.received, ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8']);
      assert.equal(flow.errors.length, 0, JSON.stringify(flow.errors));
    } finally {
      await flow.stop();
    }
  });

  test('503 and 429 are retried; 400 is reported to catch once and not retried; later requests go on', async () => {
    endpoint.received.length = 0;
    endpoint.answers.set('busy', 503).set('slow-down', 429).set('bad', 400);
    const flow = await start(join(dir, 'statuses'));
    try {
      for (const body of ['busy', 'bad', 'slow-down', 'after']) flow.receive('n', { payload: body });
      await flow.waitUntil(() => endpoint.received.length >= 3 && queueEmpty(flow), 10_000, () => `received ${endpoint.received.join(',')}`);
      assert.deepEqual(endpoint.received, ['busy', 'slow-down', 'after']);
      const caught = await flow.waitForMessages('caught', 1);
      assert.equal(caught.length, 1);
      assert.match(String((caught[0]!.error as { message: string }).message), /answered 400, which will not change on retry/);
      assert.equal(caught[0]!.statusCode, 400);
    } finally {
      await flow.stop();
    }
  });

  test('drop-newest: a full queue refuses the new request with an error to catch and a system alert', async () => {
    await endpoint.stop();
    const alerts = new MemoryAlertService();
    const flow = await startTestFlow([
      { id: 't1', type: 'tab', label: 'Cloud' },
      { id: 'n', type: 'http request', z: 't1', method: 'POST', url: `http://127.0.0.1:${endpoint.port}/ingest`, storeForward: true, sfMaxMessages: '2', sfOverflow: 'drop-newest', wires: [['out']] },
      { id: 'out', type: 'helper', z: 't1', wires: [] },
      { id: 'c', type: 'catch', z: 't1', scope: null, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 't1', wires: [] },
    ] as FlowDocument, { nodeTypes: [httpRequestNode, catchNode], settings: { dataDir: join(dir, 'full'), httpRequestRetryMaxMs: 200 }, host: { alerts } });
    try {
      for (const i of [1, 2, 3]) flow.receive('n', { payload: `f${i}` });
      const caught = await flow.waitForMessages('caught', 1);
      assert.match(String((caught[0]!.error as { message: string }).message), /queue is full \(2 requests\)/);
      assert.equal(flow.warnings.some((w) => /dropped 1 request/.test(w.message)), true);
      const alert = alerts.openByKey('system:store-forward:n');
      assert.equal(alert?.severity, 'major');
      assert.match(alert!.message, /1 request\(s\) dropped/);
    } finally {
      await flow.stop();
      await endpoint.start();
    }
  });
});
