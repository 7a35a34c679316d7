/**
 * The process layer on its own: code that has escaped every isolate is still
 * inside the sandbox process. Run a probe with the exact command line the
 * supervisor uses and check what it can reach on this machine.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHILD_ENTRY, planLaunch, probeNetworkIsolation } from './sandbox-launch.js';

const dir = mkdtempSync(join(tmpdir(), 'loopedge-launch-'));
const canaryFile = join(dir, 'canary.txt');
const canary = `canary-${randomBytes(8).toString('hex')}`;
writeFileSync(canaryFile, canary);
process.env.LOOPEDGE_LAUNCH_CANARY = canary;
after(() => {
  rmSync(dir, { recursive: true, force: true });
  delete process.env.LOOPEDGE_LAUNCH_CANARY;
});

/** What a probe finds when run as the sandbox process would be. */
interface ProbeResult {
  readEtcPasswd: string;
  readCanary: string;
  write: string;
  spawn: string;
  env: string[];
  connect: string;
}

function probeSource(port: number): string {
  return `
const fs = require('node:fs');
const attempt = (fn) => { try { fn(); return 'allowed'; } catch (error) { return error.code || error.message; } };
const result = {
  readEtcPasswd: attempt(() => fs.readFileSync('/etc/passwd')),
  readCanary: attempt(() => fs.readFileSync(${JSON.stringify(canaryFile)})),
  write: attempt(() => fs.writeFileSync(${JSON.stringify(join(dir, 'written.txt'))}, 'x')),
  spawn: attempt(() => require('node:child_process').execFileSync('/bin/true')),
  env: Object.keys(process.env),
};
const socket = require('node:net').connect({ host: '127.0.0.1', port: ${port} });
socket.setTimeout(2000);
const finish = (outcome) => { result.connect = outcome; socket.destroy(); process.stdout.write(JSON.stringify(result)); };
socket.on('connect', () => finish('connected'));
socket.on('error', (error) => finish(error.code || error.message));
socket.on('timeout', () => finish('timeout'));
`;
}

function runProbe(command: string, args: string[]): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: {}, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk));
    child.on('error', reject);
    child.on('exit', () => {
      try {
        resolve(JSON.parse(out) as ProbeResult);
      } catch {
        reject(new Error(`The probe printed no result: ${out} ${err}`));
      }
    });
  });
}

describe('sandbox process launch', () => {
  test('the child entry point exists where the launch plan says', () => {
    assert.ok(existsSync(CHILD_ENTRY), CHILD_ENTRY);
  });

  test('escaped code in the sandbox process can read no file outside its code, write nothing, spawn nothing, and sees no environment', async () => {
    const server = createServer((socket) => socket.destroy());
    let connections = 0;
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const network = await probeNetworkIsolation();
      const plan = planLaunch({ maxHeapMb: 64, isolateNetwork: true, childConfig: {} }, network);
      const entry = plan.args.indexOf(CHILD_ENTRY);
      assert.ok(entry > 0, 'the plan starts the child entry point');
      const args = [...plan.args.slice(0, entry), '-e', probeSource(port)];
      const result = await runProbe(plan.command, args);

      assert.equal(result.readEtcPasswd, 'ERR_ACCESS_DENIED');
      assert.equal(result.readCanary, 'ERR_ACCESS_DENIED');
      assert.equal(result.write, 'ERR_ACCESS_DENIED');
      assert.equal(result.spawn, 'ERR_ACCESS_DENIED');
      assert.deepEqual(result.env, [], 'the sandbox process starts with an empty environment');
      assert.ok(!JSON.stringify(result).includes(canary));
      if (plan.networkIsolated) {
        assert.notEqual(result.connect, 'connected', 'no network inside its own namespace');
        assert.equal(connections, 0);
      } else {
        assert.ok(plan.gaps.some((gap) => /network/.test(gap)), 'the missing network isolation is reported');
      }
    } finally {
      server.close();
    }
  });

  test('without network isolation the plan says what remains', () => {
    const plan = planLaunch({ maxHeapMb: 64, isolateNetwork: true, childConfig: {} }, { mode: 'none' });
    assert.equal(plan.networkIsolated, false);
    assert.equal(plan.command, process.execPath);
    assert.match(plan.gaps.join(' '), /shares the host network/);
    assert.ok(plan.args.includes('--experimental-permission'));
    assert.ok(plan.args.includes('--max-old-space-size=64'));
    assert.ok(plan.args.includes('--max-semi-space-size=1'), 'a small young generation keeps GC pauses in the sandbox short');
    assert.ok(!plan.args.some((arg) => arg.startsWith('--allow-child-process') || arg.startsWith('--allow-fs-write')));
  });
});
