// The `loopedge update` commands end to end, through the real CLI entry point:
// device key, trust store, pack, inspect (changes nothing), apply, refusal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess } from '../cli/cli-process.js';
import { writeRuntimeModule } from './update-fixture.js';

async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = new CliProcess(args, env);
  const { code } = await child.waitForExit(60_000);
  return { code, stdout: child.stdoutLines.join('\n'), stderr: child.stderrLines.join('\n') };
}

test('loopedge update: key, trust add, pack, inspect, apply, and a refused downgrade', async () => {
  const work = mkdtempSync(join(tmpdir(), 'loopedge-update-cli-'));
  const data = join(work, 'data');
  const env = { PATH: process.env.PATH ?? '', HOME: work, LOOPEDGE_CREDENTIAL_KEY: 'ab'.repeat(32) };
  try {
    mkdirSync(data, { mode: 0o700 });
    writeFileSync(join(data, 'device.json'), JSON.stringify({ model: 'le-gw-200', groups: [] }));
    const release = generateKeyPairSync('ed25519');
    writeFileSync(join(work, 'release.key'), release.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    writeFileSync(join(work, 'release.pub'), release.publicKey.export({ format: 'pem', type: 'spki' }));

    const key = await cli(['update', 'key', '--data', data], env);
    assert.equal(key.code, 0, key.stderr);
    assert.match(key.stdout, /BEGIN PUBLIC KEY/);
    writeFileSync(join(work, 'device.pub'), `${key.stdout}\n`);

    const trusted = await cli(['update', 'trust', 'add', '--key', join(work, 'release.pub'), '--name', 'releases', '--owner', 'build team', '--data', data], env);
    assert.equal(trusted.code, 0, trusted.stderr);

    const pack = async (version: string): Promise<string> => {
      const dir = writeRuntimeModule(join(work, `build-${version}`), version, 'healthy');
      const output = join(work, `${version}.upd`);
      const packed = await cli(['update', 'pack', '--module', `runtime:loopedge=${dir}`, '--version', version, '--target', 'le-gw-200',
        '--entry', 'modules/loopedge/start.mjs', '--sign', join(work, 'release.key'), '--encrypt-to', join(work, 'device.pub'), '-o', output, '--notes', 'Faster MQTT'], env);
      assert.equal(packed.code, 0, packed.stderr);
      return output;
    };
    const upd = await pack('1.0.0');

    const inspected = await cli(['update', 'inspect', upd, '--data', data], env);
    assert.equal(inspected.code, 0, inspected.stderr);
    assert.match(inspected.stdout, /version 1\.0\.0 for le-gw-200/);
    assert.match(inspected.stdout, /runtime loopedge 1\.0\.0 .* sha256 [0-9a-f]{64}/);
    assert.match(inspected.stdout, /Faster MQTT/);
    assert.equal(existsSync(join(data, 'releases', 'current')), false, 'inspect changed the device');

    const applied = await cli(['update', 'apply', upd, '--data', data], env);
    assert.equal(applied.code, 0, applied.stderr);
    assert.equal(readlinkSync(join(data, 'releases', 'current')), '1.0.0');

    const again = await cli(['update', 'apply', await pack('0.9.0'), '--data', data], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /update refused \(downgrade\)/);
    assert.equal(readlinkSync(join(data, 'releases', 'current')), '1.0.0');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
