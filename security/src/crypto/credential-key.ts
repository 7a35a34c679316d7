// Where the AES key for secrets at rest comes from, in order: the option, the
// LOOPEDGE_CREDENTIAL_KEY environment variable (base64 or 64 hex digits), or
// credential.key in the data folder (created on first start, mode 0600).
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecurityError } from '../errors/security-error.js';

export const CREDENTIAL_KEY_FILE = 'credential.key';
export const CREDENTIAL_KEY_ENV = 'LOOPEDGE_CREDENTIAL_KEY';

export function resolveCredentialKey(dataDir: string, option: Buffer | undefined, env: NodeJS.ProcessEnv = process.env): Buffer {
  if (option !== undefined) return checkLength(option, 'the credentialKey option');
  const fromEnv = env[CREDENTIAL_KEY_ENV]?.trim();
  if (fromEnv) return checkLength(decodeKey(fromEnv), `environment variable ${CREDENTIAL_KEY_ENV}`);
  const path = join(dataDir, CREDENTIAL_KEY_FILE);
  if (!existsSync(path)) {
    writeFileSync(path, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  }
  chmodSync(path, 0o600);
  return checkLength(decodeKey(readFileSync(path, 'utf8').trim()), path);
}

function decodeKey(text: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
}

function checkLength(key: Buffer, source: string): Buffer {
  if (key.length !== 32) {
    throw new SecurityError(
      'credential-key',
      `The credential key from ${source} is ${key.length} bytes; it must be 32 bytes, written as base64 or 64 hex digits (e.g. \`openssl rand -base64 32\`).`,
    );
  }
  return key;
}
