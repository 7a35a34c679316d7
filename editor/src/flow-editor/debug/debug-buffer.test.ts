import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childPath, DebugBuffer, previewOf } from './debug-buffer.js';

const message = (n: number) => ({ id: 'd1', z: 't1', property: 'payload', value: n, msgid: `m${n}` });

test('a flood keeps the newest messages, counts the skipped ones and shows in batches', () => {
  const buffer = new DebugBuffer(100);
  for (let n = 0; n < 5000; n++) buffer.push(message(n));
  assert.equal(buffer.entries.length, 0, 'nothing shows before the frame flushes');
  assert.equal(buffer.flush(), true);
  assert.equal(buffer.entries.length, 100);
  assert.equal(buffer.entries[99]!.value, 4999);
  assert.equal(buffer.skipped, 4900);
  assert.equal(buffer.flush(), false);
  buffer.clear();
  assert.equal(buffer.entries.length, 0);
  assert.equal(buffer.skipped, 0);
});

test('paths and previews', () => {
  assert.equal(childPath(childPath('payload', 'a'), 2), 'payload.a[2]');
  assert.equal(childPath('payload', 'with space'), 'payload["with space"]');
  assert.equal(previewOf({ a: 1, b: 2 }), '{ a, b }');
  assert.equal(previewOf([1, 2, 3]), 'array[3]');
  assert.equal(previewOf('x'.repeat(200)).length, 80);
});
