import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type IClientOptions } from 'mqtt';
import { silentLogger } from '@loopedge/runtime';
import { startServer } from '../bootstrap/start-server.js';

const dir = mkdtempSync(join(tmpdir(), 'loopedge-datahub-tls-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves when the client connected, rejects with the first error (then stops it). */
async function tryConnect(url: string, options: IClientOptions): Promise<void> {
  const client = connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
      client.once('close', () => reject(new Error('closed before CONNACK')));
    });
  } finally {
    await client.endAsync(true);
  }
}

test('plain application passwords are replaced by hashes in settings.json; mqtts with the device CA and TLS >= 1.2 only', async () => {
  const tlsPort = await freePort();
  const app = { username: 'mes', password: 'mes-password-123', publish: ['req'], subscribe: ['resp'] };
  const settingsFile = join(dir, 'settings.json');
  writeFileSync(settingsFile, JSON.stringify({ datahub: { port: 0, tlsPort, applications: [app] } }));
  writeFileSync(join(dir, 'flows.json'), '[]');
  const start = () => startServer({ flows: join(dir, 'flows.json'), data: dir, port: 0, host: '127.0.0.1', env: {}, logger: silentLogger, bcryptCost: 10, announce: () => undefined });

  let server = await start();
  try {
    const stored = JSON.parse(readFileSync(settingsFile, 'utf8')) as { datahub: { applications: Array<Record<string, unknown>> } };
    assert.equal(stored.datahub.applications[0]!.password, undefined, 'the plain password is gone from the file');
    assert.match(String(stored.datahub.applications[0]!.passwordHash), /^v1\$\$2[aby]\$10\$/);
    assert.equal(readFileSync(settingsFile, 'utf8').includes(app.password), false);

    const ca = server.admin!.security.certificates.caCertificatePem();
    const url = `mqtts://127.0.0.1:${tlsPort}`;
    await tryConnect(url, { ca, username: app.username, password: app.password });
    await assert.rejects(tryConnect(url, { ca, username: app.username, password: 'wrong-password-123' }), /Not authorized|Bad user/i);
    await assert.rejects(tryConnect(url, { username: app.username, password: app.password }), /self[- ]signed|unable to (verify|get)/i, 'without the device CA the certificate is not trusted');
    await assert.rejects(tryConnect(url, { ca, username: app.username, password: app.password, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' } as IClientOptions), /version|protocol|alert/i);
  } finally {
    await server.stop();
  }

  // Next start: the hash from the file is what logs the application in.
  server = await start();
  try {
    const ca = server.admin!.security.certificates.caCertificatePem();
    await tryConnect(`mqtts://127.0.0.1:${tlsPort}`, { ca, username: app.username, password: app.password });
  } finally {
    await server.stop();
  }
});
