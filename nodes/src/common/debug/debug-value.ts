/**
 * Copies of values for the debug sidebar and the one-line console format.
 * A debug node must never hand out a live object (the message goes on and
 * may change), must survive circular references, and must not ship a 50 MB
 * payload to a browser: strings, arrays and buffers are cut at `maxLength`.
 */

const MAX_DEPTH = 20;

export interface DebugCopyOptions {
  /** Longest string / array / buffer kept (Node-RED's `debugMaxLength`, default 1000). */
  maxLength: number;
}

/** A deep copy for the sidebar: circular references become "[Circular]", long things are cut. */
export function copyForDebug(value: unknown, options: DebugCopyOptions): unknown {
  return copy(value, options.maxLength, [], 0);
}

function copy(value: unknown, maxLength: number, ancestors: object[], depth: number): unknown {
  if (typeof value === 'string') return value.length > maxLength ? `${value.slice(0, maxLength)}...` : value;
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' ? '[Function]' : value;
  }
  if (ancestors.includes(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Object too deep]';
  if (Buffer.isBuffer(value)) return Buffer.from(value.subarray(0, maxLength));
  if (ArrayBuffer.isView(value)) {
    const view = value as unknown as { slice(start: number, end: number): unknown };
    return view.slice(0, maxLength);
  }
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof RegExp) return new RegExp(value.source, value.flags);
  if (value instanceof Error) {
    const code = (value as Error & { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code !== undefined ? { code } : {}), stack: value.stack };
  }
  ancestors.push(value);
  try {
    if (Array.isArray(value)) {
      const length = Math.min(value.length, maxLength);
      const out = new Array<unknown>(length);
      for (let i = 0; i < length; i++) out[i] = copy(value[i], maxLength, ancestors, depth + 1);
      return out;
    }
    if (value instanceof Map) {
      const out = new Map<unknown, unknown>();
      for (const [k, v] of value) {
        if (out.size >= maxLength) break;
        out.set(k, copy(v, maxLength, ancestors, depth + 1));
      }
      return out;
    }
    if (value instanceof Set) {
      const out = new Set<unknown>();
      for (const v of value) {
        if (out.size >= maxLength) break;
        out.add(copy(v, maxLength, ancestors, depth + 1));
      }
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      out[key] = copy((value as Record<string, unknown>)[key], maxLength, ancestors, depth + 1);
    }
    return out;
  } finally {
    ancestors.pop();
  }
}

/**
 * JSON text of any value: Buffers as `{type:'Buffer',data:[...]}` (their
 * toJSON), circular references as "[Circular]", BigInts as strings. The plain
 * JSON.stringify is tried first because almost every message is plain data.
 */
export function stringifyForConsole(record: object): string {
  try {
    return JSON.stringify(record);
  } catch {
    return stringifySafely(record);
  }
}

function stringifySafely(record: object): string {
  const ancestors: unknown[] = [];
  return JSON.stringify(record, function (this: unknown, _key: string, value: unknown) {
    if (typeof value === 'bigint') return value.toString();
    if (value === null || typeof value !== 'object') return value;
    // `this` is the object that holds `value`: drop ancestors we have left.
    while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
    if (ancestors.includes(value)) return '[Circular]';
    ancestors.push(value);
    return value;
  });
}
