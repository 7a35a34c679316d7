import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { openTestSecurity, type TestSecurity } from '../testing/open-test-security.js';
import { ACCOUNT_FREE_FAILURES, ADDRESS_FREE_FAILURES, FIRST_LOCK_MS, MAX_LOCK_MS } from './login-throttle.js';

const PASSWORD = 'tidal-Orbit-kettle-92';

describe('login throttling', () => {
  let t: TestSecurity;
  beforeEach(async () => {
    t = await openTestSecurity();
    await t.security.users.create({ username: 'alice', password: PASSWORD, role: 'viewer' });
  });
  afterEach(() => t.close());

  const attempt = (username: string, password: string, sourceIp = '198.51.100.7') =>
    t.security.auth.login({ username, password, sourceIp });

  test('brute force on one account hits the lockout, even with the right password; it lifts after the back-off', async () => {
    for (let i = 0; i < ACCOUNT_FREE_FAILURES + 1; i++) {
      assert.deepEqual(await attempt('alice', `guess-number-${i}-abcdef`), { ok: false, reason: 'invalid' });
    }
    const locked = await attempt('alice', PASSWORD);
    assert.equal(locked.ok, false);
    assert.equal(!locked.ok && locked.reason, 'locked');
    assert.equal(!locked.ok && locked.retryAfterMs, FIRST_LOCK_MS);
    // Another address does not help: the lock is on the account.
    assert.equal((await attempt('alice', PASSWORD, '198.51.100.8')).ok, false);

    t.clock.advance(FIRST_LOCK_MS);
    assert.equal((await attempt('alice', PASSWORD)).ok, true);
  });

  test('each further failure doubles the lock, up to 15 minutes', async () => {
    const locks: number[] = [];
    for (let i = 0; locks.length < 8; i++) {
      const result = await attempt('alice', `guess-number-${i}-abcdef`);
      if (!result.ok && result.reason === 'locked') {
        locks.push(result.retryAfterMs!);
        t.clock.advance(result.retryAfterMs!);
      }
    }
    assert.deepEqual(locks, [30_000, 60_000, 120_000, 240_000, 480_000, MAX_LOCK_MS, MAX_LOCK_MS, MAX_LOCK_MS]);
  });

  test('unknown usernames lock exactly like known ones (no enumeration through the lockout)', async () => {
    const answers = async (username: string): Promise<string[]> => {
      const seen: string[] = [];
      for (let i = 0; i < ACCOUNT_FREE_FAILURES + 2; i++) {
        const result = await attempt(username, `guess-number-${i}-abcdef`, `198.51.100.${username.length}`);
        seen.push(result.ok ? 'ok' : `${result.reason}:${result.retryAfterMs ?? ''}`);
      }
      return seen;
    };
    assert.deepEqual(await answers('alice'), await answers('nobody'));
  });

  test('one address trying many accounts is locked after the address threshold', async () => {
    for (let i = 0; i < ADDRESS_FREE_FAILURES + 1; i++) {
      assert.deepEqual(await attempt(`user${i}`, 'Some-wrong-password-1', '203.0.113.9'), { ok: false, reason: 'invalid' });
    }
    const locked = await attempt('alice', PASSWORD, '203.0.113.9');
    assert.equal(!locked.ok && locked.reason, 'locked');
    assert.equal((await attempt('alice', PASSWORD, '203.0.113.10')).ok, true);
  });

  test('a success clears the account counter; failures are forgotten after an hour', async () => {
    for (let i = 0; i < ACCOUNT_FREE_FAILURES; i++) await attempt('alice', `guess-number-${i}-abcdef`);
    assert.equal((await attempt('alice', PASSWORD)).ok, true);
    for (let i = 0; i < ACCOUNT_FREE_FAILURES; i++) await attempt('alice', `guess-number-${i}-abcdef`);
    t.clock.advance(60 * 60_000);
    await attempt('alice', 'guess-after-an-hour');
    assert.equal((await attempt('alice', PASSWORD)).ok, true);
  });
});
