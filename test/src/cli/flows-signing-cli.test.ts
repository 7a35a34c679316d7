import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowDocument } from '@loopedge/flows';
import { flowSetHash, generateFlowSigningKeyPair, openTestSecurity, verifyFlowSignature } from '@loopedge/security';
import { runCli } from '@loopedge/server';
import { TestAdmin } from '@loopedge/server/testing';
import { CliProcess } from './cli-process.js';

// End-to-end: the real `loopedge` process signs and checks flow files as a pipeline would.
let workDir: string;
const spawned: CliProcess[] = [];

before(() => {
  workDir = mkdtempSync(join(tmpdir(), 'loopedge-flow-signing-'));
});

after(async () => {
  for (const cli of spawned) cli.kill('SIGKILL');
  await Promise.all(spawned.map((cli) => cli.exited));
  rmSync(workDir, { recursive: true, force: true });
});

async function loopedge(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return loopedgeWithEnv({}, ...args);
}

/** The same command in this process: for the variations, so the suite spawns few processes. */
async function inProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    env: { HOME: workDir },
    stdout: (text) => { stdout += text; },
    stderr: (text) => { stderr += text; },
    exit: (exitCode) => { throw new Error(`unexpected exit(${exitCode})`); },
  });
  return { code, stdout, stderr };
}

async function loopedgeWithEnv(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = new CliProcess(args, { PATH: process.env.PATH, HOME: workDir, ...env });
  spawned.push(cli);
  const { code } = await cli.waitForExit(30_000);
  return { code, stdout: cli.stdoutLines.join('\n'), stderr: cli.stderrLines.join('\n') };
}

const FLOWS: FlowDocument = [
  { id: 'tab1', type: 'tab', label: 'Line 1' },
  { id: 'n1', type: 'inject', z: 'tab1', name: 'tick', x: 120, y: 80, wires: [['n2']] },
  { id: 'n2', type: 'debug', z: 'tab1', name: 'show', x: 320, y: 80, wires: [] },
] as FlowDocument;

describe('loopedge keys generate / flows sign / flows verify', () => {
  test('a generated key signs a flow file; verify accepts it, and refuses it once a byte changed or with another key', async () => {
    const keys = join(workDir, 'keys');
    const generated = await loopedge('keys', 'generate', '--out', keys, '--name', 'ci');
    assert.equal(generated.code, 0, generated.stderr);
    const kid = generated.stdout.trim();
    assert.match(kid, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(statSync(join(keys, 'ci.key')).mode & 0o777, 0o600);
    // Never overwrites a key.
    assert.equal((await inProcess('keys', 'generate', '--out', keys, '--name', 'ci')).code, 2);

    const flowsPath = join(workDir, 'flows.json');
    writeFileSync(flowsPath, JSON.stringify(FLOWS, null, 2));
    const signed = await loopedge('flows', 'sign', flowsPath, '--key', join(keys, 'ci.key'), '--target', 'press-07', '--version', '3', '--prev', 'a'.repeat(64));
    assert.equal(signed.code, 0, signed.stderr);
    const jws = readFileSync(`${flowsPath}.jws`, 'utf8').trim();
    assert.match(jws, /^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+$/);

    const verified = await loopedge('flows', 'verify', flowsPath, '--signature', `${flowsPath}.jws`, '--pub', join(keys, 'ci.pub'));
    assert.equal(verified.code, 0, verified.stderr);
    const report = JSON.parse(verified.stdout) as { hash: string; header: { kid: string; target: string; version: number; prev: string } };
    assert.equal(report.hash, flowSetHash(FLOWS));
    assert.deepEqual([report.header.kid, report.header.target, report.header.version, report.header.prev], [kid, 'press-07', 3, 'a'.repeat(64)]);

    // The device accepts what the CLI signed once the public key is trusted.
    const device = await openTestSecurity();
    try {
      device.security.trustedKeys.add({ name: 'ci', purpose: 'flows', owner: 'pipeline', publicKeyPem: readFileSync(join(keys, 'ci.pub'), 'utf8') }, 'admin');
      const onDevice = await verifyFlowSignature(FLOWS, jws, { trustedKeys: device.security.trustedKeys, deviceId: 'press-07', deviceGroups: [], currentVersion: 2, currentHash: 'a'.repeat(64) });
      assert.ok(onDevice.ok, onDevice.ok ? '' : onDevice.message);
    } finally {
      device.close();
    }

    // One byte changed in the flow file (a node moved by one pixel: layout is signed).
    const tamperedPath = join(workDir, 'tampered.json');
    writeFileSync(tamperedPath, JSON.stringify(FLOWS, null, 2).replace('"x": 120', '"x": 121'));
    const tampered = await loopedge('flows', 'verify', tamperedPath, '--signature', `${flowsPath}.jws`, '--pub', join(keys, 'ci.pub'));
    assert.equal(tampered.code, 1);
    assert.match(tampered.stderr, /signature refused \(bad-signature\)/);

    // The same flows re-indented verify: the signature covers the canonical form, not the file's bytes.
    const reformatted = join(workDir, 'reformatted.json');
    writeFileSync(reformatted, JSON.stringify(FLOWS));
    assert.equal((await inProcess('flows', 'verify', reformatted, '--signature', `${flowsPath}.jws`, '--pub', join(keys, 'ci.pub'))).code, 0);

    writeFileSync(join(keys, 'other.pub'), (await generateFlowSigningKeyPair()).publicKeyPem);
    const otherKey = await inProcess('flows', 'verify', flowsPath, '--signature', `${flowsPath}.jws`, '--pub', join(keys, 'other.pub'));
    assert.equal(otherKey.code, 1);
    assert.match(otherKey.stderr, /unknown-key/);

    const truncatedPath = join(workDir, 'truncated.jws');
    writeFileSync(truncatedPath, jws.slice(0, -12));
    const truncated = await inProcess('flows', 'verify', flowsPath, '--signature', truncatedPath, '--pub', join(keys, 'ci.pub'));
    assert.equal(truncated.code, 1);
    assert.match(truncated.stderr, /malformed/);
  });

  test('usage mistakes exit 2 with what to do', async () => {
    const missing = await inProcess('flows', 'sign', join(workDir, 'nope.json'), '--key', 'x', '--target', 't', '--version', '1');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot be read/);
    const unknownAction = await inProcess('flows', 'publish', 'flows.json');
    assert.equal(unknownAction.code, 2);
    assert.match(unknownAction.stderr, /sign, verify or deploy.*loopedge flows --help/);
  });
});

