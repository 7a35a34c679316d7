/**
 * RFC 8785 JSON Canonicalization Scheme: the one byte sequence a JSON value has, so a
 * flow set signed on one machine verifies on every other.
 *
 * - object members sorted by key, comparing UTF-16 code units;
 * - numbers in ECMAScript Number::toString form (what `String(n)` gives; -0 becomes 0);
 * - strings escaped as JSON.stringify escapes them;
 * - no whitespace.
 * Values I-JSON cannot hold are refused with a CanonicalizationError naming where they
 * sit: NaN and ±Infinity, lone surrogates, functions, symbols, bigints, undefined in
 * arrays, non-plain objects (Date, Map, class instances) and cycles. Object members
 * whose value is undefined are left out, as JSON.stringify does, so an optional field
 * set to undefined canonicalizes like an absent one.
 *
 * Signing and verifying deploys canonicalize whole flow sets, so this is on the deploy
 * path: sorted-copy.ts is the fast path, string-writer.ts the general one it falls back to.
 */
import { Refusal } from './refusal.js';
import { NeedsStringWriter, SortedCopier } from './sorted-copy.js';
import { writeCanonical } from './string-writer.js';

export class CanonicalizationError extends Error {
  /** Where the value sits, e.g. `$.nodes[3].x`. */
  readonly path: string;
  constructor(path: string, problem: string) {
    super(`cannot canonicalize ${path}: ${problem}`);
    this.name = 'CanonicalizationError';
    this.path = path;
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export function canonicalize(value: unknown): string {
  try {
    return canonicalText(value);
  } catch (error) {
    if (error instanceof Refusal) throw new CanonicalizationError(pathOf(error.segments), error.problem);
    if (error instanceof RangeError) throw new CanonicalizationError('$', 'the value is nested too deeply to serialize');
    throw new CanonicalizationError('$', `the value could not be read (${error instanceof Error ? error.message : String(error)})`);
  }
}

function canonicalText(value: unknown): string {
  // JSON.stringify would call a toJSON found on these prototypes; RFC 8785 never does.
  if (!('toJSON' in Object.prototype) && !('toJSON' in Array.prototype)) {
    try {
      // prepare() refuses undefined, so JSON.stringify returns a string here.
      return JSON.stringify(new SortedCopier().prepare(value));
    } catch (error) {
      if (!(error instanceof NeedsStringWriter)) throw error;
    }
  }
  return writeCanonical(value, []);
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
