/**
 * Whether two JSON values have the same canonical form (RFC 8785), decided without
 * building either string: member order is ignored, 0 equals -0, and members whose value
 * is undefined count as absent. The diff compares thousands of nodes per deploy, and
 * this is several times cheaper than comparing `canonicalize()` output.
 * Meant for JSON data: for values canonicalize() refuses the answer is best effort
 * (NaN equals nothing, a function only itself).
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const aIsArray = Array.isArray(a);
  if (aIsArray !== Array.isArray(b)) return false;
  if (aIsArray) return arraysEqual(a as unknown[], b as unknown[]);
  return membersEqual(a as Record<string, unknown>, b as Record<string, unknown>, NO_KEYS);
}

const NO_KEYS: ReadonlySet<string> = new Set();
const hasOwn = Object.prototype.hasOwnProperty;

/** jsonEqual for two objects, ignoring the top-level members named in `ignored`. */
export function jsonEqualExcept(
  a: Readonly<Record<string, unknown>>,
  b: Readonly<Record<string, unknown>>,
  ignored: ReadonlySet<string>,
): boolean {
  return membersEqual(a, b, ignored);
}

function arraysEqual(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
  return true;
}

function membersEqual(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>, ignored: ReadonlySet<string>): boolean {
  let defined = 0;
  for (const key of Object.keys(a)) {
    if (ignored.has(key)) continue;
    const value = a[key];
    if (value === undefined) continue;
    defined++;
    if (!hasOwn.call(b, key) || !jsonEqual(value, b[key])) return false;
  }
  for (const key of Object.keys(b)) {
    if (!ignored.has(key) && b[key] !== undefined) defined--;
  }
  return defined === 0;
}
