// First start: no user exists and there is no default password. The server prints
// a link with a one-time token (valid 1 hour) that creates the first admin.
import { SecurityError } from '../errors/security-error.js';
import { equalHex, randomToken, sha256Hex } from '../crypto/random.js';
import type { SecurityContext } from '../context.js';
import type { CreateUserInput, PublicUser, SetupApi } from '../types.js';

export const SETUP_TOKEN_TTL_MS = 60 * 60_000;

export interface SetupDependencies {
  countUsers(): number;
  createUser(input: CreateUserInput, actor: string | undefined, source: string): Promise<PublicUser>;
}

export function createSetup(ctx: SecurityContext, deps: SetupDependencies): SetupApi {
  const { db, clock, audit } = ctx;

  function findUsableToken(token: string): string | undefined {
    const wanted = sha256Hex(typeof token === 'string' ? token : '');
    const rows = db.prepare('SELECT token_hash FROM setup_tokens WHERE used_at IS NULL AND expires_at > ?').all(clock()) as Array<{ token_hash: string }>;
    return rows.find((row) => equalHex(row.token_hash, wanted))?.token_hash;
  }

  return {
    needsSetup() {
      return deps.countUsers() === 0;
    },

    createSetupToken() {
      if (deps.countUsers() > 0) throw new SecurityError('setup-not-needed', 'Setup is done: users exist. Log in as an admin to add users.');
      const token = randomToken(32);
      const expiresAt = clock() + SETUP_TOKEN_TTL_MS;
      db.prepare('INSERT INTO setup_tokens (token_hash, expires_at) VALUES (?, ?)').run(sha256Hex(token), expiresAt);
      audit.append({ action: 'setup.token-create', outcome: 'success', details: { expiresAt: new Date(expiresAt).toISOString() } });
      return { token, expiresAt };
    },

    async completeSetup(token, input) {
      if (deps.countUsers() > 0) throw new SecurityError('setup-not-needed', 'Setup is done: users exist. Log in as an admin to add users.');
      const tokenHash = findUsableToken(token);
      if (!tokenHash) {
        audit.append({ action: 'setup.complete', outcome: 'failure', details: { reason: 'invalid or expired setup token' } });
        throw new SecurityError('setup-token-invalid', 'The setup link is not valid or has expired (1 hour). Restart LoopEdge or run `loopedge users add` for a new one.');
      }
      // Spend the token first, so two browsers using the same link cannot both create an admin.
      const spent = db.prepare('UPDATE setup_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL').run(clock(), tokenHash);
      if (spent.changes !== 1) throw new SecurityError('setup-token-invalid', 'The setup link was just used.');
      try {
        const user = await deps.createUser({ username: input.username, password: input.password, role: 'admin' }, undefined, 'setup');
        audit.append({ actor: user.username, action: 'setup.complete', target: user.username, outcome: 'success' });
        return user;
      } catch (error) {
        // A rejected password must not burn the link: the person fixes it and submits again.
        db.prepare('UPDATE setup_tokens SET used_at = NULL WHERE token_hash = ?').run(tokenHash);
        throw error;
      }
    },
  };
}
