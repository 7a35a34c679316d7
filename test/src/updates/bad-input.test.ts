// Every kind of bad package the issue lists: each is refused with its own
// reason, leaves an audit entry, and the running release keeps running untouched.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeEntryHeader, UpdateError, releasesRoot, type UpdateErrorCode } from '@loopedge/server';
import { openTestDevice, treeHash, isAlive, type TestDevice } from './update-fixture.js';

describe('update packages a device refuses', () => {
  let device: TestDevice;
  let runningPid: number | undefined;
  let currentTree: string;

  before(async () => {
    device = await openTestDevice();
    const first = await device.service.apply(await device.pack('1.0.0'), { actor: 'alice' });
    assert.equal(first.outcome, 'applied');
    runningPid = device.service.running?.pid;
    currentTree = await treeHash(join(releasesRoot(device.dataDir), '1.0.0'));
  });
  after(async () => device.close());

  /** Applies `path`, expects a refusal with one of `codes`, then checks the device is as it was. */
  async function expectRefused(path: string, codes: UpdateErrorCode[], pattern?: RegExp): Promise<UpdateError> {
    const auditBefore = device.security.audit.list({ limit: 1 })[0]?.seq ?? 0;
    const error = await device.service.apply(path, { actor: 'alice', sourceIp: '10.0.0.9' }).then(
      () => assert.fail('the package was applied'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof UpdateError, `expected an UpdateError, got ${String(error)}`);
    assert.ok(codes.includes(error.code), `expected ${codes.join('|')}, got ${error.code}: ${error.message}`);
    if (pattern) assert.match(error.message, pattern);
    const entry = device.security.audit.list({ limit: 1 })[0];
    assert.ok(entry && entry.seq > auditBefore, 'no audit entry');
    assert.equal(entry.action, 'update.apply');
    assert.equal(entry.outcome, 'failure');
    assert.equal(entry.details?.code, error.code);
    assert.equal(entry.sourceIp, '10.0.0.9');
    // The running release: same link, same files, same process.
    assert.equal(readlinkSync(join(releasesRoot(device.dataDir), 'current')), '1.0.0');
    assert.equal(await treeHash(join(releasesRoot(device.dataDir), '1.0.0')), currentTree);
    assert.equal(device.service.running?.pid, runningPid);
    assert.ok(isAlive(runningPid), 'the running release was stopped');
    return error;
  }

  test('one flipped byte anywhere in the package', async () => {
    const good = readFileSync(await device.pack('1.1.0'));
    const positions = [0, 5, 8, 11, 40, 300, Math.floor(good.length / 2), good.length - 20, good.length - 1];
    for (let i = 1; i <= 12; i++) positions.push(Math.floor((good.length * i) / 13));
    for (const position of positions) {
      const bad = Buffer.from(good);
      bad[position] = (bad[position] as number) ^ 0x01;
      const path = join(device.workDir, `flipped-${position}.upd`);
      writeFileSync(path, bad);
      await expectRefused(path, ['package-malformed', 'package-corrupt', 'package-truncated', 'not-for-this-device', 'signature-invalid', 'key-untrusted', 'manifest-invalid']);
    }
  });

  test('a package signed by an unknown key, or by a revoked one', async () => {
    const stranger = generateKeyPairSync('ed25519');
    await expectRefused(await device.pack('1.1.0', { signingKey: stranger.privateKey }), ['key-untrusted'], /not in this device's trust store/);
    const revoked = generateKeyPairSync('ed25519');
    const info = device.security.trustedKeys.add({ name: 'old build server', purpose: 'release', owner: 'ops', publicKeyPem: revoked.publicKey.export({ format: 'pem', type: 'spki' }).toString() }, 'alice');
    const path = await device.pack('1.1.0', { signingKey: revoked.privateKey });
    device.security.trustedKeys.revoke(info.id, 'build server compromised', 'alice');
    await expectRefused(path, ['key-revoked'], /compromised/);
  });

  test('a package encrypted to another device', async () => {
    const other = generateKeyPairSync('x25519');
    await expectRefused(await device.pack('1.1.0', { encryptTo: other.publicKey }), ['not-for-this-device']);
  });

  test('a module whose hash does not match the signed manifest', async () => {
    const path = await device.pack('1.1.0', {
      alterManifest: (m) => ({ ...m, modules: m.modules.map((mod) => ({ ...mod, sha256: 'ab'.repeat(32) })) }),
    });
    await expectRefused(path, ['module-hash-mismatch'], /SHA-256/);
    assert.deepEqual(leftovers(device), [], 'the staging folder was left behind');
  });

  test('a manifest for another model or group', async () => {
    await expectRefused(await device.pack('1.1.0', { target: { model: 'le-gw-900' } }), ['wrong-target'], /le-gw-900/);
    await expectRefused(await device.pack('1.1.0', { target: { model: 'le-gw-200', group: 'line-7' } }), ['wrong-target'], /line-7/);
  });

  test('a downgrade, and the same version again; an upgrade from too old a release', async () => {
    await expectRefused(await device.pack('0.9.0'), ['downgrade'], /not newer/);
    await expectRefused(await device.pack('1.0.0'), ['downgrade']);
    await expectRefused(await device.pack('1.0.0', { rollback: true }), ['downgrade'], /already running/);
    await expectRefused(await device.pack('2.0.0', { minFromVersion: '1.5.0' }), ['version-too-old']);
  });

  test('a truncated package', async () => {
    const good = readFileSync(await device.pack('1.1.0', { extraBytes: 200_000, chunkSize: 16 * 1024 }));
    for (const length of [4, 100, Math.floor(good.length / 3), good.length - 16 * 1024 - 21, good.length - 1]) {
      const path = join(device.workDir, `truncated-${length}.upd`);
      writeFileSync(path, good.subarray(0, length));
      await expectRefused(path, ['package-truncated', 'package-corrupt']);
    }
    // Cut exactly at a frame boundary, before the final frame: only the missing final flag tells.
    const path = join(device.workDir, 'truncated-boundary.upd');
    writeFileSync(path, good);
    truncateSync(path, frameBoundaryBeforeLast(good));
    await expectRefused(path, ['package-truncated']);
  });

  test('a package that would fill the disk', async () => {
    const path = await device.pack('1.1.0', { alterManifest: (m) => ({ ...m, modules: m.modules.map((mod) => ({ ...mod, unpackedSize: 2 ** 52 })) }) });
    await expectRefused(path, ['insufficient-disk-space'], /free/);
    // A manifest that understates what a module unpacks to is caught while streaming.
    const lying = await device.pack('1.1.0', { extraBytes: 100_000, alterManifest: (m) => ({ ...m, modules: m.modules.map((mod) => ({ ...mod, unpackedSize: 1000 })) }) });
    await expectRefused(lying, ['module-hash-mismatch'], /more than the 1000 bytes/);
  });

  test('path traversal, absolute paths and symlinks inside a module', async () => {
    const hostile: Array<[string, Buffer]> = [
      ['traversal', Buffer.concat([encodeEntryHeader({ path: '../../etc/passwd', type: 'file', mode: 0o644, size: 5 }), Buffer.from('root\n')])],
      ['nested traversal', Buffer.concat([encodeEntryHeader({ path: 'lib/../../../x', type: 'file', mode: 0o644, size: 1 }), Buffer.from('x')])],
      ['absolute', Buffer.concat([encodeEntryHeader({ path: '/etc/passwd', type: 'file', mode: 0o644, size: 5 }), Buffer.from('root\n')])],
      ['symlink', encodeEntryHeader({ path: 'lib/link', type: 'symlink', mode: 0o777, size: 0 })],
    ];
    for (const [name, bytes] of hostile) {
      const path = await device.pack('1.1.0', { modules: [{ name: 'runtime', version: '1.1.0', kind: 'runtime', bytes: async function* () { yield bytes; } }] });
      const error = await expectRefused(path, ['unsafe-archive']);
      assert.match(error.message, /Module "runtime" holds/, name);
    }
    assert.equal(existsSync(join(device.dataDir, '..', 'etc')), false);
    assert.equal(existsSync(join(releasesRoot(device.dataDir), '..', '..', 'etc', 'passwd')), false);
    assert.deepEqual(leftovers(device), []);
  });

  test('a release that starts but fails its health check is rolled back automatically', async () => {
    for (const behaviour of ['exits', 'api-fails', 'flows-fail'] as const) {
      const result = await device.service.apply(await device.pack('1.2.0', { behaviour }), { actor: 'alice' });
      assert.equal(result.outcome, 'rolled-back', behaviour);
      assert.equal(result.code, 'health-check-failed');
      assert.match(result.reason ?? '', behaviour === 'exits' ? /exited \(code 3\).*cannot open the flow file/ : behaviour === 'api-fails' ? /answered 503/ : /flows did not start: node n1/);
      assert.equal(readlinkSync(join(releasesRoot(device.dataDir), 'current')), '1.0.0');
      assert.equal(await treeHash(join(releasesRoot(device.dataDir), '1.0.0')), currentTree);
      // The old release runs again (a new process, since it was restarted).
      assert.ok(isAlive(device.service.running?.pid));
      assert.equal(device.service.running?.version, '1.0.0');
      const [applyEntry, rollbackEntry] = device.security.audit.list({ limit: 2 });
      assert.equal(applyEntry?.action, 'update.apply');
      assert.equal(applyEntry?.outcome, 'failure');
      assert.equal(applyEntry?.details?.code, 'health-check-failed');
      assert.equal(rollbackEntry?.action, 'update.rollback');
    }
    runningPid = device.service.running?.pid;
  });

  test('a good package is applied; the previous release is kept; a signed rollback goes back', async () => {
    const progress: string[] = [];
    const result = await device.service.apply(await device.pack('1.3.0'), { actor: 'alice', onProgress: (p) => progress.push(p.phase) });
    assert.deepEqual(result, { outcome: 'applied', from: '1.0.0', to: '1.3.0' });
    assert.deepEqual([...new Set(progress)], ['verifying', 'staging', 'switching', 'health-check', 'done']);
    const root = releasesRoot(device.dataDir);
    assert.equal(readlinkSync(join(root, 'current')), '1.3.0');
    assert.equal(readlinkSync(join(root, 'previous')), '1.0.0');
    assert.equal(statSync(join(root, '1.3.0', 'modules', 'runtime', 'start.mjs')).isFile(), true);
    assert.equal(device.service.running?.version, '1.3.0');
    const back = await device.service.apply(await device.pack('1.0.1', { rollback: true }), { actor: 'alice' });
    assert.equal(back.outcome, 'applied');
    assert.equal(readlinkSync(join(root, 'current')), '1.0.1');
  });
});

function leftovers(device: TestDevice): string[] {
  const root = releasesRoot(device.dataDir);
  return existsSync(root) ? readdirSync(root).filter((name) => name.startsWith('.')) : [];
}

/** The offset where the last frame starts (walking the frames from the header). */
function frameBoundaryBeforeLast(bytes: Buffer): number {
  let position = 8 + 4 + bytes.readUInt32BE(8);
  let last = position;
  while (position < bytes.length) {
    last = position;
    position += 5 + bytes.readUInt32BE(position + 1);
  }
  return last;
}
