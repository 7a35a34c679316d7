/**
 * What the canonical walks throw inside, shared by the fast path (sorted-copy.ts) and the
 * string writer (string-writer.ts) so both refuse a value with the same words.
 */

/**
 * Thrown inside a walk; each container on the way out adds its key or index. Paths are
 * only built when something is refused, which keeps the walk itself allocation-light.
 */
export class Refusal {
  readonly segments: Array<string | number> = [];
  constructor(readonly problem: string) {}
}

export const NOT_FINITE = (value: number): string => `${String(value)} is not a JSON number; use a finite number`;
export const LONE_SURROGATE_PROBLEM = 'the string holds a lone UTF-16 surrogate, which I-JSON forbids; fix the text encoding';
export const CYCLE = 'the value contains itself (a cycle)';
export const ARRAY_SUBCLASS = 'an array subclass is not plain JSON data';

export function notJsonValue(value: unknown): string {
  return `${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`} is not a JSON value`;
}

/** The prototype a plain JSON object may have; anything else is refused with this message. */
export function nonPlainObject(prototype: unknown): string | undefined {
  if (prototype === Object.prototype || prototype === null) return undefined;
  const name = (prototype as { constructor?: { name?: unknown } }).constructor?.name;
  return `${typeof name === 'string' && name !== '' ? `a ${name}` : 'a non-plain object'} is not plain JSON data`;
}

// With the u flag, a surrogate only matches when it is not half of a pair.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
type MaybeWellFormed = string & { isWellFormed?: () => boolean };

/**
 * Whether a string has no lone surrogate. String.prototype.isWellFormed (ES2024) answers
 * in constant time for one-byte strings; older browsers get the regular expression.
 */
export const isWellFormed: (text: string) => boolean =
  typeof (String.prototype as MaybeWellFormed).isWellFormed === 'function'
    ? (text) => (text as MaybeWellFormed).isWellFormed!()
    : (text) => !LONE_SURROGATE.test(text);

/** Code-unit order, as RFC 8785 sorts keys; keys of one object are never equal. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : 1;
}