describe('loopedge flows deploy', () => {
  test('a pipeline deploys signed versions through the API; a refusal prints the server\'s reason', async () => {
    const admin = await TestAdmin.start();
    try {
      const pair = await generateFlowSigningKeyPair();
      const keyPath = join(workDir, 'deploy.key');
      writeFileSync(keyPath, pair.privateKeyPem, { mode: 0o600 });
      const caPath = join(workDir, 'device-ca.pem');
      writeFileSync(caPath, admin.ca);
      admin.security.trustedKeys.add({ name: 'pipeline', purpose: 'flows', owner: 'ci', publicKeyPem: pair.publicKeyPem }, 'admin');
      const editor = await admin.user('editor');
      const { token } = admin.security.apiTokens.create(editor.user.id, { name: 'ci', permissions: ['flows:read', 'flows:write'] });
      const env = { LOOPEDGE_TOKEN: token };
      const deployArgs = (file: string, ...extra: string[]): string[] => ['flows', 'deploy', file, '--url', admin.url, '--key', keyPath, '--ca', caPath, ...extra];

      const client = admin.client();
      client.bearer = token;
      const before = await client.get<{ signing: { version: number } }>('/api/flows');
      const start = before.body.signing.version;

      const first = join(workDir, 'deploy-1.json');
      writeFileSync(first, JSON.stringify(FLOWS));
      const deployed = await loopedgeWithEnv(env, ...deployArgs(first));
      assert.equal(deployed.code, 0, deployed.stderr);
      assert.match(deployed.stdout, new RegExp(`as version ${start + 1} `));

      const second: FlowDocument = [...FLOWS, { id: 'c1', type: 'comment', z: 'tab1', name: 'v2', x: 100, y: 200, wires: [] } as FlowDocument[number]];
      const secondPath = join(workDir, 'deploy-2.json');
      writeFileSync(secondPath, JSON.stringify(second));
      const again = await inProcess(...deployArgs(secondPath, '--token', token));
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, new RegExp(`as version ${start + 2} `));

      const state = await client.get<{ flows: FlowDocument; signing: { version: number; hash: string } }>('/api/flows');
      assert.equal(state.body.signing.version, start + 2);
      assert.equal(state.body.signing.hash, flowSetHash(second));
      assert.deepEqual(state.body.flows.map((item) => item.id), second.map((item) => item.id));

      // Signed for another device: refused by the server with its reason, nothing changes.
      const refused = await inProcess(...deployArgs(first, '--target', 'press-99', '--token', token));
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /flow-signature-invalid\/wrong-target/);
      const after = await client.get<{ signing: { version: number; hash: string } }>('/api/flows');
      assert.deepEqual(after.body.signing, state.body.signing);
    } finally {
      await admin.stop();
    }
  });
});
