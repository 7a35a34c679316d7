import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { decodeCaseValue, normalizeMessage, StableLabels, type NormalizeContext } from './normalize.js';
import { describeDifferences } from './sink-diff.js';
import { loadCases, parseCase } from './case-file.js';

const NOW = Date.UTC(2030, 0, 1);
const context = (): NormalizeContext => ({ labels: new StableLabels(), now: NOW });

describe('normalizeMessage', () => {
  test('drops _msgid and _event, sorts keys, drops undefined properties', () => {
    const out = normalizeMessage({ _msgid: 'abc', _event: 'node:lo', topic: 't', payload: 1, gone: undefined }, context());
    assert.deepEqual(out, { payload: 1, topic: 't' });
    assert.deepEqual(Object.keys(out as object), ['payload', 'topic']);
  });

  test('labels parts.id per distinct id, nested parts too, across messages of one run', () => {
    const ctx = context();
    const a = normalizeMessage({ parts: { id: 'x1', index: 0, parts: { id: 'outer' } } }, ctx);
    const b = normalizeMessage({ parts: { id: 'x2', index: 0 } }, ctx);
    const c = normalizeMessage({ parts: { id: 'x1', index: 1 } }, ctx);
    assert.deepEqual(a, { parts: { id: '<parts-id-1>', index: 0, parts: { id: '<parts-id-2>' } } });
    assert.deepEqual(b, { parts: { id: '<parts-id-3>', index: 0 } });
    assert.deepEqual(c, { parts: { id: '<parts-id-1>', index: 1 } });
  });

  test('labels _linkSource ids and marks nested _msgid', () => {
    const out = normalizeMessage({ _linkSource: [{ id: 'r4nd0m', node: 'lc' }], payload: [{ _msgid: 'inner', payload: 1 }] }, context());
    assert.deepEqual(out, { _linkSource: [{ id: '<link-source-1>', node: 'lc' }], payload: [{ _msgid: '<msgid>', payload: 1 }] });
  });

  test('replaces recent timestamps and ISO times, keeps other numbers and dates', () => {
    const out = normalizeMessage(
      { a: NOW - 5000, b: 1_600_000_000_000, c: new Date(NOW).toISOString(), d: '2020-01-02T03:04:05.000Z', e: new Date(NOW + 1), f: 12.5 },
      context(),
    );
    assert.deepEqual(out, { a: '<timestamp>', b: 1_600_000_000_000, c: '<timestamp-iso>', d: '2020-01-02T03:04:05.000Z', e: { $date: '<timestamp>' }, f: 12.5 });
  });

  test('tags values JSON cannot hold, including values from another realm', () => {
    const foreign = runInNewContext('({ err: new TypeError("bad"), obj: { k: 1 }, when: new Date(0) })') as Record<string, unknown>;
    const out = normalizeMessage(
      { buf: Buffer.from('hi'), nan: Number.NaN, inf: -Infinity, list: [1, undefined], err: foreign.err, obj: foreign.obj, when: foreign.when, stack: 'kept at top', e: { stack: 'at x' } },
      context(),
    );
    assert.deepEqual(out, {
      buf: { $buffer: '6869' },
      e: { stack: '<stack>' },
      err: { $error: 'TypeError', message: 'bad' },
      inf: { $number: '-Infinity' },
      list: [1, { $undefined: true }],
      nan: { $number: 'NaN' },
      obj: { k: 1 },
      stack: 'kept at top',
      when: { $date: '1970-01-01T00:00:00.000Z' },
    });
  });

  test('marks circular references instead of looping', () => {
    const payload: Record<string, unknown> = { a: 1 };
    payload.self = payload;
    assert.deepEqual(normalizeMessage({ payload }, context()), { payload: { a: 1, self: '<circular>' } });
  });
});

describe('decodeCaseValue', () => {
  test('turns tagged values of a case input back into live ones', () => {
    const value = decodeCaseValue({ b: { $buffer: '0102' }, d: { $date: '2020-01-01T00:00:00.000Z' }, u: [{ $undefined: true }], n: { k: [1] } }) as Record<string, unknown>;
    assert.ok(Buffer.isBuffer(value.b));
    assert.deepEqual([...(value.b as Buffer)], [1, 2]);
    assert.ok(value.d instanceof Date);
    assert.deepEqual(value.u, [undefined]);
    assert.deepEqual(value.n, { k: [1] });
  });
});

describe('describeDifferences', () => {
  test('is empty when equal', () => {
    assert.deepEqual(describeDifferences({ s: [{ payload: 1 }] }, { s: [{ payload: 1 }] }), []);
  });

  test('names the sink, message number and property path', () => {
    const lines = describeDifferences(
      { s: [{ payload: { a: 1, b: [1, 2] } }, { payload: 2 }] },
      { s: [{ payload: { a: '1', b: [1, 3], c: true } }] },
    );
    assert.deepEqual(lines, [
      'sink s: expected 2 message(s), got 1',
      'sink s, message #1 payload.a: expected 1, got "1"',
      'sink s, message #1 payload.b[1]: expected 2, got 3',
      'sink s, message #1 payload.c: unexpected true',
      'sink s, message #2: missing {"payload":2}',
    ]);
  });
});

describe('case files', () => {
  test('a case naming a node that is not in the flow is rejected with the field', () => {
    const text = JSON.stringify({ name: 'x', description: '', flow: [{ id: 'a', type: 'debug' }], inputs: [{ node: 'zz', msg: {} }], sinks: ['a'] });
    assert.throws(() => parseCase(text, 'area/x.json'), /area\/x\.json: "inputs\[0\]\.node" names zz/);
  });

  test('every stored case parses and is recorded', () => {
    const cases = loadCases();
    assert.ok(cases.length >= 70, `expected at least 70 parity cases, found ${cases.length}`);
    const unrecorded = cases.filter((c) => !c.parityCase.expected).map((c) => c.file);
    assert.deepEqual(unrecorded, [], 'run npm run parity:record -w @loopedge/test for these');
  });
});
