import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { openSecurity } from '../open-security.js';
import { openTestSecurity, type TestSecurity } from '../testing/open-test-security.js';
import { SecurityError } from '../errors/security-error.js';

describe('node credentials', () => {
  let t: TestSecurity;
  before(async () => {
    t = await openTestSecurity();
  });
  after(() => t.close());

  test('set merges: a value sets, "" clears, undefined leaves the field as it is', () => {
    t.security.credentials.set('mqtt-broker-1', { user: 'plant', password: 'S3cret-broker-pw' });
    assert.deepEqual(t.security.credentials.get('mqtt-broker-1'), { user: 'plant', password: 'S3cret-broker-pw' });
    t.security.credentials.set('mqtt-broker-1', { user: 'line-2', password: undefined });
    assert.deepEqual(t.security.credentials.get('mqtt-broker-1'), { user: 'line-2', password: 'S3cret-broker-pw' });
    t.security.credentials.set('mqtt-broker-1', { user: '' });
    assert.deepEqual(t.security.credentials.fieldsSet('mqtt-broker-1'), ['password']);
    t.security.credentials.remove('mqtt-broker-1');
    assert.deepEqual(t.security.credentials.get('mqtt-broker-1'), {});
    assert.deepEqual(t.security.credentials.fieldsSet('mqtt-broker-1'), []);
  });

  test('values are encrypted at rest; only field names are readable', () => {
    t.security.credentials.set('http-api', { apiKey: 'key-4f1e9a7c2b', token: 'tok-77aa' });
    assert.deepEqual(t.security.credentials.fieldsSet('http-api'), ['apiKey', 'token']);
    const db = new Database(join(t.dataDir, 'security.sqlite'), { readonly: true });
    try {
      const row = db.prepare('SELECT * FROM node_credentials WHERE node_id = ?').get('http-api') as { values_sealed: string };
      assert.ok(!JSON.stringify(row).includes('key-4f1e9a7c2b'));
      assert.match(row.values_sealed, /^v1:/);
    } finally {
      db.close();
    }
  });

  test('a sealed value copied to another node id does not open', () => {
    t.security.credentials.set('node-a', { password: 'only-for-a' });
    const db = new Database(join(t.dataDir, 'security.sqlite'));
    try {
      db.prepare("INSERT INTO node_credentials (node_id, fields, values_sealed) SELECT 'node-b', fields, values_sealed FROM node_credentials WHERE node_id = 'node-a'").run();
    } finally {
      db.close();
    }
    assert.throws(() => t.security.credentials.get('node-b'), (e) => e instanceof SecurityError && e.code === 'credential-key');
  });

  test('another credential key cannot read them', async () => {
    t.security.credentials.set('node-c', { password: 'kept' });
    const other = await openSecurity({ dataDir: t.dataDir, bcryptCost: 10, credentialKey: randomBytes(32) }).catch((e: unknown) => e);
    // The signing key is sealed with the original key too, so opening with a wrong key fails loudly.
    assert.ok(other instanceof SecurityError && other.code === 'credential-key', String(other));
  });
});
