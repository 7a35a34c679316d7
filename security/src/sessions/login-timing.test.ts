// Username enumeration by timing: a login for an unknown name must cost what a
// wrong password for a real name costs. Compared as distributions (medians of
// interleaved samples), not against a fixed duration, so a slow or busy machine
// shifts both sides alike. Without the dummy bcrypt, unknown names answer ~100x faster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { openTestSecurity } from '../testing/open-test-security.js';

const SAMPLES = 15;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

test('unknown usernames and wrong passwords take the same time', async () => {
  const t = await openTestSecurity();
  try {
    await t.security.users.create({ username: 'alice', password: 'tidal-Orbit-kettle-92', role: 'viewer' });
    const known: number[] = [];
    const unknown: number[] = [];
    const timeLogin = async (username: string): Promise<number> => {
      const start = performance.now();
      const result = await t.security.auth.login({ username, password: 'Wrong-password-guess-1', sourceIp: '192.0.2.50' });
      const elapsed = performance.now() - start;
      assert.deepEqual(result, { ok: false, reason: 'invalid' });
      return elapsed;
    };
    for (let i = 0; i < SAMPLES; i++) {
      // Alternate the order so drift in machine load hits both sides.
      if (i % 2 === 0) {
        known.push(await timeLogin('alice'));
        unknown.push(await timeLogin(`ghost-${i}`));
      } else {
        unknown.push(await timeLogin(`ghost-${i}`));
        known.push(await timeLogin('alice'));
      }
      t.clock.advance(2 * 60 * 60_000); // let the throttle forget, so no attempt is answered 'locked'
    }
    const ratio = median(unknown) / median(known);
    assert.ok(ratio > 0.5 && ratio < 2, `median unknown ${median(unknown).toFixed(1)} ms vs known ${median(known).toFixed(1)} ms`);
  } finally {
    t.close();
  }
});
