const MAX_DEPTH = 10;
const MAX_STRING = 10_000;
const MAX_ITEMS = 1_000;

/**
 * A context value as JSON the editor can show: buffers as their size and first
 * bytes, functions and symbols by name, cycles marked, long strings and arrays
 * cut. Reading context must never fail or send megabytes because a node stored
 * something unusual.
 */
export function encodeForDisplay(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}… (${value.length} characters)` : value;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'undefined') return '[undefined]';
  if (typeof value === 'function') return `[Function ${value.name || 'anonymous'}]`;
  if (typeof value === 'symbol') return `[${value.toString()}]`;
  if (Buffer.isBuffer(value)) return { type: 'Buffer', length: value.length, hex: value.subarray(0, 64).toString('hex') };
  if (value instanceof Date) return value.toISOString();
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[…]';
  seen.add(value);
  try {
    if (value instanceof Map) return encodeForDisplay(Object.fromEntries(value), depth + 1, seen);
    if (value instanceof Set) return encodeForDisplay([...value], depth + 1, seen);
    if (Array.isArray(value)) {
      const items = value.slice(0, MAX_ITEMS).map((item) => encodeForDisplay(item, depth + 1, seen));
      if (value.length > MAX_ITEMS) items.push(`… (${value.length} items)`);
      return items;
    }
    const out: Record<string, unknown> = {};
    let count = 0;
    for (const [key, item] of Object.entries(value)) {
      if (++count > MAX_ITEMS) {
        out['…'] = `${Object.keys(value).length} keys`;
        break;
      }
      out[key] = encodeForDisplay(item, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}
