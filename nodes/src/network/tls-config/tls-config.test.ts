import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Type } from '@sinclair/typebox';
import { defineNode, startTestFlow, type TestFlow } from '@loopedge/runtime';
import type { FlowDocument } from '@loopedge/flows';
import { tlsConfigNode, type TlsConfigService } from './index.js';
import { certificateFingerprints } from './tls-options.js';

const dir = mkdtempSync(join(tmpdir(), 'loopedge-tls-config-'));
const file = (name: string) => join(dir, name);
let server: Server;
let port = 0;

/** A test-only node that opens a TLS connection with its tls-config's options and reports what happened. */
const tlsProbeNode = defineNode({
  type: 'tls-probe',
  category: 'network',
  config: Type.Object({ tls: Type.String({ default: '' }) }),
  inputs: 1,
  outputs: 1,
  editor: { label: 'tls-probe', icon: '', color: '#fff' },
  helpFile: '',
  create(node, config) {
    return {
      input(msg, send, done) {
        const tls = node.getConfigNode<TlsConfigService>(config.tls);
        if (!tls) return done(new Error('no tls-config'));
        if (msg.payload === 'options') {
          send({ ...msg, payload: { ...tls, checkServerIdentity: typeof tls.checkServerIdentity } });
          return done();
        }
        const socket = connect({ host: '127.0.0.1', port, ...tls });
        socket.once('secureConnect', () => {
          socket.destroy();
          send({ ...msg, payload: 'connected' });
          done();
        });
        socket.once('error', (error) => done(error));
      },
    };
  },
});

before(async () => {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '1', '-subj', '/CN=LoopEdge test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.pem'), '-days', '1', '-extfile', file('san.ext'));
  server = createServer({ key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem')) }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

function start(tlsConfig: Record<string, unknown>, credentials: Record<string, string> = {}): Promise<TestFlow> {
  const doc = [
    { id: 't1', type: 'tab', label: 'TLS' },
    // The probe comes first: config nodes start before the nodes that use them wherever they sit.
    { id: 'p1', type: 'tls-probe', z: 't1', tls: 'tls1', wires: [['h1']] },
    { id: 'h1', type: 'helper', z: 't1', wires: [] },
    { id: 'tls1', type: 'tls-config', cert: '', key: '', ca: '', verifyservercert: true, ...tlsConfig },
  ] as FlowDocument;
  return startTestFlow(doc, { nodeTypes: [tlsConfigNode, tlsProbeNode], credentials: { get: (id: string) => (id === 'tls1' ? credentials : {}) } });
}

async function probe(flow: TestFlow): Promise<string> {
  flow.receive('p1', { payload: 'go' });
  await flow.waitUntil(() => flow.messagesAt('h1').length > 0 || flow.errors.length > 0, 5000, () => 'the probe never finished');
  return flow.messagesAt('h1').length > 0 ? 'connected' : flow.errors[0]!.message;
}

describe('tls-config', () => {
  test('a CA from a file path or pasted as cadata is trusted; without it the server certificate is refused', async () => {
    for (const [config, credentials] of [[{ ca: file('ca.pem') }, {}], [{}, { cadata: readFileSync(file('ca.pem'), 'utf8') }]] as const) {
      const flow = await start(config, credentials);
      try {
        assert.equal(await probe(flow), 'connected');
      } finally {
        await flow.stop();
      }
    }
    const untrusted = await start({});
    try {
      assert.match(await probe(untrusted), /self.signed|unable to get local issuer|certificate/i);
    } finally {
      await untrusted.stop();
    }
  });

  test('pins: the certificate or its public key (hex or sha256/base64) is accepted, any other is refused, naming what was seen', async () => {
    const raw = new X509Certificate(readFileSync(file('server.pem'))).raw;
    const seen = certificateFingerprints(raw);
    const spkiBase64 = `sha256/${Buffer.from(seen.spki, 'hex').toString('base64')}`;
    const certWithColons = seen.cert.toUpperCase().match(/../g)!.join(':');
    for (const pins of [spkiBase64, certWithColons, `${'0'.repeat(64)}, ${seen.spki}`]) {
      const flow = await start({ ca: file('ca.pem'), pinnedsha256: pins });
      try {
        assert.equal(await probe(flow), 'connected', pins);
      } finally {
        await flow.stop();
      }
    }
    const wrong = await start({ ca: file('ca.pem'), pinnedsha256: 'ab'.repeat(32) });
    try {
      const error = await probe(wrong);
      assert.match(error, /tls-config tls1: the certificate of 127\.0\.0\.1 matches none of the pinned/);
      assert.ok(error.includes(seen.spki), error);
    } finally {
      await wrong.stop();
    }
  });

  test('bad settings fail the deploy naming the node, the property and what to do', async () => {
    await assert.rejects(start({ ca: file('missing.pem') }), /tls-config tls1: cannot read the ca file ".*missing\.pem" \(property "ca"\): the file does not exist/);
    await assert.rejects(start({ cert: file('server.pem') }), /tls-config tls1: a client certificate needs both the certificate and its private key/);
    await assert.rejects(start({ pinnedsha256: 'not-a-pin' }), /tls-config tls1: the pin "not-a-pin" \(property "pinnedsha256"\) is not a SHA-256 fingerprint/);
    await assert.rejects(start({ verifyservercert: false, pinnedsha256: 'ab'.repeat(32) }), /need "verifyservercert" on/);
  });

  test('client certificate, key and passphrase, servername and ALPN reach the options; TLS 1.2 at least', async () => {
    const flow = await start({ servername: 'plant.example', alpnprotocol: 'x-amzn-mqtt-ca', verifyservercert: 'false' }, { certdata: 'CERT', keydata: 'KEY', passphrase: 'pw' });
    try {
      flow.receive('p1', { payload: 'options' });
      const [msg] = await flow.waitForMessages('h1', 1, 5000);
      assert.deepEqual(msg!.payload, { cert: 'CERT', key: 'KEY', passphrase: 'pw', servername: 'plant.example', ALPNProtocols: ['x-amzn-mqtt-ca'], rejectUnauthorized: false, minVersion: 'TLSv1.2', checkServerIdentity: 'undefined' });
    } finally {
      await flow.stop();
    }
  });
});
