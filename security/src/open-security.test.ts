import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSecurity } from './open-security.js';

test('a fresh data folder gets a 0600 database and key file, and data survives reopening', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'loopedge-open-'));
  try {
    const first = await openSecurity({ dataDir, bcryptCost: 10 });
    await first.users.create({ username: 'alice', password: 'tidal-Orbit-kettle-92', role: 'admin' });
    first.credentials.set('n1', { password: 'kept-across-restarts' });
    first.close();
    for (const file of readdirSync(dataDir).filter((f) => f.startsWith('security.sqlite') || f === 'credential.key')) {
      assert.equal(statSync(join(dataDir, file)).mode & 0o777, 0o600, file);
    }
    const second = await openSecurity({ dataDir, bcryptCost: 10 });
    try {
      assert.equal(second.users.findByUsername('alice')?.role, 'admin');
      assert.deepEqual(second.credentials.get('n1'), { password: 'kept-across-restarts' });
      assert.equal(second.setup.needsSetup(), false);
      assert.equal(second.audit.verifyChain().ok, true);
    } finally {
      second.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
