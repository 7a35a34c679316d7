import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestAdmin } from '../test-support/test-admin.js';
import { totpCode } from '../test-support/totp.js';
import type { ApiResponse } from '../test-support/api-client.js';

// Step-up ("sudo mode"): a signed-in session alone cannot change trust; it must
// confirm the password (and second factor) within the last 5 minutes. The role
// matrix checks every step-up route refuses a stale session; this file checks
// the confirmation itself.

type ErrorBody = { error: { code: string; message: string } };
const codeOf = (response: ApiResponse): string | undefined => (response.body as ErrorBody | undefined)?.error?.code;
const newUser = (name: string) => ({ username: name, password: 'Quartz-Lantern-Fjord-Ember-771!', role: 'viewer' });

describe('step-up re-authentication', () => {
  let admin: TestAdmin;
  let offsetMs = 0;

  before(async () => {
    admin = await TestAdmin.start({ clock: () => Date.now() + offsetMs });
  });
  after(() => admin.stop());

  test('a fresh session may change trust for 5 minutes, this session only; then it must confirm again', async () => {
    const { username, password } = await admin.createUser('admin');
    const client = admin.client();
    assert.equal((await client.login(username, password)).status, 200);
    const other = admin.client();
    assert.equal((await other.login(username, password)).status, 200);

    const stale = await client.post('/api/users', newUser('before-reauth'));
    assert.equal(stale.status, 403);
    assert.equal(codeOf(stale), 'reauth-required');
    assert.match((stale.body as ErrorBody).error.message, /Confirm your password .*POST \/api\/auth\/reauth/);
    assert.equal(admin.security.users.findByUsername('before-reauth'), undefined, 'nothing was created');

    const fresh = await client.reauth(password);
    assert.ok(fresh.body.freshUntil > Date.now() + offsetMs, 'fresh for a while');
    assert.equal((await client.post('/api/users', newUser('after-reauth'))).status, 201);
    assert.equal(codeOf(await other.post('/api/users', newUser('other-session'))), 'reauth-required', 'another session of the same user is not fresh');
    const audited = admin.security.audit.list({ action: 'auth.reauth' }).find((entry) => entry.actor === username);
    assert.equal(audited?.outcome, 'success');

    offsetMs += 5 * 60_000 + 1_000;
    assert.equal(codeOf(await client.post('/api/users', newUser('too-late'))), 'reauth-required', 'the window has passed');
    await client.reauth(password);
    assert.equal((await client.post('/api/users', newUser('confirmed-again'))).status, 201);
  });

  test('a wrong password is 401, audited, and counts towards the sign-in lockout', async () => {
    const { username, password } = await admin.createUser('admin');
    const client = admin.client('127.0.0.61');
    assert.equal((await client.login(username, password)).status, 200);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await client.post('/api/auth/reauth', { password: `Wrong-Password-Guess-${i}-xyz` });
      statuses.push(response.status);
    }
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
    assert.equal(statuses[5], 429, 'locked after repeated failures');
    const failures = admin.security.audit.list({ action: 'auth.reauth' }).filter((entry) => entry.actor === username && entry.outcome === 'failure');
    assert.ok(failures.length >= 5, `failures audited: ${failures.length}`);
    assert.equal((await client.post('/api/auth/reauth', { password })).status, 429, 'the right password waits too');
    assert.equal((await admin.client('127.0.0.62').login(username, password)).status, 429, 'and so does signing in to the account');
  });

  test('with two-factor the code is needed too (an authenticator code or a recovery code)', async () => {
    const { user, username, password } = await admin.createUser('admin');
    const enrollment = await admin.security.twoFactor.beginEnrollment(user.id);
    const now = Date.now() + offsetMs;
    const { recoveryCodes } = await admin.security.twoFactor.confirmEnrollment(user.id, totpCode(enrollment.secret, now));
    const client = admin.client();
    assert.equal((await client.login(username, password, { totp: totpCode(enrollment.secret, now + 30_000) })).status, 200);

    const withoutCode = await client.post('/api/auth/reauth', { password });
    assert.equal(withoutCode.status, 401);
    assert.equal(codeOf(withoutCode), 'two-factor-required');
    assert.equal(codeOf(await client.post('/api/users', newUser('no-code'))), 'reauth-required');
    assert.equal((await client.post('/api/auth/reauth', { password, code: '000000' })).status, 401, 'a wrong code');
    await client.reauth(password, recoveryCodes[0]!);
    assert.equal((await client.post('/api/users', newUser('with-code'))).status, 201);
  });

  test('API tokens are refused on step-up routes; only admin-level tokens need step-up to be created', async () => {
    const { username, password } = await admin.createUser('admin');
    const client = admin.client();
    assert.equal((await client.login(username, password)).status, 200);
    assert.equal((await client.post('/api/tokens', { name: 'metrics', permissions: ['metrics:read'] })).status, 201, 'a narrow token: no step-up');
    const stale = await client.post('/api/tokens', { name: 'root', permissions: ['security:write', 'users:write'] });
    assert.equal(codeOf(stale), 'reauth-required');
    await client.reauth(password);
    const created = await client.post<{ token: string }>('/api/tokens', { name: 'root', permissions: ['security:write', 'users:write'] });
    assert.equal(created.status, 201, created.text);

    const machine = admin.client();
    machine.bearer = created.body.token;
    const refused = await machine.post('/api/users', newUser('by-token'));
    assert.equal(refused.status, 403);
    assert.equal(codeOf(refused), 'forbidden');
    assert.equal(codeOf(await machine.post('/api/auth/reauth', { password })), 'forbidden', 'a token cannot re-authenticate');
    assert.equal(admin.security.users.findByUsername('by-token'), undefined);
  });

  test('the OpenAPI document marks step-up routes', async () => {
    type Operation = { 'x-loopedge-step-up'?: unknown };
    const doc = await admin.client().get<{ paths: Record<string, Record<string, Operation>> }>('/api/openapi.json');
    assert.equal(doc.body.paths['/api/users']?.['post']?.['x-loopedge-step-up'], true);
    assert.equal(doc.body.paths['/api/signing-keys/requests/{id}/approve']?.['post']?.['x-loopedge-step-up'], true);
    assert.equal(doc.body.paths['/api/tokens']?.['post']?.['x-loopedge-step-up'], 'depends on the request body');
    assert.equal(doc.body.paths['/api/signing-keys/{id}/revoke']?.['post']?.['x-loopedge-step-up'], undefined, 'revoking only reduces trust');
  });
});
