import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, createHmac, sign } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TestAdmin } from '../test-support/test-admin.js';
import type { ApiClient } from '../test-support/api-client.js';
import { connectLive } from '../test-support/live-client.js';

// The attacks the issue lists, each against the real HTTPS server.

const ACCESS = '__Host-loopedge-access';
const REFRESH = '__Secure-loopedge-refresh';

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/** The claims of a real access token, to re-sign them in forged tokens. */
function claimsOf(token: string): string {
  return token.split('.')[1]!;
}

async function meWithToken(client: ApiClient, token: string): Promise<{ status: number; code: string | undefined }> {
  const forged = client.cookies.get(ACCESS);
  client.cookies.set(ACCESS, token);
  try {
    const response = await client.get<{ error?: { code: string } }>('/api/auth/me');
    return { status: response.status, code: response.body?.error?.code };
  } finally {
    if (forged) client.cookies.set(ACCESS, forged);
  }
}

describe('attacks on the admin API', () => {
  let admin: TestAdmin;
  let offsetMs = 0;

  before(async () => {
    admin = await TestAdmin.start({ clock: () => Date.now() + offsetMs });
  });
  after(() => admin.stop());

  test('forged access tokens: alg none, another Ed25519 key, HS256 keyed with the public key', async () => {
    const client = await admin.signedIn('admin');
    const real = client.cookies.get(ACCESS)!;
    assert.equal((await meWithToken(client, real)).status, 200, 'the real token works');
    const payload = claimsOf(real);

    const none = `${base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${payload}.`;
    assert.equal((await meWithToken(client, none)).status, 401, 'alg none');

    const otherKey = generateKeyPairSync('ed25519').privateKey;
    const otherHeader = base64url(JSON.stringify({ alg: 'EdDSA', typ: 'JWT' }));
    const otherSigned = `${otherHeader}.${payload}.${base64url(sign(null, Buffer.from(`${otherHeader}.${payload}`), otherKey))}`;
    assert.equal((await meWithToken(client, otherSigned)).status, 401, 'signed with another key');

    // The classic confusion: the verifier's public key used as an HMAC secret.
    const db = new Database(join(admin.dataDir, 'security.sqlite'), { readonly: true, fileMustExist: true });
    const publicPem = (db.prepare("SELECT public_pem FROM secret_keys WHERE name = 'session-signing'").get() as { public_pem: string }).public_pem;
    db.close();
    const hsHeader = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    for (const secret of [publicPem, publicPem.trim()]) {
      const hs = `${hsHeader}.${payload}.${base64url(createHmac('sha256', secret).update(`${hsHeader}.${payload}`).digest())}`;
      assert.equal((await meWithToken(client, hs)).status, 401, 'HS256 with the public key as secret');
    }

    const tamperedClaims = base64url(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'admin', sub: 'someone-else' }));
    const [header, , signature] = real.split('.');
    assert.equal((await meWithToken(client, `${header}.${tamperedClaims}.${signature}`)).status, 401, 'claims changed under a real signature');
    assert.equal((await meWithToken(client, 'not-a-jwt')).status, 401);
  });

  test('an expired access token is refused with token-expired; the refresh cookie gets a new one', async () => {
    const client = await admin.signedIn('editor');
    offsetMs += 16 * 60_000;
    try {
      const expired = await client.get<{ error: { code: string } }>('/api/auth/me');
      assert.equal(expired.status, 401);
      assert.equal(expired.body.error.code, 'token-expired');
      const refreshed = await client.post('/api/auth/refresh');
      assert.equal(refreshed.status, 200, refreshed.text);
      assert.equal((await client.get('/api/auth/me')).status, 200);
    } finally {
      offsetMs -= 16 * 60_000;
    }
  });

  test('reusing a spent refresh token revokes the whole session family', async () => {
    const client = await admin.signedIn('operator');
    const spent = client.cookies.get(REFRESH)!;
    assert.equal((await client.post('/api/auth/refresh')).status, 200);
    const current = client.cookies.get(REFRESH)!;
    assert.notEqual(current, spent, 'rotated');

    client.cookies.set(REFRESH, spent);
    assert.equal((await client.post('/api/auth/refresh')).status, 401, 'the spent token is refused');
    client.cookies.set(REFRESH, current);
    assert.equal((await client.post('/api/auth/refresh')).status, 401, 'and the newest one of its family is revoked too');
    assert.equal((await client.get('/api/auth/me')).status, 401, 'so is the session\'s access token');
  });

  test('a signed-in write without the CSRF token (or from another origin) is refused and changes nothing', async () => {
    const client = await admin.signedIn('editor');
    const before = await client.get<{ rev: string }>('/api/flows');
    const deploy = { flows: [{ id: 'tab9', type: 'tab' }], rev: before.body.rev };
    const missing = await client.post<{ error: { code: string } }>('/api/flows', deploy, { withoutCsrf: true });
    assert.equal(missing.status, 403);
    assert.equal(missing.body.error.code, 'csrf-failed');
    const wrong = await client.post('/api/flows', deploy, { withoutCsrf: true, headers: { 'X-CSRF-Token': 'guessed-token-value-000000000000' } });
    assert.equal(wrong.status, 403);
    const crossSite = await client.post<{ error: { code: string } }>('/api/flows', deploy, { headers: { Origin: 'https://evil.example' } });
    assert.equal(crossSite.status, 403);
    assert.equal(crossSite.body.error.code, 'origin-mismatch');
    assert.equal((await client.get<{ rev: string }>('/api/flows')).body.rev, before.body.rev, 'nothing was deployed');
    assert.equal((await client.post('/api/flows', deploy)).status, 200, 'the same request with the token works');
    // Cross-site WebSocket hijacking: a page elsewhere opening a live socket with the cookies.
    await assert.rejects(connectLive(client, { origin: 'https://evil.example' }), /origin/i);
    (await connectLive(client)).close();
  });

  test('role escalation through the users and tokens APIs is refused', async () => {
    const editor = await admin.signedIn('editor');
    const { user } = await admin.user('editor');
    assert.equal((await editor.request('PATCH', `/api/users/${user.id}`, { role: 'admin' })).status, 403, 'promote oneself');
    assert.equal((await editor.post('/api/users', { username: 'mallory', password: 'Correct-Horse-Battery-Staple-9', role: 'admin' })).status, 403, 'create an admin');
    const token = await editor.post('/api/tokens', { name: 'sneaky', permissions: ['users:write'] });
    assert.equal(token.status, 400, `a token with more than the role allows: ${token.text}`);
    assert.equal(admin.security.users.get(user.id)!.role, 'editor');
    assert.equal(admin.security.users.findByUsername('mallory'), undefined);

    // An API token cannot mint tokens or act beyond its scopes.
    const created = await editor.post<{ token: string }>('/api/tokens', { name: 'ci', permissions: ['flows:read'] });
    assert.equal(created.status, 201);
    const machine = admin.client();
    machine.bearer = created.body.token;
    assert.equal((await machine.get('/api/flows')).status, 200);
    assert.equal((await machine.post('/api/flows', { flows: [], rev: 'x' })).status, 403, 'flows:write is not in its scopes');
    assert.equal((await machine.post('/api/tokens', { name: 'more', permissions: ['flows:read'] })).status, 403);
  });

  test('one user cannot read or revoke another user\'s data', async () => {
    const alice = await admin.createUser('editor', 'alice');
    const bob = await admin.createUser('editor', 'bob');
    const aliceClient = admin.client();
    const bobClient = admin.client();
    assert.equal((await aliceClient.login(alice.username, alice.password)).status, 200);
    assert.equal((await bobClient.login(bob.username, bob.password)).status, 200);
    const bobToken = await bobClient.post<{ id: string; token: string }>('/api/tokens', { name: 'bob-ci', permissions: ['flows:read'] });
    assert.equal(bobToken.status, 201);

    const listed = await aliceClient.get<{ tokens: Array<{ userId: string }> }>('/api/tokens');
    assert.equal(listed.status, 200);
    assert.ok(listed.body.tokens.every((t) => t.userId === alice.user.id), 'alice sees only her own tokens');
    assert.ok(!listed.text.includes(bobToken.body.token), 'token values are never listed');
    assert.notEqual((await aliceClient.request('DELETE', `/api/tokens/${bobToken.body.id}`)).status, 204, 'alice cannot revoke bob\'s token');
    const machine = admin.client();
    machine.bearer = bobToken.body.token;
    assert.equal((await machine.get('/api/flows')).status, 200, 'bob\'s token still works');

    assert.equal((await aliceClient.get(`/api/users/${bob.user.id}`)).status, 403);
    const viewer = await admin.signedIn('viewer');
    assert.equal((await viewer.get('/api/users')).status, 403);
    const me = await viewer.get<{ user: { username: string } }>('/api/auth/me');
    assert.match(me.body.user.username, /^viewer/);
    assert.ok(!/hash|secret/i.test(JSON.stringify(me.body)), 'no hashes or secrets in what the API returns');
  });

  test('password brute force hits the lockout; the right password is refused while locked', async () => {
    const victim = await admin.createUser('operator', 'victim');
    const attacker = admin.client('127.0.0.44');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await attacker.login(victim.username, `Wrong-Password-Guess-${i}-xyz`)).status);
    assert.equal(statuses[0], 401);
    assert.equal(statuses.at(-1), 429, `statuses ${statuses.join(',')}`);
    const locked = await admin.client('127.0.0.45').login(victim.username, victim.password);
    assert.equal(locked.status, 429, 'the account is locked for every address, even with the right password');
    assert.ok(Number(locked.headers['retry-after']) > 0, 'Retry-After says how long');
    offsetMs += 60 * 60_000;
    try {
      assert.equal((await admin.client('127.0.0.46').login(victim.username, victim.password)).status, 200, 'after the lock the owner gets in');
    } finally {
      offsetMs -= 60 * 60_000;
    }
  });

  test('unknown and known usernames get the same answer in comparable time (distributions, not a timing assertion)', async () => {
    const known = [];
    for (let i = 0; i < 8; i++) known.push(await admin.createUser('viewer', `timing-known-${i}`));
    const knownMs: number[] = [];
    const unknownMs: number[] = [];
    const answers = new Set<string>();
    for (let i = 0; i < 16; i++) {
      // A new source address per pair stays under the per-address threshold; two tries per known account under its own.
      const client = admin.client(`127.0.1.${i + 10}`);
      for (const [username, sink] of [[known[i % 8]!.username, knownMs], [`timing-nobody-${i}`, unknownMs]] as const) {
        const started = performance.now();
        const response = await client.login(username, 'Definitely-Not-The-Password-42');
        sink.push(performance.now() - started);
        answers.add(`${response.status} ${response.text}`);
      }
    }
    assert.deepEqual([...answers], ['401 {"error":{"code":"login-failed","message":"Wrong username or password."}}']);
    const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    // Probability that a known-user attempt is slower than an unknown one: 0.5 for equal
    // distributions, near 1 if unknown names skipped the password hash.
    let slower = 0;
    for (const k of knownMs) for (const u of unknownMs) slower += k > u ? 1 : k === u ? 0.5 : 0;
    const probability = slower / (knownMs.length * unknownMs.length);
    const ratio = median(knownMs) / median(unknownMs);
    if (process.env.LOOPEDGE_TEST_VERBOSE) console.log({ probability, ratio, knownMs, unknownMs });
    assert.ok(probability > 0.05 && probability < 0.95, `P(known slower) = ${probability.toFixed(2)}; medians ${median(knownMs).toFixed(1)} / ${median(unknownMs).toFixed(1)} ms`);
    assert.ok(ratio > 0.5 && ratio < 2, `median ratio ${ratio.toFixed(2)}`);
  });

  test('oversized, malformed and wrongly typed bodies are refused and nothing is written', async () => {
    const client = await admin.signedInFresh('admin');
    const users = admin.security.users.count();
    const huge = await client.post<{ error: { code: string } }>('/api/users', { username: 'big', password: 'x'.repeat(70 * 1024), role: 'viewer' });
    assert.equal(huge.status, 413);
    assert.equal(huge.body.error.code, 'body-too-large');
    const malformed = await client.post<{ error: { code: string } }>('/api/users', undefined, { rawBody: '{"username": "x", ' });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error.code, 'malformed-json');
    const notJson = await client.post('/api/users', undefined, { rawBody: 'username=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(notJson.status, 415);
    const wrongShape = await client.post<{ error: { problems: Array<{ path: string }> } }>('/api/users', { username: ['x'], password: 5, role: 'root', isAdmin: true });
    assert.equal(wrongShape.status, 400);
    assert.deepEqual(wrongShape.body.error.problems.map((p) => p.path).sort(), ['body/isAdmin', 'body/password', 'body/role', 'body/username']);
    const array = await client.post('/api/users', [1, 2, 3]);
    assert.equal(array.status, 400);
    assert.equal(admin.security.users.count(), users, 'no user was created');
  });
});
