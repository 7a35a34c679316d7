/**
 * RFC 8785 JSON Canonicalization Scheme: the one byte sequence a JSON value has, so a
 * flow set signed on one machine verifies on every other.
 *
 * - object members sorted by key, comparing UTF-16 code units (JavaScript's default sort);
 * - numbers in ECMAScript Number::toString form (what `String(n)` gives; -0 becomes 0);
 * - strings escaped as JSON.stringify escapes them;
 * - no whitespace.
 * Values I-JSON cannot hold are refused with a CanonicalizationError naming where they
 * sit: NaN and ±Infinity, lone surrogates, functions, symbols, bigints, undefined in
 * arrays, non-plain objects (Date, Map, class instances) and cycles. Object members
 * whose value is undefined are left out, as JSON.stringify does, so an optional field
 * set to undefined canonicalizes like an absent one.
 */

export class CanonicalizationError extends Error {
  /** Where the value sits, e.g. `$.nodes[3].x`. */
  readonly path: string;
  constructor(path: string, problem: string) {
    super(`cannot canonicalize ${path}: ${problem}`);
    this.name = 'CanonicalizationError';
    this.path = path;
  }
}

// With the u flag, a surrogate only matches when it is not half of a pair.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** Quote, backslash, control characters or any surrogate: the cases JSON.stringify must handle. */
const NEEDS_ESCAPE_OR_SURROGATE = /["\\\u0000-\u001f\uD800-\uDFFF]/;

export function canonicalize(value: unknown): string {
  try {
    return write(value, []);
  } catch (error) {
    if (error instanceof Refusal) throw new CanonicalizationError(pathOf(error.segments), error.problem);
    if (error instanceof RangeError) throw new CanonicalizationError('$', 'the value is nested too deeply to serialize');
    throw new CanonicalizationError('$', `the value could not be read (${error instanceof Error ? error.message : String(error)})`);
  }
}

/**
 * Thrown inside the walk; each container on the way out adds its key or index. Paths
 * are only built when something is refused, which keeps the walk itself allocation-light.
 */
class Refusal {
  readonly segments: Array<string | number> = [];
  constructor(readonly problem: string) {}
}

function pathOf(segments: ReadonlyArray<string | number>): string {
  let path = '$';
  for (let i = segments.length - 1; i >= 0; i--) {
    const segment = segments[i]!;
    if (typeof segment === 'number') path += `[${segment}]`;
    else path += IDENTIFIER.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
  }
  return path;
}

function write(value: unknown, ancestors: object[]): string {
  switch (typeof value) {
    case 'string':
      return quoteString(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Refusal(`${String(value)} is not a JSON number; use a finite number`);
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (ancestors.includes(value)) throw new Refusal('the value contains itself (a cycle)');
      return Array.isArray(value) ? writeArray(value, ancestors) : writeObject(value, ancestors);
    default:
      throw new Refusal(`${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`} is not a JSON value`);
  }
}

function quoteString(value: string): string {
  // Most strings need no escaping at all; JSON.stringify is only asked when one might.
  if (!NEEDS_ESCAPE_OR_SURROGATE.test(value)) return `"${value}"`;
  if (LONE_SURROGATE.test(value)) {
    throw new Refusal('the string holds a lone UTF-16 surrogate, which I-JSON forbids; fix the text encoding');
  }
  return JSON.stringify(value);
}

function writeArray(array: readonly unknown[], ancestors: object[]): string {
  if (Object.getPrototypeOf(array) !== Array.prototype) throw new Refusal('an array subclass is not plain JSON data');
  ancestors.push(array);
  let out = '[';
  let i = 0;
  try {
    for (; i < array.length; i++) out += (i > 0 ? ',' : '') + write(array[i], ancestors);
  } catch (error) {
    if (error instanceof Refusal) error.segments.push(i);
    throw error;
  }
  ancestors.pop();
  return `${out}]`;
}

function writeObject(object: object, ancestors: object[]): string {
  const prototype: unknown = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) {
    const name = (prototype as { constructor?: { name?: unknown } }).constructor?.name;
    throw new Refusal(`${typeof name === 'string' && name !== '' ? `a ${name}` : 'a non-plain object'} is not plain JSON data`);
  }
  ancestors.push(object);
  // Default sort compares UTF-16 code units, exactly the order RFC 8785 prescribes.
  const keys = Object.keys(object).sort();
  const record = object as Record<string, unknown>;
  let out = '{';
  let first = true;
  let key = '';
  try {
    for (key of keys) {
      const member = record[key];
      if (member === undefined) continue;
      out += `${first ? '' : ','}${quoteString(key)}:${write(member, ancestors)}`;
      first = false;
    }
  } catch (error) {
    if (error instanceof Refusal) error.segments.push(key);
    throw error;
  }
  ancestors.pop();
  return `${out}}`;
}
