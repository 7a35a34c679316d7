/**
 * The switch node's rule operators, with Node-RED's exact JavaScript
 * semantics: loose equality, relational comparison of any values, string
 * coercion for `cont` and `regex`. The casts below keep those runtime
 * semantics (TypeScript cannot express "compare like JavaScript does").
 */

/** msg.parts as the sequence operators read it. */
export interface SequenceParts {
  index: number;
  count: number;
}

export type Operator = (a: unknown, b: unknown, c: unknown, caseInsensitive: boolean, parts: SequenceParts | undefined) => unknown;

type Loose = number; // JS relational operators on arbitrary values, as Node-RED applies them

function lengthOf(a: unknown): number | undefined {
  if (typeof a === 'string' || Array.isArray(a) || Buffer.isBuffer(a)) return a.length;
  if (typeof a === 'object' && a !== null) return Object.keys(a).length;
  return undefined;
}

// Regular expressions built from a static rule value are reused; Node-RED
// builds one per message, which gives the same matches.
const regexCache = new Map<string, RegExp>();

function regexFor(source: unknown, caseInsensitive: boolean): RegExp {
  if (typeof source !== 'string') return new RegExp(source as string, caseInsensitive ? 'i' : '');
  const key = `${caseInsensitive ? 'i' : '-'}${String(source)}`;
  let re = regexCache.get(key);
  if (!re) {
    re = new RegExp(source, caseInsensitive ? 'i' : '');
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(key, re);
  }
  return re;
}

function isType(a: unknown, type: unknown): boolean {
  if (type === 'array') return Array.isArray(a);
  if (type === 'buffer') return Buffer.isBuffer(a);
  if (type === 'json') {
    try {
      JSON.parse(a as string);
      return true;
    } catch {
      return false;
    }
  }
  if (type === 'null') return a === null;
  if (type === 'number') return typeof a === 'number' && !Number.isNaN(a);
  return typeof a === type && !Array.isArray(a) && !Buffer.isBuffer(a) && a !== null;
}

export const OPERATORS: Record<string, Operator> = {
  // loose equality on purpose, as Node-RED
  eq: (a, b) => a == b,
  // loose equality on purpose, as Node-RED
  neq: (a, b) => a != b,
  lt: (a, b) => (a as Loose) < (b as Loose),
  lte: (a, b) => (a as Loose) <= (b as Loose),
  gt: (a, b) => (a as Loose) > (b as Loose),
  gte: (a, b) => (a as Loose) >= (b as Loose),
  btwn: (a, b, c) => {
    const x = a as Loose;
    const lo = b as Loose;
    const hi = c as Loose;
    return (x >= lo && x <= hi) || (x <= lo && x >= hi);
  },
  cont: (a, b) => ((a as string) + '').indexOf(b as string) !== -1,
  regex: (a, b, _c, caseInsensitive) => ((a as string) + '').match(regexFor(b, caseInsensitive)),
  true: (a) => a === true,
  false: (a) => a === false,
  null: (a) => a === undefined || a === null,
  nnull: (a) => a !== undefined && a !== null,
  empty: (a) => lengthOf(a) === 0,
  nempty: (a) => {
    const length = lengthOf(a);
    return length !== undefined && length !== 0;
  },
  istype: (a, b) => isType(a, b),
  // A missing msg.parts throws here, as in Node-RED; the message then errors.
  head: (_a, b, _c, _i, parts) => parts!.index < Number(b),
  tail: (_a, b, _c, _i, parts) => parts!.count - Number(b) <= parts!.index,
  index: (_a, b, c, _i, parts) => Number(b) <= parts!.index && parts!.index <= Number(c),
  hask: (a, b) => a !== undefined && a !== null && typeof b !== 'object' && Object.prototype.hasOwnProperty.call(a, String(b)),
  jsonata_exp: (_a, b) => b === true,
  else: (a) => a === true,
};
