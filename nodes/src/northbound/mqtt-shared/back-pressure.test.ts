import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { BackPressureGate } from './back-pressure.js';

/** The runtime's load as numbers the test moves by hand. */
function load() {
  return { queued: 0, inFlight: 0, finished: 0 };
}

const limits = { highWater: 10, lowWater: 3, pollMs: 1, stallMs: 50 };

describe('BackPressureGate', () => {
  test('lets a message through at once below the high-water mark; above it waits until the low-water mark', async () => {
    const l = load();
    const gate = new BackPressureGate(l, limits);
    let passed = 0;
    gate.whenReady(() => passed++);
    assert.equal(passed, 1);
    l.queued = 8;
    l.inFlight = 3;
    const resumed = new Promise<void>((resolve) => gate.whenReady(resolve));
    assert.equal(gate.paused, true);
    assert.equal(gate.pauses, 1);
    // Work moves but is still above low water: stays paused.
    l.queued = 2;
    l.finished = 9;
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(gate.paused, true);
    l.inFlight = 1;
    l.finished = 11;
    await resumed;
    assert.equal(gate.paused, false);
  });

  test('work that stops moving (nothing finishes) does not stop the input for ever: it resumes and says so', async () => {
    const l = load();
    const stalls: number[] = [];
    const gate = new BackPressureGate(l, limits, (held) => stalls.push(held));
    l.inFlight = 50; // e.g. a node that never calls done()
    await new Promise<void>((resolve) => gate.whenReady(resolve));
    assert.deepEqual(stalls, [50]);
    // Those 50 no longer count; new work does.
    let passed = false;
    gate.whenReady(() => (passed = true));
    assert.equal(passed, true);
  });

  test('release() lets waiting readers go (the connection closes)', async () => {
    const l = load();
    l.queued = 100;
    const gate = new BackPressureGate(l, limits);
    const released = new Promise<void>((resolve) => gate.whenReady(resolve));
    gate.release();
    await released;
    assert.equal(gate.paused, false);
  });
});
