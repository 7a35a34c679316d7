import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { openTestSecurity, type TestSecurity } from '../testing/open-test-security.js';
import { PasswordPolicyError, SecurityError } from '../errors/security-error.js';
import type { PublicUser } from '../types.js';

const PASSWORD = 'tidal-Orbit-kettle-92';

function code(error: unknown): string | undefined {
  return error instanceof SecurityError ? error.code : undefined;
}

describe('users', () => {
  let t: TestSecurity;
  let admin: PublicUser;
  let editor: PublicUser;

  before(async () => {
    t = await openTestSecurity();
    admin = await t.security.users.create({ username: 'Alice', password: PASSWORD, role: 'admin' });
    editor = await t.security.users.create({ username: 'bob', password: PASSWORD, role: 'editor' });
  });
  after(() => t.close());

  test('creates users and finds them by name regardless of case', () => {
    assert.equal(t.security.users.count(), 2);
    assert.deepEqual(t.security.users.findByUsername('alice'), admin);
    assert.equal(t.security.users.get(editor.id)?.role, 'editor');
    assert.deepEqual(Object.keys(admin).sort(), ['createdAt', 'disabled', 'id', 'role', 'twoFactorEnabled', 'username']);
  });

  test('no API answer carries a password hash', () => {
    const everything = JSON.stringify([t.security.users.list(), t.security.users.get(admin.id), t.security.users.findByUsername('bob')]);
    assert.doesNotMatch(everything, /\$2[aby]\$|v1\$/);
  });

  test('refuses a taken username (ignoring case), a bad username, an unknown role and a weak password', async () => {
    await assert.rejects(t.security.users.create({ username: 'ALICE', password: PASSWORD, role: 'viewer' }), (e) => code(e) === 'username-taken');
    await assert.rejects(t.security.users.create({ username: ' spaced', password: PASSWORD, role: 'viewer' }), (e) => code(e) === 'invalid-username');
    await assert.rejects(
      t.security.users.create({ username: 'carol', password: PASSWORD, role: 'root' as PublicUser['role'] }),
      (e) => code(e) === 'invalid-role',
    );
    await assert.rejects(t.security.users.create({ username: 'carol', password: 'password1234', role: 'viewer' }), (e) => {
      assert.ok(e instanceof PasswordPolicyError);
      assert.ok(e.reasons.length > 0);
      return true;
    });
    assert.equal(t.security.users.findByUsername('carol'), undefined);
  });

  test('an editor cannot escalate their own role or change others (role escalation via the users API)', () => {
    assert.throws(() => t.security.users.update(editor.id, { role: 'admin' }, editor), (e) => code(e) === 'forbidden');
    assert.throws(() => t.security.users.update(admin.id, { disabled: true }, editor), (e) => code(e) === 'forbidden');
    assert.throws(() => t.security.users.remove(admin.id, editor), (e) => code(e) === 'forbidden');
    assert.equal(t.security.users.get(editor.id)?.role, 'editor');
  });

  test('a stale actor object does not carry a role the user has lost', async () => {
    const temp = await t.security.users.create({ username: 'temp-admin', password: PASSWORD, role: 'admin' });
    t.security.users.update(temp.id, { role: 'viewer' }, admin);
    // `temp` still says role: admin, but the database says viewer.
    assert.throws(() => t.security.users.update(editor.id, { role: 'admin' }, temp), (e) => code(e) === 'forbidden');
    t.security.users.remove(temp.id, admin);
  });

  test('the last enabled admin can neither demote, disable nor remove themselves', () => {
    assert.throws(() => t.security.users.update(admin.id, { role: 'editor' }, admin), (e) => code(e) === 'last-admin');
    assert.throws(() => t.security.users.update(admin.id, { disabled: true }, admin), (e) => code(e) === 'last-admin');
    assert.throws(() => t.security.users.remove(admin.id, admin), (e) => code(e) === 'last-admin');
    assert.equal(t.security.users.get(admin.id)?.role, 'admin');
  });

  test('with a second admin, an admin may step down', async () => {
    const second = await t.security.users.create({ username: 'dora', password: PASSWORD, role: 'admin' });
    const updated = t.security.users.update(second.id, { role: 'operator' }, second);
    assert.equal(updated.role, 'operator');
    const audit = t.security.audit.list({ action: 'user.update' })[0];
    assert.deepEqual(audit?.details, { role: { from: 'admin', to: 'operator' } });
    t.security.users.remove(second.id, admin);
    assert.equal(t.security.users.get(second.id), undefined);
  });

  test('changing a password checks the current one and ends every session', async () => {
    const login = await t.security.auth.login({ username: 'bob', password: PASSWORD, sourceIp: '10.0.0.1' });
    assert.ok(login.ok);
    await assert.rejects(t.security.users.changePassword(editor.id, 'not-the-password', 'Another-long-phrase-83'), (e) => code(e) === 'invalid-credentials');
    await t.security.users.changePassword(editor.id, PASSWORD, 'Another-long-phrase-83');
    await assert.rejects(t.security.auth.verifyAccessToken(login.tokens.accessToken), (e) => code(e) === 'invalid-token');
    const old = await t.security.auth.login({ username: 'bob', password: PASSWORD, sourceIp: '10.0.0.1' });
    assert.deepEqual(old, { ok: false, reason: 'invalid' });
    assert.ok((await t.security.auth.login({ username: 'bob', password: 'Another-long-phrase-83', sourceIp: '10.0.0.1' })).ok);
  });

  test('only an admin resets another user\'s password', async () => {
    await assert.rejects(t.security.users.resetPassword(admin.id, 'Hijacked-by-bob-4419', editor), (e) => code(e) === 'forbidden');
    await t.security.users.resetPassword(editor.id, PASSWORD, admin);
    assert.ok((await t.security.auth.login({ username: 'bob', password: PASSWORD, sourceIp: '10.0.0.1' })).ok);
  });

  test('disabling a user ends their sessions and blocks login', async () => {
    const login = await t.security.auth.login({ username: 'bob', password: PASSWORD, sourceIp: '10.0.0.2' });
    assert.ok(login.ok);
    t.security.users.update(editor.id, { disabled: true }, admin);
    await assert.rejects(t.security.auth.verifyAccessToken(login.tokens.accessToken), (e) => code(e) === 'invalid-token');
    assert.deepEqual(await t.security.auth.login({ username: 'bob', password: PASSWORD, sourceIp: '10.0.0.2' }), { ok: false, reason: 'invalid' });
    t.security.users.update(editor.id, { disabled: false }, admin);
  });

  test('passwords are stored as bcrypt over the pre-hash, salted per user', () => {
    const db = new Database(join(t.dataDir, 'security.sqlite'), { readonly: true });
    try {
      const rows = db.prepare('SELECT password_hash FROM users').all() as Array<{ password_hash: string }>;
      for (const row of rows) assert.match(row.password_hash, /^v1\$\$2b\$10\$/);
      assert.equal(new Set(rows.map((r) => r.password_hash)).size, rows.length);
    } finally {
      db.close();
    }
  });
});
