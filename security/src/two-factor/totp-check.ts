// TOTP and recovery-code checks shared by enrollment and login. A code is accepted
// one step either side of now (±30 s of clock drift) and only for a time step later
// than the last one accepted for that user, so a code cannot be replayed.
import { generateSecret, generateURI, verifySync } from 'otplib';
import { randomInt } from 'node:crypto';
import { equalHex, sha256Hex } from '../crypto/random.js';
import type { SecurityContext } from '../context.js';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_ISSUER = 'LoopEdge';
export const RECOVERY_CODE_COUNT = 10;
// No 0/O, 1/I/L: recovery codes are read off paper and typed by hand.
const RECOVERY_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function totpUri(secret: string, username: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: username, secret, period: TOTP_PERIOD_SECONDS });
}

/** The accepted time step, or undefined. `afterStep` is the last step already used. */
export function checkTotp(secret: string, code: string, nowMs: number, afterStep: number | null): number | undefined {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return undefined;
  const result = verifySync({
    secret,
    token,
    period: TOTP_PERIOD_SECONDS,
    epoch: Math.floor(nowMs / 1000),
    epochTolerance: TOTP_PERIOD_SECONDS,
    ...(afterStep !== null ? { afterTimeStep: afterStep } : {}),
  });
  // otplib's functional verify answers for HOTP and TOTP alike; only TOTP results carry the step.
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}

/** Records the step as used; false when another login used this or a later step first. */
export function claimTotpStep(ctx: SecurityContext, userId: string, step: number): boolean {
  const result = ctx.db
    .prepare('UPDATE users SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)')
    .run(step, userId, step);
  return result.changes === 1;
}

/** 16 characters from a 31-letter alphabet: about 79 bits, shown as XXXX-XXXX-XXXX-XXXX. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: 16 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join('');
    return chars.match(/.{4}/g)!.join('-');
  });
}

export function recoveryCodeHash(code: string): string {
  return sha256Hex(code.toUpperCase().replace(/[^A-Z0-9]/g, ''));
}

export function storeRecoveryCodes(ctx: SecurityContext, userId: string, codes: string[]): void {
  ctx.db.prepare('DELETE FROM recovery_codes WHERE user_id = ?').run(userId);
  const insert = ctx.db.prepare('INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)');
  for (const code of codes) insert.run(userId, recoveryCodeHash(code));
}

/** Marks a matching unused code as used; true when there was one. */
export function consumeRecoveryCode(ctx: SecurityContext, userId: string, code: string): boolean {
  const wanted = recoveryCodeHash(code);
  const unused = ctx.db
    .prepare('SELECT code_hash FROM recovery_codes WHERE user_id = ? AND used_at IS NULL')
    .all(userId) as Array<{ code_hash: string }>;
  // Compare every row in constant time rather than a WHERE lookup on the hash.
  const match = unused.find((row) => equalHex(row.code_hash, wanted));
  if (!match) return false;
  const result = ctx.db
    .prepare('UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL')
    .run(ctx.clock(), userId, match.code_hash);
  return result.changes === 1;
}
