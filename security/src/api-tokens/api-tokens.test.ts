import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { openTestSecurity, type TestSecurity } from '../testing/open-test-security.js';
import { SecurityError } from '../errors/security-error.js';
import type { PublicUser } from '../types.js';

const PASSWORD = 'tidal-Orbit-kettle-92';
const code = (error: unknown): string | undefined => (error instanceof SecurityError ? error.code : undefined);

describe('API tokens', () => {
  let t: TestSecurity;
  let admin: PublicUser;
  let editor: PublicUser;
  let viewer: PublicUser;

  before(async () => {
    t = await openTestSecurity();
    admin = await t.security.users.create({ username: 'admin', password: PASSWORD, role: 'admin' });
    editor = await t.security.users.create({ username: 'ci-owner', password: PASSWORD, role: 'editor' });
    viewer = await t.security.users.create({ username: 'watcher', password: PASSWORD, role: 'viewer' });
  });
  after(() => t.close());

  test('a token is shown once, stored hashed, and verifies to its scopes', () => {
    const { id, token } = t.security.apiTokens.create(editor.id, { name: 'CI deploy', permissions: ['flows:read', 'flows:write'] });
    assert.match(token, /^le_[0-9a-f]{16}_/);
    assert.deepEqual(t.security.apiTokens.verify(token), { userId: editor.id, tokenId: id, permissions: ['flows:read', 'flows:write'] });
    const db = new Database(join(t.dataDir, 'security.sqlite'), { readonly: true });
    try {
      assert.ok(!JSON.stringify(db.prepare('SELECT * FROM api_tokens').all()).includes(token.split('_')[2]!));
    } finally {
      db.close();
    }
    const listed = t.security.apiTokens.list(editor.id);
    assert.equal(listed.length, 1);
    assert.ok(!JSON.stringify(listed).includes(token));
    assert.ok(listed[0]?.lastUsedAt);
    assert.equal(t.security.audit.list({ action: 'token.create' })[0]?.target, id);
  });

  test('wrong, altered or malformed tokens verify to nothing', () => {
    const { token } = t.security.apiTokens.create(editor.id, { name: 'probe', permissions: ['flows:read'] });
    const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    for (const bad of [flipped, 'le_0000000000000000_' + 'a'.repeat(43), 'Bearer x', '', token + 'x']) {
      assert.equal(t.security.apiTokens.verify(bad), undefined, bad);
    }
  });

  test('a token cannot carry more than its owner\'s role allows', () => {
    assert.throws(() => t.security.apiTokens.create(viewer.id, { name: 'sneaky', permissions: ['flows:write'] }), (e) => code(e) === 'invalid-permissions');
    assert.throws(() => t.security.apiTokens.create(editor.id, { name: 'sneaky', permissions: ['users:write'] }), (e) => code(e) === 'invalid-permissions');
    assert.throws(() => t.security.apiTokens.create(editor.id, { name: 'empty', permissions: [] }), (e) => code(e) === 'invalid-permissions');
  });

  test('a demoted owner\'s token shrinks with them; a disabled owner\'s token stops', () => {
    const user = t.security.users;
    const { token } = t.security.apiTokens.create(editor.id, { name: 'monitor', permissions: ['flows:read', 'flows:write', 'metrics:read'] });
    user.update(editor.id, { role: 'operator' }, admin);
    assert.deepEqual(t.security.apiTokens.verify(token)?.permissions, ['flows:read', 'metrics:read']);
    user.update(editor.id, { role: 'editor', disabled: true }, admin);
    assert.equal(t.security.apiTokens.verify(token), undefined);
    user.update(editor.id, { disabled: false }, admin);
    assert.ok(t.security.apiTokens.verify(token));
  });

  test('tokens expire', () => {
    const { token } = t.security.apiTokens.create(editor.id, { name: 'short', permissions: ['flows:read'], expiresAt: t.clock.now() + 60_000 });
    assert.ok(t.security.apiTokens.verify(token));
    t.clock.advance(60_000);
    assert.equal(t.security.apiTokens.verify(token), undefined);
    assert.throws(() => t.security.apiTokens.create(editor.id, { name: 'past', permissions: ['flows:read'], expiresAt: '2000-01-01T00:00:00Z' }), (e) => code(e) === 'invalid-permissions');
  });

  test('the owner or an admin revokes; another user cannot (no reading or touching another\'s data)', () => {
    const { id, token } = t.security.apiTokens.create(editor.id, { name: 'revocable', permissions: ['flows:read'] });
    assert.throws(() => t.security.apiTokens.revoke(id, viewer), (e) => code(e) === 'forbidden');
    assert.ok(t.security.apiTokens.verify(token));
    t.security.apiTokens.revoke(id, admin);
    assert.equal(t.security.apiTokens.verify(token), undefined);
    assert.throws(() => t.security.apiTokens.revoke(id, editor), (e) => code(e) === 'token-not-found');
    assert.ok(t.security.apiTokens.list().every((info) => info.id !== id));
    assert.ok(t.security.apiTokens.list(viewer.id).length === 0);
  });
});
