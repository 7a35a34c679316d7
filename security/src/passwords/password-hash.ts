// Password hashing: bcrypt over an HMAC-SHA-256 pre-hash. bcrypt reads at most 72
// bytes, so a long passphrase would be cut silently; the pre-hash turns any
// password into 44 base64 characters (no NUL byte, which bcrypt would also stop
// at) that carry all of it. The HMAC key is a fixed domain label, not a secret: the
// security comes from bcrypt's cost and per-user salt, and a lost credential key
// must not lock everyone out.
import bcrypt from 'bcryptjs';
import { createHmac, randomBytes } from 'node:crypto';

const PREHASH_KEY = 'loopedge/password/v1';
/** Stored hashes carry the scheme, so a later scheme can be recognised and upgraded at login. */
const SCHEME_PREFIX = 'v1$';
export const DEFAULT_BCRYPT_COST = 12;
export const MIN_BCRYPT_COST = 10;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Always does the full bcrypt work, also when `storedHash` is undefined (unknown user). */
  verify(password: string, storedHash: string | undefined): Promise<boolean>;
}

export function prehashPassword(password: string): string {
  return createHmac('sha256', PREHASH_KEY).update(password.normalize('NFC'), 'utf8').digest('base64');
}

export async function createPasswordHasher(requestedCost: number | undefined): Promise<PasswordHasher> {
  const cost = Math.max(MIN_BCRYPT_COST, Math.min(31, Math.round(requestedCost ?? DEFAULT_BCRYPT_COST)));
  // A real hash at the same cost, so a login for an unknown username spends the
  // same time as one for a known username (no enumeration by timing).
  const dummyHash = await bcrypt.hash(randomBytes(16).toString('base64'), cost);
  return {
    async hash(password) {
      return SCHEME_PREFIX + (await bcrypt.hash(prehashPassword(password), cost));
    },
    async verify(password, storedHash) {
      const bcryptHash = storedHash?.startsWith(SCHEME_PREFIX) ? storedHash.slice(SCHEME_PREFIX.length) : undefined;
      const matches = await bcrypt.compare(prehashPassword(password), bcryptHash ?? dummyHash);
      return matches && bcryptHash !== undefined;
    },
  };
}
