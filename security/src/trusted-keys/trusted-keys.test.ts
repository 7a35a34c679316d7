import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { openTestSecurity } from '../testing/open-test-security.js';
import { TrustedKeyError } from './trusted-key-error.js';
import { ed25519Thumbprint } from './key-thumbprint.js';

function newPublicPem(): { pem: string; id: string } {
  const { publicKey } = generateKeyPairSync('ed25519');
  return { pem: publicKey.export({ format: 'pem', type: 'spki' }).toString(), id: ed25519Thumbprint(publicKey) };
}

describe('trusted keys', () => {
  test('a key added for releases verifies releases only, until it is revoked; both changes are audited', async () => {
    const t = await openTestSecurity();
    try {
      const { pem, id } = newPublicPem();
      const info = t.security.trustedKeys.add({ name: 'release 2026', purpose: 'release', owner: 'build team', publicKeyPem: pem }, 'alice');
      assert.equal(info.id, id);
      assert.equal(t.security.trustedKeys.lookup(id, 'release').ok, true);
      const wrongPurpose = t.security.trustedKeys.lookup(id, 'flows');
      assert.equal(wrongPurpose.ok === false && wrongPurpose.reason, 'wrong-purpose');
      t.security.trustedKeys.revoke(id, 'laptop stolen', 'alice');
      const revoked = t.security.trustedKeys.lookup(id, 'release');
      assert.equal(revoked.ok === false && revoked.reason, 'revoked');
      assert.match(revoked.ok === false ? revoked.message : '', /laptop stolen/);
      const actions = t.security.audit.list({}).map((e) => e.action);
      assert.deepEqual(actions.slice(0, 2), ['trusted-key.revoke', 'trusted-key.add']);
      // Revocation survives a restart.
      const again = await t.reopen();
      try {
        assert.equal(again.trustedKeys.lookup(id, 'release').ok, false);
      } finally {
        again.close();
      }
    } finally {
      t.close();
    }
  });

  test('unknown and expired keys are refused with their own reason', async () => {
    const t = await openTestSecurity();
    try {
      const { pem, id } = newPublicPem();
      assert.equal((t.security.trustedKeys.lookup(id, 'release') as { reason?: string }).reason, 'unknown');
      t.security.trustedKeys.add({ name: 'short lived', purpose: 'release', owner: 'ci', publicKeyPem: pem, expiresAt: t.clock.now() + 1000 }, 'alice');
      assert.equal(t.security.trustedKeys.lookup(id, 'release').ok, true);
      t.clock.advance(1001);
      assert.equal((t.security.trustedKeys.lookup(id, 'release') as { reason?: string }).reason, 'expired');
    } finally {
      t.close();
    }
  });

  test('a key that is not Ed25519, or added twice, is refused', async () => {
    const t = await openTestSecurity();
    try {
      const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
      assert.throws(() => t.security.trustedKeys.add({ name: 'rsa', purpose: 'release', owner: 'x', publicKeyPem: rsa }, 'alice'), (e: unknown) => e instanceof TrustedKeyError && e.code === 'trusted-key-invalid' && /not Ed25519/.test(e.message));
      const { pem } = newPublicPem();
      t.security.trustedKeys.add({ name: 'one', purpose: 'release', owner: 'x', publicKeyPem: pem }, 'alice');
      assert.throws(() => t.security.trustedKeys.add({ name: 'two', purpose: 'flows', owner: 'x', publicKeyPem: pem }, 'alice'), (e: unknown) => e instanceof TrustedKeyError && e.code === 'trusted-key-exists');
      assert.equal(t.security.trustedKeys.list('release').length, 1);
    } finally {
      t.close();
    }
  });
});
