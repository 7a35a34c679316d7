import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { SignJWT, decodeJwt } from 'jose';
import { openTestSecurity, type TestSecurity } from '../testing/open-test-security.js';
import { SecurityError } from '../errors/security-error.js';
import { ACCESS_TOKEN_TTL_MS, REFRESH_TOKEN_IDLE_MS } from './sessions.js';
import type { PublicUser, SessionTokens } from '../types.js';

const PASSWORD = 'tidal-Orbit-kettle-92';
const IP = '192.0.2.10';

const code = (error: unknown): string | undefined => (error instanceof SecurityError ? error.code : undefined);
const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

async function loginTokens(t: TestSecurity, username = 'alice', sourceIp = IP): Promise<SessionTokens> {
  const result = await t.security.auth.login({ username, password: PASSWORD, sourceIp });
  assert.ok(result.ok, `login of ${username} failed: ${JSON.stringify(result)}`);
  return result.tokens;
}

describe('login and sessions', () => {
  let t: TestSecurity;
  let alice: PublicUser;

  before(async () => {
    t = await openTestSecurity();
    alice = await t.security.users.create({ username: 'alice', password: PASSWORD, role: 'editor' });
  });
  after(() => t.close());

  test('a login gives an access token whose claims name the user, role, session and CSRF token', async () => {
    const tokens = await loginTokens(t);
    const claims = await t.security.auth.verifyAccessToken(tokens.accessToken);
    assert.deepEqual(claims, {
      userId: alice.id,
      role: 'editor',
      sessionId: tokens.sessionId,
      csrfToken: tokens.csrfToken,
      expiresAt: tokens.accessExpiresAt,
    });
    assert.equal(tokens.accessExpiresAt - Math.floor(t.clock.now() / 1000) * 1000, ACCESS_TOKEN_TTL_MS);
    const entry = t.security.audit.list({ action: 'auth.login' })[0];
    assert.equal(entry?.outcome, 'success');
    assert.equal(entry?.sourceIp, IP);
  });

  test('unknown user and wrong password get the same answer', async () => {
    const unknown = await t.security.auth.login({ username: 'mallory', password: PASSWORD, sourceIp: '192.0.2.99' });
    const wrong = await t.security.auth.login({ username: 'alice', password: 'Wrong-password-but-long', sourceIp: '192.0.2.99' });
    assert.deepEqual(unknown, { ok: false, reason: 'invalid' });
    assert.deepEqual(wrong, unknown);
    t.clock.advance(2 * 60 * 60_000); // forget these failures
  });

  test('a token with alg "none" is refused', async () => {
    const genuine = decodeJwt((await loginTokens(t)).accessToken);
    const forged = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(genuine)}.`;
    await assert.rejects(t.security.auth.verifyAccessToken(forged), (e) => code(e) === 'invalid-token');
  });

  test('a token signed with another Ed25519 key is refused', async () => {
    const genuine = decodeJwt((await loginTokens(t)).accessToken);
    const other = generateKeyPairSync('ed25519');
    const forged = await new SignJWT(genuine).setProtectedHeader({ alg: 'EdDSA' }).sign(other.privateKey);
    await assert.rejects(t.security.auth.verifyAccessToken(forged), (e) => code(e) === 'invalid-token');
  });

  test('HS256 keyed with the server\'s public key is refused (algorithm confusion)', async () => {
    const genuine = decodeJwt((await loginTokens(t)).accessToken);
    const db = new Database(join(t.dataDir, 'security.sqlite'), { readonly: true });
    const { public_pem: publicPem } = db.prepare('SELECT public_pem FROM secret_keys').get() as { public_pem: string };
    db.close();
    for (const secret of [publicPem, createPublicKey(publicPem).export({ format: 'der', type: 'spki' })]) {
      const signingInput = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(genuine)}`;
      const forged = `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
      await assert.rejects(t.security.auth.verifyAccessToken(forged), (e) => code(e) === 'invalid-token');
    }
  });

  test('an edited payload (role, subject) breaks the signature', async () => {
    const token = (await loginTokens(t)).accessToken;
    const [header, , signature] = token.split('.');
    const payload = { ...decodeJwt(token), sub: 'someone-else' };
    await assert.rejects(t.security.auth.verifyAccessToken(`${header}.${b64url(payload)}.${signature}`), (e) => code(e) === 'invalid-token');
  });

  test('an access token expires after 15 minutes', async () => {
    const tokens = await loginTokens(t);
    t.clock.advance(ACCESS_TOKEN_TTL_MS - 1000);
    await t.security.auth.verifyAccessToken(tokens.accessToken);
    t.clock.advance(2000);
    await assert.rejects(t.security.auth.verifyAccessToken(tokens.accessToken), (e) => code(e) === 'token-expired');
  });

  test('refresh rotates the refresh token and keeps the session', async () => {
    const first = await loginTokens(t);
    t.clock.advance(1000);
    const second = await t.security.auth.refresh(first.refreshToken, IP);
    assert.equal(second.sessionId, first.sessionId);
    assert.equal(second.csrfToken, first.csrfToken);
    assert.notEqual(second.refreshToken, first.refreshToken);
    await t.security.auth.verifyAccessToken(second.accessToken);
    const third = await t.security.auth.refresh(second.refreshToken, IP);
    await t.security.auth.verifyAccessToken(third.accessToken);
  });

  test('reusing a spent refresh token revokes the whole family', async () => {
    const first = await loginTokens(t);
    const second = await t.security.auth.refresh(first.refreshToken, IP);
    // An attacker replays the stolen first token:
    await assert.rejects(t.security.auth.refresh(first.refreshToken, '203.0.113.5'), (e) => code(e) === 'invalid-token');
    // ... and the legitimate holder's tokens from the same family stop working too.
    await assert.rejects(t.security.auth.refresh(second.refreshToken, IP), (e) => code(e) === 'invalid-token');
    await assert.rejects(t.security.auth.verifyAccessToken(second.accessToken), (e) => code(e) === 'invalid-token');
    const entry = t.security.audit.list({ action: 'auth.refresh-reuse' })[0];
    assert.equal(entry?.outcome, 'failure');
    assert.equal(entry?.sourceIp, '203.0.113.5');
  });

  test('refresh tokens expire when idle and unknown ones are refused', async () => {
    const tokens = await loginTokens(t);
    await assert.rejects(t.security.auth.refresh('not-a-token', IP), (e) => code(e) === 'invalid-token');
    t.clock.advance(REFRESH_TOKEN_IDLE_MS + 1000);
    await assert.rejects(t.security.auth.refresh(tokens.refreshToken, IP), (e) => code(e) === 'invalid-token');
  });

  test('logout ends the session at once, other sessions live on', async () => {
    const a = await loginTokens(t);
    const b = await loginTokens(t);
    t.security.auth.logout(a.sessionId);
    await assert.rejects(t.security.auth.verifyAccessToken(a.accessToken), (e) => code(e) === 'invalid-token');
    await assert.rejects(t.security.auth.refresh(a.refreshToken, IP), (e) => code(e) === 'invalid-token');
    await t.security.auth.verifyAccessToken(b.accessToken);
    t.security.auth.revokeUserSessions(alice.id);
    await assert.rejects(t.security.auth.verifyAccessToken(b.accessToken), (e) => code(e) === 'invalid-token');
  });

  test('the role in the claims is the current one: a demotion applies to live tokens', async () => {
    const boss = await t.security.users.create({ username: 'boss', password: PASSWORD, role: 'admin' });
    const tokens = await loginTokens(t);
    t.security.users.update(alice.id, { role: 'viewer' }, boss);
    assert.equal((await t.security.auth.verifyAccessToken(tokens.accessToken)).role, 'viewer');
    t.security.users.update(alice.id, { role: 'editor' }, boss);
  });

  test('tokens survive a restart (the signing key is persisted)', async () => {
    const tokens = await loginTokens(t);
    const reopened = await t.reopen();
    try {
      assert.equal((await reopened.auth.verifyAccessToken(tokens.accessToken)).userId, alice.id);
    } finally {
      reopened.close();
    }
  });
});
