import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { openTestSecurity, totpCodeAt, type TestSecurity } from '../testing/open-test-security.js';
import { SecurityError } from '../errors/security-error.js';
import type { PublicUser } from '../types.js';

const PASSWORD = 'tidal-Orbit-kettle-92';
const IP = '192.0.2.20';
const STEP_MS = 30_000;
const code = (error: unknown): string | undefined => (error instanceof SecurityError ? error.code : undefined);

describe('two-factor login', () => {
  let t: TestSecurity;
  let alice: PublicUser;
  let admin: PublicUser;
  let secret: string;
  let recoveryCodes: string[];

  const login = (extra: { totp?: string; recoveryCode?: string } = {}) =>
    t.security.auth.login({ username: 'alice', password: PASSWORD, sourceIp: IP, ...extra });
  // A fresh 30-second step, so every test starts with a code no one has used.
  const nextStep = () => t.clock.advance(STEP_MS);

  before(async () => {
    t = await openTestSecurity();
    alice = await t.security.users.create({ username: 'alice', password: PASSWORD, role: 'operator' });
    admin = await t.security.users.create({ username: 'root-admin', password: PASSWORD, role: 'admin' });
  });
  after(() => t.close());

  test('enrollment gives a secret, an otpauth URL and a QR code, and is not active until confirmed', async () => {
    const enrollment = await t.security.twoFactor.beginEnrollment(alice.id);
    secret = enrollment.secret;
    assert.match(enrollment.otpauthUrl, /^otpauth:\/\/totp\/LoopEdge:alice\?/);
    assert.ok(enrollment.otpauthUrl.includes(`secret=${secret}`));
    assert.match(enrollment.qrDataUrl, /^data:image\/png;base64,/);
    assert.equal(t.security.users.get(alice.id)?.twoFactorEnabled, false);
    assert.equal((await login()).ok, true);

    await assert.rejects(t.security.twoFactor.confirmEnrollment(alice.id, '000000'), (e) => code(e) === 'invalid-totp');
    ({ recoveryCodes } = await t.security.twoFactor.confirmEnrollment(alice.id, totpCodeAt(secret, t.clock.now())));
    assert.equal(recoveryCodes.length, 10);
    assert.equal(new Set(recoveryCodes).size, 10);
    assert.equal(t.security.users.get(alice.id)?.twoFactorEnabled, true);
  });

  test('the TOTP secret and recovery codes are not stored in the clear', () => {
    const db = new Database(join(t.dataDir, 'security.sqlite'), { readonly: true });
    try {
      const dump = JSON.stringify([db.prepare('SELECT * FROM users').all(), db.prepare('SELECT * FROM recovery_codes').all()]);
      assert.ok(!dump.includes(secret));
      for (const recovery of recoveryCodes) assert.ok(!dump.includes(recovery) && !dump.includes(recovery.replace(/-/g, '')));
    } finally {
      db.close();
    }
  });

  test('the password alone now asks for the second factor', async () => {
    assert.deepEqual(await login(), { ok: false, reason: 'two-factor-required' });
    assert.deepEqual(await login({ totp: '123456' }), { ok: false, reason: 'invalid' });
  });

  test('the code enrollment used cannot log in (no reuse), the next one can, once', async () => {
    assert.deepEqual(await login({ totp: totpCodeAt(secret, t.clock.now()) }), { ok: false, reason: 'invalid' });
    nextStep();
    const current = totpCodeAt(secret, t.clock.now());
    assert.equal((await login({ totp: current })).ok, true);
    assert.deepEqual(await login({ totp: current }), { ok: false, reason: 'invalid' });
  });

  test('a code one step old or one step ahead is accepted, two steps away is not', async () => {
    nextStep();
    nextStep();
    nextStep();
    assert.equal((await login({ totp: totpCodeAt(secret, t.clock.now() - STEP_MS) })).ok, true);
    nextStep();
    nextStep();
    assert.equal((await login({ totp: totpCodeAt(secret, t.clock.now() + STEP_MS) })).ok, true);
    nextStep();
    nextStep();
    nextStep();
    nextStep();
    assert.equal((await login({ totp: totpCodeAt(secret, t.clock.now() - 2 * STEP_MS) })).ok, false);
    assert.equal((await login({ totp: totpCodeAt(secret, t.clock.now() + 2 * STEP_MS) })).ok, false);
  });

  test('a recovery code works once, with or without dashes and in any case', async () => {
    const recovery = recoveryCodes[0]!;
    assert.equal((await login({ recoveryCode: recovery.toLowerCase().replace(/-/g, '') })).ok, true);
    assert.deepEqual(await login({ recoveryCode: recovery }), { ok: false, reason: 'invalid' });
    assert.equal((await login({ recoveryCode: recoveryCodes[1]! })).ok, true);
    assert.equal(t.security.audit.list({ action: 'two-factor.recovery-code-used' }).length, 2);
    t.clock.advance(2 * 60 * 60_000); // forget the failed attempts above
  });

  test('only the user or an admin turns two-factor off', async () => {
    const other = await t.security.users.create({ username: 'eve', password: PASSWORD, role: 'editor' });
    assert.throws(() => t.security.twoFactor.disable(alice.id, other), (e) => code(e) === 'forbidden');
    t.security.twoFactor.disable(alice.id, admin);
    assert.equal(t.security.users.get(alice.id)?.twoFactorEnabled, false);
    assert.equal((await login()).ok, true);
    const actions = t.security.audit.list({}).map((e) => e.action);
    assert.ok(actions.includes('two-factor.enable') && actions.includes('two-factor.disable'));
  });

  test('when two-factor is required for everyone, a user without it gets an enrollment token instead of a session', async () => {
    t.security.twoFactor.requireForEveryone = true;
    assert.equal(t.security.twoFactor.requireForEveryone, true);
    const result = await login();
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.reason, 'two-factor-setup-required');
    const enrollmentToken = !result.ok ? result.enrollmentToken : undefined;
    assert.ok(enrollmentToken);
    // The enrollment token is no access token.
    await assert.rejects(t.security.auth.verifyAccessToken(enrollmentToken), (e) => code(e) === 'invalid-token');
    const { userId } = t.security.auth.verifyEnrollmentToken(enrollmentToken);
    assert.equal(userId, alice.id);
    assert.throws(() => t.security.auth.verifyEnrollmentToken(`${enrollmentToken}x`), (e) => code(e) === 'invalid-token');

    const enrollment = await t.security.twoFactor.beginEnrollment(userId);
    await t.security.twoFactor.confirmEnrollment(userId, totpCodeAt(enrollment.secret, t.clock.now()));
    nextStep();
    assert.equal((await login({ totp: totpCodeAt(enrollment.secret, t.clock.now()) })).ok, true);

    t.clock.advance(10 * 60_000 + 1);
    assert.throws(() => t.security.auth.verifyEnrollmentToken(enrollmentToken), (e) => code(e) === 'invalid-token');
    t.security.twoFactor.requireForEveryone = false;
  });
});
