import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { silentLogger } from '@loopedge/runtime';
import { startServer } from '../bootstrap/start-server.js';
import { StartupError } from '../bootstrap/startup-error.js';

const dir = mkdtempSync(join(tmpdir(), 'loopedge-datahub-server-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('the server starts the DataHub from settings.json; an application talks to a flow through it', async () => {
  const port = await freePort();
  const app = { username: 'mes', password: 'mes-password-123', publish: ['req'], subscribe: ['resp'] };
  writeFileSync(join(dir, 'settings.json'), JSON.stringify({ datahub: { port, applications: [app] }, mqttReconnectTime: 100 }));
  const flows = join(dir, 'flows.json');
  writeFileSync(
    flows,
    JSON.stringify([
      { id: 't1', type: 'tab', label: 'echo' },
      { id: 'in', type: 'datahub-in', z: 't1', topic: 'req', datatype: 'utf8', wires: [['out']] },
      { id: 'out', type: 'datahub-out', z: 't1', topic: 'resp', qos: '1', wires: [] },
    ]),
  );
  const server = await startServer({ flows, data: dir, env: {}, logger: silentLogger });
  const client = connect(`mqtt://127.0.0.1:${port}`, { username: app.username, password: app.password, reconnectPeriod: 0 });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    const replies: string[] = [];
    client.on('message', (_topic, payload) => replies.push(payload.toString()));
    await client.subscribeAsync('resp', { qos: 1 });
    // Resend until the flow's subscription is live (it connects on its own schedule).
    for (let i = 0; i < 250 && replies.length === 0; i++) {
      await client.publishAsync('req', 'ping', { qos: 1 });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(replies[0], 'ping');
  } finally {
    await client.endAsync();
    await server.stop();
  }
});

test('an invalid datahub section stops the start with a settings error', async () => {
  const data = mkdtempSync(join(dir, 'bad-'));
  writeFileSync(join(data, 'settings.json'), JSON.stringify({ datahub: { port: 'nope' } }));
  writeFileSync(join(data, 'flows.json'), '[]');
  await assert.rejects(startServer({ flows: join(data, 'flows.json'), data, env: {}, logger: silentLogger }), (error: unknown) => error instanceof StartupError && /"datahub".port must be a port number/.test(error.message));
});
