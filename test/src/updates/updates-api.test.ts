// Updates through the admin API: admins upload a package, follow its progress
// over socket.io and GET, and read the result; other roles see nothing of it.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { packUpdate, releasesRoot, type UpdateJob } from '@loopedge/server';
import { TestAdmin, connectLive, waitForEvent, type ApiClient } from '@loopedge/server/testing';
import { writeRuntimeModule } from './update-fixture.js';

interface StatusBody {
  current: { version: string } | null;
  jobs: UpdateJob[];
  deviceKey: { keyId: string; publicKeyPem: string };
}

async function waitForJob(client: ApiClient, id: string): Promise<UpdateJob> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const response = await client.get<{ job: UpdateJob }>(`/api/updates/${id}`);
    assert.equal(response.status, 200, response.text);
    if (response.body.job.finishedAt) return response.body.job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`update job ${id} did not finish`);
}

describe('updates through the admin API', () => {
  let admin: TestAdmin;
  const releaseKey = generateKeyPairSync('ed25519');

  before(async () => {
    admin = await TestAdmin.start();
    admin.security.trustedKeys.add({ name: 'releases', purpose: 'release', owner: 'build', publicKeyPem: releaseKey.publicKey.export({ format: 'pem', type: 'spki' }).toString() }, 'test');
  });
  after(() => admin.stop());

  async function pack(version: string, options: { behaviour?: 'healthy' | 'exits'; deviceKeyPem: string }): Promise<Buffer> {
    const dir = writeRuntimeModule(join(admin.dataDir, 'build', version), version, options.behaviour ?? 'healthy');
    const output = join(admin.dataDir, 'build', `${version}.upd`);
    // No DATA/device.json in the test server: its model is "loopedge".
    await packUpdate({ version, target: { model: 'loopedge' }, entry: 'modules/runtime/start.mjs', modules: [{ name: 'runtime', version, kind: 'runtime', dir }],
      signingKey: releaseKey.privateKey, encryptTo: createPublicKey(options.deviceKeyPem), output });
    return readFileSync(output);
  }

  test('an admin uploads a package, sees progress live, and the result; a failing release is rolled back', async () => {
    const client = await admin.signedIn('admin');
    const editor = await admin.signedIn('editor');
    const status = await client.get<StatusBody>('/api/updates');
    assert.equal(status.status, 200, status.text);
    assert.equal(status.body.current, null);
    const adminLive = await connectLive(client);
    const editorLive = await connectLive(editor);
    try {
      const upload = await client.post<{ job: UpdateJob }>('/api/updates', undefined, {
        rawBody: await pack('1.0.0', { deviceKeyPem: status.body.deviceKey.publicKeyPem }),
        headers: { 'Content-Type': 'application/octet-stream' },
      });
      assert.equal(upload.status, 202, upload.text);
      const job = await waitForJob(client, upload.body.job.id);
      assert.equal(job.state, 'applied', JSON.stringify(job));
      assert.equal(readlinkSync(join(releasesRoot(admin.dataDir), 'current')), '1.0.0');
      await waitForEvent(adminLive, 'the applied update', (e) => e.event === 'update-progress' && (e.payload as UpdateJob).state === 'applied');
      const phases = adminLive.received.filter((e) => e.event === 'update-progress').map((e) => (e.payload as UpdateJob).progress.phase);
      assert.ok(phases.includes('staging') && phases.includes('health-check'), phases.join());

      const failing = await client.post<{ job: UpdateJob }>('/api/updates', undefined, {
        rawBody: await pack('1.1.0', { behaviour: 'exits', deviceKeyPem: status.body.deviceKey.publicKeyPem }),
        headers: { 'Content-Type': 'application/octet-stream' },
      });
      const rolledBack = await waitForJob(client, failing.body.job.id);
      assert.equal(rolledBack.state, 'rolled-back');
      assert.equal(rolledBack.error?.code, 'health-check-failed');
      assert.equal(readlinkSync(join(releasesRoot(admin.dataDir), 'current')), '1.0.0');

      // A package for another device: refused, with the reason in the job and the audit log.
      const stranger = generateKeyPairSync('x25519').publicKey.export({ format: 'pem', type: 'spki' }).toString();
      const refused = await client.post<{ job: UpdateJob }>('/api/updates', undefined, { rawBody: await pack('1.2.0', { deviceKeyPem: stranger }), headers: { 'Content-Type': 'application/octet-stream' } });
      const refusedJob = await waitForJob(client, refused.body.job.id);
      assert.equal(refusedJob.state, 'refused');
      assert.equal(refusedJob.error?.code, 'not-for-this-device');
      const audit = admin.security.audit.list({ action: 'update.apply', limit: 10 });
      assert.equal(audit[0]?.outcome, 'failure');
      assert.equal(audit[0]?.details?.code, 'not-for-this-device');
      assert.ok(audit[0]?.actor, 'the audit entry names who uploaded');
      assert.ok(admin.security.audit.list({ action: 'update.upload', limit: 10 }).length >= 3);

      // Live progress went to admins only.
      admin.server.admin!.server.live.io.emit('test-marker', {});
      await waitForEvent(editorLive, 'the marker', (e) => e.event === 'test-marker');
      assert.equal(editorLive.received.some((e) => e.event === 'update-progress'), false);
    } finally {
      adminLive.close();
      editorLive.close();
    }
  });

  test('uploads need the octet-stream type and an admin', async () => {
    const client = await admin.signedIn('admin');
    const json = await client.post('/api/updates', { package: 'x' });
    assert.equal(json.status, 415);
    const editor = await admin.signedIn('editor');
    const denied = await editor.post('/api/updates', undefined, { rawBody: Buffer.from('LEUPD'), headers: { 'Content-Type': 'application/octet-stream' } });
    assert.equal(denied.status, 403);
  });
});
