import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { StormLimiter, nextDelivery, summarize } from './storm-limiter.js';
import { retryDelay } from './backoff.js';
import type { PendingNotification } from './notification-queue.js';
import { notification } from './test-kit.js';

describe('storm limiter', () => {
  test('allows maxPerMinute deliveries in any sliding minute, then the slot of the oldest frees', () => {
    const limiter = new StormLimiter(3);
    const t0 = 1_000_000;
    assert.equal(limiter.available(t0), 3);
    limiter.record(t0);
    limiter.record(t0 + 1000);
    limiter.record(t0 + 2000);
    assert.equal(limiter.available(t0 + 2000), 0);
    assert.equal(limiter.nextSlotAt(t0 + 2000), t0 + 60_000);
    assert.equal(limiter.available(t0 + 60_000), 1);
    assert.equal(limiter.available(t0 + 62_000), 3);
  });

  test('refuses a limit that is not a whole number >= 1', () => {
    assert.throws(() => new StormLimiter(0), /maxPerMinute must be a whole number >= 1/);
  });

  test('sends singly while the slots cover the queue; the last slot carries one summary of the rest', () => {
    assert.equal(nextDelivery(0, 10), 'none');
    assert.equal(nextDelivery(5, 10), 'single');
    assert.equal(nextDelivery(47, 10), 'single');
    assert.equal(nextDelivery(38, 1), 'summary');
    assert.equal(nextDelivery(1, 1), 'single');
    assert.equal(nextDelivery(3, 0), 'wait');
  });
});

describe('storm summary', () => {
  test('counts transitions and critical raises and lists the keys', () => {
    const now = Date.now();
    const pending: PendingNotification[] = [];
    const add = (overrides: Parameters<typeof notification>[0]) => pending.push({ seq: pending.length + 1, deliveryId: `d${pending.length}`, notification: notification(overrides), queuedAt: now - 1000 });
    for (let i = 0; i < 12; i++) add({ key: `k${i}`, severity: 'critical' });
    for (let i = 0; i < 18; i++) add({ key: `k${i % 3}`, severity: 'minor' });
    for (let i = 0; i < 7; i++) add({ key: `k${i}`, transition: 'cleared', state: 'cleared' });
    const summary = summarize(pending, now);
    assert.equal(summary.count, 37);
    assert.equal(summary.title, '37 more alert notifications in the last minute');
    assert.deepEqual(summary.transitions, { raised: 30, renotify: 0, acknowledged: 0, cleared: 7 });
    assert.deepEqual(summary.raisedBySeverity, { critical: 12, minor: 18 });
    assert.equal(summary.keys.length, 12);
    assert.equal(summary.text, '37 more alert notifications in the last minute: 30 raised (12 critical), 7 cleared; keys: k0, k1, k2, k3, k4, k5, k6, k7, k8, k9 and 2 more');
  });

  test('says how long notifications were held when it was more than a minute (after an outage)', () => {
    const now = Date.now();
    const pending: PendingNotification[] = [1, 2].map((seq) => ({ seq, deliveryId: `d${seq}`, notification: notification({ transition: 'acknowledged', state: 'acknowledged' }), queuedAt: now - 5 * 60_000 }));
    assert.match(summarize(pending, now).text, /^2 more alert notifications in the last 5 minutes: 2 acknowledged; keys: [^;]+$/);
    assert.match(summarize(pending, now, 700).text, /; 700 more follow$/);
  });
});

describe('retry back-off', () => {
  const policy = { initialMs: 1000, maxMs: 300_000 };
  test('doubles from the initial delay, with jitter in the upper half', () => {
    assert.equal(retryDelay(1, policy, () => 0), 500);
    assert.equal(retryDelay(1, policy, () => 1), 1000);
    assert.equal(retryDelay(4, policy, () => 1), 8000);
    assert.equal(retryDelay(4, policy, () => 0), 4000);
  });
  test('never exceeds the cap, however many attempts', () => {
    assert.equal(retryDelay(50, policy, () => 1), 300_000);
    assert.equal(retryDelay(1000, policy, () => 0), 150_000);
  });
});
