import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecretBox } from './secret-box.js';
import { CREDENTIAL_KEY_ENV, CREDENTIAL_KEY_FILE, resolveCredentialKey } from './credential-key.js';

describe('secret box', () => {
  test('round-trips, uses a fresh IV each time and detects tampering', () => {
    const box = createSecretBox(randomBytes(32));
    const a = box.seal('hello', 'ctx');
    const b = box.seal('hello', 'ctx');
    assert.notEqual(a, b);
    assert.equal(box.open(a, 'ctx'), 'hello');
    const bytes = Buffer.from(a.slice(3), 'base64');
    bytes[bytes.length - 1]! ^= 1;
    assert.throws(() => box.open(`v1:${bytes.toString('base64')}`, 'ctx'), /altered/);
    assert.throws(() => box.open(a, 'other-ctx'), /altered/);
  });

  test('refuses a key that is not 32 bytes', () => {
    assert.throws(() => createSecretBox(randomBytes(16)), /32 bytes/);
  });
});

describe('credential key', () => {
  test('is created once as a 0600 file and read back the same', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loopedge-key-'));
    try {
      const first = resolveCredentialKey(dir, undefined, {});
      const second = resolveCredentialKey(dir, undefined, {});
      assert.deepEqual(first, second);
      assert.equal(statSync(join(dir, CREDENTIAL_KEY_FILE)).mode & 0o777, 0o600);
      assert.equal(Buffer.from(readFileSync(join(dir, CREDENTIAL_KEY_FILE), 'utf8').trim(), 'base64').length, 32);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('comes from the environment (base64 or hex) before the file, and a wrong length is refused', () => {
    const key = randomBytes(32);
    assert.deepEqual(resolveCredentialKey('/nonexistent', undefined, { [CREDENTIAL_KEY_ENV]: key.toString('base64') }), key);
    assert.deepEqual(resolveCredentialKey('/nonexistent', undefined, { [CREDENTIAL_KEY_ENV]: key.toString('hex') }), key);
    assert.throws(() => resolveCredentialKey('/nonexistent', undefined, { [CREDENTIAL_KEY_ENV]: 'c2hvcnQ=' }), /must be 32 bytes/);
  });
});
