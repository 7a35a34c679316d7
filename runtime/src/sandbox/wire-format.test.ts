import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { decodeValue, encodeValue, unframe, frameEncoded, WireFormatError } from './wire-format.js';

const roundTrip = (value: unknown, limits?: { maxBytes: number; maxDepth: number }): unknown => decodeValue(encodeValue(value, limits), limits);

describe('wire format', () => {
  test('plain JSON data round-trips unchanged', () => {
    const value = { a: 1, b: 'two', c: [true, null, { d: -3.5 }], e: {}, f: [], g: 'ünïcødé ✓ \u2028' };
    assert.deepEqual(roundTrip(value), value);
  });

  test('values JSON cannot hold keep their kind', () => {
    const value = {
      when: new Date(Date.UTC(2020, 0, 2, 3, 4, 5)),
      nan: NaN,
      inf: -Infinity,
      undef: undefined,
      list: [1, undefined, 3],
      big: 12345678901234567890n,
      re: /a+b/gi,
      map: new Map<unknown, unknown>([['k', { v: 1 }]]),
      set: new Set([1, 'two']),
      u16: new Uint16Array([1, 65535]),
      ab: new Uint8Array([9, 8]).buffer,
    };
    const back = roundTrip(value) as typeof value;
    assert.deepEqual(back, value);
    assert.ok('undef' in back, 'an undefined property stays present');
    assert.ok(back.u16 instanceof Uint16Array);
    const invalid = roundTrip(new Date(NaN));
    assert.ok(invalid instanceof Date && Number.isNaN(invalid.getTime()));
  });

  test('functions and symbols are dropped like JSON.stringify drops them', () => {
    assert.deepEqual(roundTrip({ f: () => 1, s: Symbol('x'), list: [() => 1], keep: 1 }), { list: [null], keep: 1 });
  });

  test('errors carry name, message, stack and their own properties', () => {
    const error = Object.assign(new TypeError('bad thing'), { code: 'E_BAD' });
    const back = roundTrip({ error }) as { error: TypeError & { code: string } };
    assert.ok(back.error instanceof Error);
    assert.equal(back.error.name, 'TypeError');
    assert.equal(back.error.message, 'bad thing');
    assert.equal(back.error.code, 'E_BAD');
    assert.equal(back.error.stack, error.stack);
  });

  test('an object with a NUL key is not mistaken for a tagged value', () => {
    const value = { '\u0000': 'b', i: 0, nested: { '\u0000': 'u' } };
    assert.deepEqual(roundTrip(value), value);
  });

  test("a pooled Buffer crosses as its exact bytes, never the pool's neighbouring bytes", () => {
    const secret = Buffer.from('NEIGHBOUR-SECRET-BYTES');
    const small = Buffer.from('hi');
    assert.equal(small.buffer, secret.buffer, 'both come from the shared pool');
    const frame = encodeValue({ payload: small });
    assert.equal(Buffer.from(frame).indexOf('NEIGHBOUR'), -1);
    const back = decodeValue(frame) as { payload: Buffer };
    assert.ok(Buffer.isBuffer(back.payload));
    assert.equal(back.payload.toString(), 'hi');
    assert.equal(back.payload.buffer.byteLength, 2, 'the decoded Buffer owns exactly its bytes');
    for (const binary of unframe(frame).binaries) assert.equal(binary.buffer.byteLength, binary.byteLength);
  });

  test('a circular value is refused with the path of the cycle', () => {
    const value: Record<string, unknown> = { a: { b: {} } };
    (value.a as { b: Record<string, unknown> }).b.back = value;
    assert.throws(() => encodeValue(value), (error: unknown) => error instanceof WireFormatError && error.code === 'circular' && /a\.b\.back/.test(error.message));
  });

  test('a shared (non-circular) object is copied at each place it appears', () => {
    const shared = { v: 1 };
    assert.deepEqual(roundTrip([shared, shared]), [{ v: 1 }, { v: 1 }]);
  });

  test('too large and too deep values are refused before anything is built', () => {
    const limits = { maxBytes: 1000, maxDepth: 5 };
    assert.throws(() => encodeValue({ s: 'x'.repeat(2000) }, limits), (error: unknown) => error instanceof WireFormatError && error.code === 'too-large');
    assert.throws(() => encodeValue(Buffer.alloc(5000), limits), (error: unknown) => error instanceof WireFormatError && error.code === 'too-large');
    assert.throws(() => encodeValue({ a: { b: { c: { d: { e: { f: 1 } } } } } }, limits), (error: unknown) => error instanceof WireFormatError && error.code === 'too-deep');
    // An exponential DAG (each level shares the one below twice) trips the size cap, not the memory.
    let node: unknown = 'x';
    for (let i = 0; i < 40; i++) node = [node, node];
    assert.throws(() => encodeValue(node), (error: unknown) => error instanceof WireFormatError && (error.code === 'too-large' || error.code === 'too-deep'));
  });

  test('malformed frames are rejected with a clear error, never read past their end', () => {
    const good = encodeValue({ payload: Buffer.from('abc') });
    assert.throws(() => decodeValue(good.subarray(0, good.byteLength - 1)), WireFormatError);
    assert.throws(() => decodeValue(new Uint8Array([1, 2, 3])), WireFormatError);
    const lying = Buffer.from(good);
    lying.writeUInt32LE(0xffffffff, 2);
    assert.throws(() => decodeValue(lying), WireFormatError);
    const badJson = frameEncoded({ json: '{"a":', binaries: [] });
    assert.throws(() => decodeValue(badJson), (error: unknown) => error instanceof WireFormatError && error.code === 'malformed');
    const missingBinary = frameEncoded({ json: '{"p":{"\\u0000":"b","i":3}}', binaries: [] });
    assert.throws(() => decodeValue(missingBinary), (error: unknown) => error instanceof WireFormatError && error.code === 'malformed');
  });

  test('a decoded __proto__ key stays an own property and never changes a prototype', () => {
    const frame = frameEncoded({ json: '{"__proto__":{"polluted":true},"e":{"\\u0000":"e","n":"Error","m":"x","p":{"__proto__":{"polluted":true}}}}', binaries: [] });
    const back = decodeValue(frame) as Record<string, unknown>;
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((back.e as Record<string, unknown>).polluted, undefined);
  });
});
