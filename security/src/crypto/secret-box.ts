// AES-256-GCM for secrets at rest (node credentials, TOTP secrets, certificate and
// signing keys). The context string is authenticated data: a sealed value copied
// to another row (another node id, another user) fails to open.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SecurityError } from '../errors/security-error.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SecretBox {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) {
    throw new SecurityError('credential-key', `The credential key must be 32 bytes (AES-256), got ${key.length}.`);
  }
  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    },
    open(sealed, context) {
      const [version, payload] = sealed.split(':', 2);
      if (version !== VERSION || payload === undefined) {
        throw new SecurityError('credential-key', `Encrypted value for ${context} has an unknown format (${version}).`);
      }
      const bytes = Buffer.from(payload, 'base64');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch (error) {
        throw new SecurityError(
          'credential-key',
          `Could not decrypt ${context}: the credential key differs from the one it was encrypted with, or the value was altered. Restore the original key (LOOPEDGE_CREDENTIAL_KEY or credential.key in the data folder).`,
          { cause: error },
        );
      }
    },
  };
}
