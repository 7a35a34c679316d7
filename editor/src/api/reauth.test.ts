import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiClient, type ReauthChallenge } from './api-client.js';
import { ApiRequestError } from './api-error.js';

// The step-up flow of the API client against a scripted fetch: a 403
// reauth-required opens the dialog (here a function), then the call is retried once.

interface Call {
  method: string;
  path: string;
  body: unknown;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

const REAUTH_REQUIRED = { error: { code: 'reauth-required', message: 'Confirm your password to continue with "Create a user" (POST /api/auth/reauth).', details: { twoFactor: true } } };

/** A server where POST /api/users needs step-up until /api/auth/reauth succeeded. */
function fakeServer(): { calls: Call[]; fetch: typeof fetch } {
  const calls: Call[] = [];
  let fresh = false;
  const fetchImpl: typeof fetch = async (input, init) => {
    const path = String(input);
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    calls.push({ method: init?.method ?? 'GET', path, body });
    if (path === '/api/auth/reauth') {
      fresh = (body as { password?: string }).password === 'right';
      return fresh ? json(200, { freshUntil: 1 }) : json(401, { error: { code: 'login-failed', message: 'wrong' } });
    }
    return fresh ? json(201, { user: { id: 'u1' } }) : json(403, REAUTH_REQUIRED);
  };
  return { calls, fetch: fetchImpl };
}

test('reauth-required opens the dialog once for concurrent calls, then each call is retried once', async () => {
  const server = fakeServer();
  const api = new ApiClient({ fetch: server.fetch, cookies: () => '' });
  const challenges: ReauthChallenge[] = [];
  api.onReauthRequired(async (challenge) => {
    challenges.push(challenge);
    await api.reauth('right');
    return true;
  });
  const results = await Promise.all([api.post('/api/users', { username: 'a' }), api.post('/api/users', { username: 'b' })]);
  assert.deepEqual(results, [{ user: { id: 'u1' } }, { user: { id: 'u1' } }]);
  assert.equal(challenges.length, 1, 'one dialog');
  assert.deepEqual(challenges[0], { message: REAUTH_REQUIRED.error.message, twoFactor: true });
  assert.equal(server.calls.filter((c) => c.path === '/api/users').length, 4, 'each call: refused once, retried once');
});

test('cancelling the dialog fails the action with a clear message and does not retry', async () => {
  const server = fakeServer();
  const api = new ApiClient({ fetch: server.fetch, cookies: () => '' });
  api.onReauthRequired(async () => false);
  await assert.rejects(api.post('/api/users', { username: 'a' }), (error: unknown) => {
    assert.ok(error instanceof ApiRequestError);
    assert.equal(error.code, 'reauth-cancelled');
    assert.match(error.message, /confirm your password/);
    return true;
  });
  assert.equal(server.calls.length, 1);
});

test('without a dialog (or for the reauth call itself) the refusal is returned as is', async () => {
  const server = fakeServer();
  const api = new ApiClient({ fetch: server.fetch, cookies: () => '' });
  await assert.rejects(api.post('/api/users', {}), (error: unknown) => error instanceof ApiRequestError && error.code === 'reauth-cancelled');
  await assert.rejects(api.post('/api/users', {}, { noReauth: true }), (error: unknown) => error instanceof ApiRequestError && error.code === 'reauth-required');
});

test('a request refused with an expired token after a refresh already succeeded is sent again without a second refresh', async () => {
  // Two requests leave with the old access token; the first refusal refreshes; the second refusal arrives
  // only after that refresh completed. Refreshing again would rotate the refresh token for nothing.
  let refreshes = 0;
  let releaseSecond!: () => void;
  const secondHeld = new Promise<void>((resolve) => (releaseSecond = resolve));
  let sent = 0;
  const fetchImpl: typeof fetch = async (input) => {
    const path = String(input);
    if (path === '/api/auth/refresh') {
      refreshes++;
      return json(200, { user: { id: 'u1' }, refreshExpiresAt: 1 });
    }
    sent++;
    if (sent === 1) return json(401, { error: { code: 'token-expired', message: 'expired' } });
    if (sent === 2) {
      await secondHeld;
      return json(401, { error: { code: 'token-expired', message: 'expired' } });
    }
    return json(200, { ok: sent });
  };
  const api = new ApiClient({ fetch: fetchImpl, cookies: () => '' });
  const first = api.get('/api/settings');
  const second = api.get('/api/users');
  await first;
  releaseSecond();
  await second;
  assert.equal(refreshes, 1, 'one refresh for both');
  assert.equal(api.sessionGeneration, 1);
  await api.refreshSince(0);
  assert.equal(refreshes, 1, 'refreshSince an older generation does not refresh');
  await api.refreshSince(1);
  assert.equal(refreshes, 2, 'refreshSince the current generation does');
});
