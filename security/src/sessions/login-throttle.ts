// Login throttling, per account name and per source address. Failures are free up
// to a threshold; from there each failure locks the key for twice as long as the
// last (30 s, 1 min, 2 min ... capped at 15 min). Counters are forgotten after an
// hour without failures; a successful login clears the account's counter only (an
// attacker with one valid account must not reset their address's counter).
// Keys use the name as typed, whether or not such a user exists, so a lockout
// answers the same for known and unknown usernames.
import type { SecurityDatabase } from '../store/database.js';
import { usernameKey } from '../users/user-rows.js';

export const ACCOUNT_FREE_FAILURES = 4;
export const ADDRESS_FREE_FAILURES = 19;
export const FIRST_LOCK_MS = 30_000;
export const MAX_LOCK_MS = 15 * 60_000;
export const FORGET_AFTER_MS = 60 * 60_000;

interface ThrottleRow {
  key: string;
  failures: number;
  last_failure_at: number;
  locked_until: number;
}

export interface LoginThrottle {
  /** ms until a login for this account from this address is considered; 0 = now. */
  retryAfter(username: string, sourceIp: string, now: number): number;
  recordFailure(username: string, sourceIp: string, now: number): void;
  recordSuccess(username: string): void;
}

export function createLoginThrottle(db: SecurityDatabase): LoginThrottle {
  const select = db.prepare('SELECT * FROM login_throttle WHERE key = ?');
  const upsert = db.prepare(
    `INSERT INTO login_throttle (key, failures, last_failure_at, locked_until) VALUES (@key, @failures, @last_failure_at, @locked_until)
     ON CONFLICT(key) DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until`,
  );
  const remove = db.prepare('DELETE FROM login_throttle WHERE key = ?');

  function current(key: string, now: number): ThrottleRow | undefined {
    const row = select.get(key) as ThrottleRow | undefined;
    return row && now - row.last_failure_at < FORGET_AFTER_MS ? row : undefined;
  }

  function fail(key: string, freeFailures: number, now: number): void {
    const failures = (current(key, now)?.failures ?? 0) + 1;
    const over = failures - freeFailures;
    const lockedUntil = over > 0 ? now + Math.min(MAX_LOCK_MS, FIRST_LOCK_MS * 2 ** Math.min(over - 1, 20)) : 0;
    upsert.run({ key, failures, last_failure_at: now, locked_until: lockedUntil });
  }

  return {
    retryAfter(username, sourceIp, now) {
      const waits = [current(accountKey(username), now), current(addressKey(sourceIp), now)].map((row) =>
        row ? Math.max(0, row.locked_until - now) : 0,
      );
      return Math.max(...waits);
    },
    recordFailure(username, sourceIp, now) {
      db.transaction(() => {
        fail(accountKey(username), ACCOUNT_FREE_FAILURES, now);
        fail(addressKey(sourceIp), ADDRESS_FREE_FAILURES, now);
      }).immediate();
    },
    recordSuccess(username) {
      remove.run(accountKey(username));
    },
  };
}

function accountKey(username: string): string {
  return `account:${usernameKey(username.trim())}`;
}

function addressKey(sourceIp: string): string {
  // IPv4-mapped IPv6 (::ffff:10.0.0.1) is the same client as 10.0.0.1.
  return `address:${sourceIp.replace(/^::ffff:/i, '').toLowerCase()}`;
}
