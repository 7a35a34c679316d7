/**
 * canonicalize() against the straightforward RFC 8785 writer it replaced (kept below as the
 * reference, unchanged in behaviour): same text for every value, and for refused values the
 * same error at the same path. Covers both of canonicalize()'s paths (sorted copy, and the
 * string writer taken for integer-like keys).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalize, CanonicalizationError } from './canonicalize.js';

class RefusalRef {
  readonly segments: Array<string | number> = [];
  constructor(readonly problem: string) {}
}
const LONE = /[\uD800-\uDFFF]/u;
const ESCAPE = /["\\\u0000-\u001f\uD800-\uDFFF]/;
const IDENT = /^[A-Za-z_$][\w$]*$/;

function reference(value: unknown): string {
  try {
    return write(value, []);
  } catch (error) {
    if (!(error instanceof RefusalRef)) throw error;
    let path = '$';
    for (let i = error.segments.length - 1; i >= 0; i--) {
      const s = error.segments[i]!;
      path += typeof s === 'number' ? `[${s}]` : IDENT.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
    }
    throw new CanonicalizationError(path, error.problem);
  }
}

function write(value: unknown, ancestors: object[]): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      if (!Number.isFinite(value)) throw new RefusalRef(`${String(value)} is not a JSON number; use a finite number`);
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (ancestors.includes(value)) throw new RefusalRef('the value contains itself (a cycle)');
      ancestors.push(value);
      const text = Array.isArray(value) ? writeArray(value, ancestors) : writeObject(value, ancestors);
      ancestors.pop();
      return text;
    }
    default:
      throw new RefusalRef(`${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`} is not a JSON value`);
  }
}

function quote(value: string): string {
  if (!ESCAPE.test(value)) return `"${value}"`;
  if (LONE.test(value)) throw new RefusalRef('the string holds a lone UTF-16 surrogate, which I-JSON forbids; fix the text encoding');
  return JSON.stringify(value);
}

function writeArray(array: readonly unknown[], ancestors: object[]): string {
  if (Object.getPrototypeOf(array) !== Array.prototype) throw new RefusalRef('an array subclass is not plain JSON data');
  const parts: string[] = [];
  array.forEach((item, i) => {
    try {
      parts.push(write(item, ancestors));
    } catch (error) {
      if (error instanceof RefusalRef) error.segments.push(i);
      throw error;
    }
  });
  return `[${parts.join(',')}]`;
}

function writeObject(object: object, ancestors: object[]): string {
  const prototype: unknown = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) {
    const name = (prototype as { constructor?: { name?: unknown } }).constructor?.name;
    throw new RefusalRef(`${typeof name === 'string' && name !== '' ? `a ${name}` : 'a non-plain object'} is not plain JSON data`);
  }
  const parts: string[] = [];
  for (const key of Object.keys(object).sort()) {
    const member = (object as Record<string, unknown>)[key];
    if (member === undefined) continue;
    try {
      parts.push(`${quote(key)}:${write(member, ancestors)}`);
    } catch (error) {
      if (error instanceof RefusalRef) error.segments.push(key);
      throw error;
    }
  }
  return `{${parts.join(',')}}`;
}

/** The same text, or the same CanonicalizationError (message and path). */
function outcome(run: () => string): { text: string } | { path: string; message: string } {
  try {
    return { text: run() };
  } catch (error) {
    assert.ok(error instanceof CanonicalizationError, String(error));
    return { path: error.path, message: error.message };
  }
}

function assertSameAsReference(value: unknown): void {
  assert.deepEqual(outcome(() => canonicalize(value)), outcome(() => reference(value)));
}

// Keys: any code units (lone surrogates included), non-ASCII text, integer-like keys that
// JavaScript reorders, and the names that are special on plain objects.
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
const key = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.string({ unit: 'grapheme', maxLength: 4 }),
  fc.string({ unit: codeUnit, maxLength: 3 }),
  fc.nat({ max: 20 }).map(String),
  fc.constantFrom('__proto__', 'toJSON', 'constructor', '4294967295', '01', '-1', ''),
);
const leaf = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: codeUnit, maxLength: 6 }),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);
const tree = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 5 }),
    // A literal __proto__ key from fc.dictionary would set the prototype, so build with defineProperty.
    fc.array(fc.tuple(key, tie('value')), { maxLength: 6 }).map((entries) => {
      const object: Record<string, unknown> = {};
      for (const [k, v] of entries) Object.defineProperty(object, k, { value: v, enumerable: true, writable: true, configurable: true });
      return object;
    }),
  ),
}));

describe('canonicalize: same as the reference RFC 8785 writer', () => {
  test('arbitrary JSON values, including unicode keys', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => assertSameAsReference(value)), { numRuns: 300 });
    fc.assert(fc.property(fc.jsonValue({ stringUnit: 'binary' }), (value) => assertSameAsReference(value)), { numRuns: 200 });
  });

  test('values with odd keys, undefined members, lone surrogates, NaN and Infinity', () => {
    fc.assert(fc.property(tree.value, (value) => assertSameAsReference(value)), { numRuns: 1000 });
  });

  test('repeated object shapes, sorted and unsorted, as in flow sets', () => {
    const node = fc.record({ z: fc.string(), id: fc.string(), type: fc.string(), wires: fc.array(fc.array(fc.string())), x: fc.integer() });
    const sortedNode = node.map(({ id, type, wires, x, z }) => ({ id, type, wires, x, z }));
    fc.assert(fc.property(fc.array(fc.oneof(node, sortedNode, tree.value), { maxLength: 20 }), (flows) => assertSameAsReference(flows)), {
      numRuns: 300,
    });
  });

  test('the string writer is taken when a toJSON sits on Object.prototype, and toJSON is ignored', () => {
    const value = { b: [1, { d: 2, c: 'x' }], a: null };
    Object.defineProperty(Object.prototype, 'toJSON', { value: () => 'hijacked', configurable: true, writable: true });
    try {
      assert.equal(canonicalize(value), '{"a":null,"b":[1,{"c":"x","d":2}]}');
    } finally {
      delete (Object.prototype as { toJSON?: unknown }).toJSON;
    }
  });

  test('integer-like keys stay in code-unit order, nested below sorted-copy objects', () => {
    const value = { z: [{ b: 1, a: 2 }], a: { '10': 1, '9': 2, '1': 3, b: 4, ' ': 5 } };
    assert.equal(canonicalize(value), '{"a":{" ":5,"1":3,"10":1,"9":2,"b":4},"z":[{"a":2,"b":1}]}');
  });
});
