import { test } from 'node:test';
import assert from 'node:assert/strict';
import { queryString } from './api-client.js';
import { errorMessage, toApiRequestError } from './api-error.js';
import { readCookie } from './cookies.js';
import { singleFlight } from './single-flight.js';

test('singleFlight: concurrent callers share one call; the next call after it settles starts a new one', async () => {
  let calls = 0;
  let release!: (value: number) => void;
  const refresh = singleFlight(() => {
    calls++;
    return new Promise<number>((resolve) => (release = resolve));
  });
  const both = Promise.all([refresh(), refresh(), refresh()]);
  release(7);
  assert.deepEqual(await both, [7, 7, 7]);
  assert.equal(calls, 1);
  const again = refresh();
  release(8);
  assert.equal(await again, 8);
  assert.equal(calls, 2);
});

test('singleFlight: a failed call is shared too and does not stick', async () => {
  let calls = 0;
  const refresh = singleFlight(async () => {
    calls++;
    if (calls === 1) throw new Error('refused');
    return 'ok';
  });
  await Promise.all([assert.rejects(refresh(), /refused/), assert.rejects(refresh(), /refused/)]);
  assert.equal(await refresh(), 'ok');
  assert.equal(calls, 2);
});

test('readCookie finds the CSRF cookie among others, decoded; absent → undefined', () => {
  const jar = 'a=1; __Host-loopedge-csrf=abc%2Fdef; __Host-loopedge-csrf-other=x';
  assert.equal(readCookie(jar, '__Host-loopedge-csrf'), 'abc/def');
  assert.equal(readCookie(jar, 'missing'), undefined);
  assert.equal(readCookie('', 'a'), undefined);
});

test('API errors keep the server\'s code and name the failing node in the message', () => {
  const error = toApiRequestError(400, { error: { code: 'flows-invalid', message: 'The flows are invalid.', problems: [{ path: '/flows/1', message: 'unknown type', nodeId: 'n7' }] } }, 'POST /api/flows');
  assert.equal(error.code, 'flows-invalid');
  assert.equal(errorMessage(error), 'The flows are invalid.\nnode n7: unknown type');
  const plain = toApiRequestError(502, '<html>bad gateway</html>', 'GET /api/users');
  assert.equal(plain.message, 'GET /api/users failed with HTTP 502.');
});

test('queryString leaves out empty values and encodes the rest', () => {
  assert.equal(queryString({ actor: 'a b', action: '', limit: 51, since: undefined }), '?actor=a+b&limit=51');
  assert.equal(queryString(undefined), '');
});
