import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random URL-safe token with `bytes` of entropy. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function randomId(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * SHA-256 is enough for secrets we generate ourselves (tokens, recovery codes): they
 * carry 80+ bits of entropy, so a slow hash adds nothing; passwords use bcrypt.
 */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function equalHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
