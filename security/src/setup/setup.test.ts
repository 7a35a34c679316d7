import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { openTestSecurity, totpCodeAt } from '../testing/open-test-security.js';
import { PasswordPolicyError, SecurityError } from '../errors/security-error.js';
import { SETUP_TOKEN_TTL_MS } from './setup.js';

const PASSWORD = 'tidal-Orbit-kettle-92';
const code = (error: unknown): string | undefined => (error instanceof SecurityError ? error.code : undefined);

describe('first start', () => {
  test('setup link → first admin → two-factor enrollment → login with TOTP', async () => {
    const t = await openTestSecurity();
    try {
      const { security } = t;
      assert.equal(security.setup.needsSetup(), true);
      const { token, expiresAt } = security.setup.createSetupToken();
      assert.equal(expiresAt, t.clock.now() + SETUP_TOKEN_TTL_MS);

      await assert.rejects(security.setup.completeSetup('wrong-token', { username: 'admin', password: PASSWORD }), (e) => code(e) === 'setup-token-invalid');
      // A weak password is refused without spending the link.
      await assert.rejects(security.setup.completeSetup(token, { username: 'admin', password: 'admin12345678' }), PasswordPolicyError);
      const admin = await security.setup.completeSetup(token, { username: 'admin', password: PASSWORD });
      assert.equal(admin.role, 'admin');
      assert.equal(security.setup.needsSetup(), false);
      await assert.rejects(security.setup.completeSetup(token, { username: 'second', password: PASSWORD }), (e) => code(e) === 'setup-not-needed');
      assert.throws(() => security.setup.createSetupToken(), (e) => code(e) === 'setup-not-needed');

      const first = await security.auth.login({ username: 'admin', password: PASSWORD, sourceIp: '127.0.0.1' });
      assert.ok(first.ok);
      const enrollment = await security.twoFactor.beginEnrollment(admin.id);
      await security.twoFactor.confirmEnrollment(admin.id, totpCodeAt(enrollment.secret, t.clock.now()));
      t.clock.advance(30_000);
      assert.deepEqual(await security.auth.login({ username: 'admin', password: PASSWORD, sourceIp: '127.0.0.1' }), { ok: false, reason: 'two-factor-required' });
      const withTotp = await security.auth.login({ username: 'admin', password: PASSWORD, totp: totpCodeAt(enrollment.secret, t.clock.now()), sourceIp: '127.0.0.1' });
      assert.ok(withTotp.ok);
      assert.equal((await security.auth.verifyAccessToken(withTotp.tokens.accessToken)).role, 'admin');

      const trail = security.audit
        .list({})
        .reverse()
        .filter((e) => e.action.startsWith('setup.') || e.action === 'user.create' || e.action === 'two-factor.enable')
        .map((e) => `${e.action}:${e.outcome}`);
      assert.deepEqual(trail, [
        'setup.token-create:success',
        'setup.complete:failure',
        'user.create:success',
        'setup.complete:success',
        'two-factor.enable:success',
      ]);
      assert.equal(security.audit.verifyChain().ok, true);
    } finally {
      t.close();
    }
  });

  test('a setup token is valid for one hour only', async () => {
    const t = await openTestSecurity();
    try {
      const { token } = t.security.setup.createSetupToken();
      t.clock.advance(SETUP_TOKEN_TTL_MS);
      await assert.rejects(t.security.setup.completeSetup(token, { username: 'admin', password: PASSWORD }), (e) => code(e) === 'setup-token-invalid');
      assert.equal(t.security.setup.needsSetup(), true);
    } finally {
      t.close();
    }
  });
});
