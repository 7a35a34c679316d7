import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { get } from 'node:https';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient, totpCode } from '@loopedge/server/testing';
import { CLI_PATH, CliProcess } from '../cli/cli-process.js';

// First start end to end, through the real `loopedge` process: the setup link
// it prints → the first admin → two-factor on → sign-in needs the code.
// Also `loopedge users add` against the same data folder.

let workDir: string;
const spawned: CliProcess[] = [];

before(() => {
  workDir = mkdtempSync(join(tmpdir(), 'loopedge-first-start-'));
});
after(async () => {
  for (const cli of spawned) cli.kill('SIGKILL');
  await Promise.all(spawned.map((cli) => cli.exited));
  rmSync(workDir, { recursive: true, force: true });
});

/** Trust on first use, as a person does: fetch the device CA once without checking, then pin it. */
function downloadCa(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/api/certificates/ca', rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

function usersAdd(args: string[], password: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, 'users', 'add', ...args], { env: { PATH: process.env.PATH, HOME: workDir }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(`${password}\n`);
  });
}

describe('first start', () => {
  test('setup link → first admin → two-factor enrolled → sign-in with a TOTP code; users add from the command line', async () => {
    const dataDir = join(workDir, 'data');
    const cli = new CliProcess(['start', '--port', '0', '--data', dataDir], { PATH: process.env.PATH, HOME: workDir, LOOPEDGE_LOG_LEVEL: 'info' });
    spawned.push(cli);
    const linkPattern = /https:\/\/127\.0\.0\.1:(\d+)\/setup\?token=([A-Za-z0-9_%-]+)/;
    await cli.waitUntil('the setup link', () => cli.plainErrors.some((line) => linkPattern.test(line)));
    const [, port, token] = linkPattern.exec(cli.plainErrors.find((line) => linkPattern.test(line))!)!;
    assert.equal(statSync(join(dataDir, 'security.sqlite')).mode & 0o777, 0o600, 'the security database is owner-only');

    const ca = await downloadCa(Number(port));
    assert.match(ca, /BEGIN CERTIFICATE/);
    const browser = new ApiClient(`https://127.0.0.1:${port}`, ca);
    assert.deepEqual((await browser.get('/api/auth/setup')).body, { needsSetup: true });
    assert.equal((await browser.get(`/setup?token=${token}`)).status, 200);
    assert.equal((await browser.login('plant-admin', 'anything-at-all-here')).status, 401, 'no default account exists');

    const password = 'Turbine-Gearbox-Lantern-2031';
    const setup = await browser.post<{ user: { role: string } }>('/api/auth/setup', { token: decodeURIComponent(token!), username: 'plant-admin', password });
    assert.equal(setup.status, 201, setup.text);
    assert.equal(setup.body.user.role, 'admin');
    assert.equal((await browser.post('/api/auth/setup', { token: decodeURIComponent(token!), username: 'second', password })).status, 409, 'the link works once');

    assert.equal((await browser.login('plant-admin', password)).status, 200);
    const enrollment = await browser.post<{ secret: string; qrDataUrl: string; otpauthUrl: string }>('/api/auth/2fa/enroll');
    assert.equal(enrollment.status, 200, enrollment.text);
    assert.match(enrollment.body.qrDataUrl, /^data:image\/png;base64,/);
    assert.match(enrollment.body.otpauthUrl, /^otpauth:\/\/totp\//);
    const confirmed = await browser.post<{ recoveryCodes: string[] }>('/api/auth/2fa/confirm', { code: totpCode(enrollment.body.secret, Date.now()) });
    assert.equal(confirmed.status, 200, confirmed.text);
    assert.equal(confirmed.body.recoveryCodes.length, 10);
    assert.equal((await browser.post('/api/auth/logout')).status, 204);
    assert.equal((await browser.get('/api/auth/me')).status, 401, 'signed out');

    const withoutCode = await browser.login('plant-admin', password);
    assert.equal(withoutCode.status, 401);
    assert.equal((withoutCode.body as { error: { code: string } }).error.code, 'two-factor-required');
    // The next 30-second step: the code used to confirm cannot be used twice.
    const withCode = await browser.login('plant-admin', password, { totp: totpCode(enrollment.body.secret, Date.now() + 30_000) });
    assert.equal(withCode.status, 200, withCode.text);
    const me = await browser.get<{ user: { username: string; twoFactorEnabled: boolean } }>('/api/auth/me');
    assert.deepEqual([me.body.user.username, me.body.user.twoFactorEnabled], ['plant-admin', true]);
    const recovery = new ApiClient(browser.baseUrl, ca);
    assert.equal((await recovery.login('plant-admin', password, { recoveryCode: confirmed.body.recoveryCodes[0]! })).status, 200, 'a recovery code works once');
    assert.notEqual((await new ApiClient(browser.baseUrl, ca).login('plant-admin', password, { recoveryCode: confirmed.body.recoveryCodes[0]! })).status, 200, 'and only once');

    // From the command line, while the server runs on the same data folder.
    const weak = await usersAdd(['--username', 'shift-lead', '--role', 'operator', '--data', dataDir], 'password');
    assert.equal(weak.code, 2, weak.stderr);
    assert.match(weak.stderr, /rejected/);
    const added = await usersAdd(['--username', 'shift-lead', '--role', 'operator', '--data', dataDir], 'Conveyor-Maple-Harbour-77');
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /Created operator "shift-lead"/);
    const operator = new ApiClient(browser.baseUrl, ca);
    assert.equal((await operator.login('shift-lead', 'Conveyor-Maple-Harbour-77')).status, 200);
    assert.equal((await operator.get('/api/users')).status, 403);

    cli.kill('SIGTERM');
    assert.deepEqual(await cli.waitForExit(), { code: 0, signal: null });
  });
});
