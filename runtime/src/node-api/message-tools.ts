import { randomBytes } from 'node:crypto';
import type { FlowMessage } from './message.js';

// Message ids are drawn from a pool of random bytes: one syscall per 4,096 ids
// instead of one per message, which matters at hundreds of thousands of msg/s.
let pool = Buffer.alloc(0);
let offset = 0;

/** 16 hex characters, like Node-RED's `RED.util.generateId()`. */
export function newMessageId(): string {
  if (offset + 8 > pool.length) {
    pool = randomBytes(8 * 4096);
    offset = 0;
  }
  const id = pool.toString('hex', offset, offset + 8);
  offset += 8;
  return id;
}

/**
 * Deep copy of a message, as Node-RED's `RED.util.cloneMessage`: `req` and
 * `res` (live HTTP objects) are shared, everything else copied. Buffers and
 * typed arrays are copied as their exact bytes.
 */
export function cloneMessage<T extends FlowMessage>(msg: T): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(msg)) {
    const value = msg[key];
    out[key] = key === 'req' || key === 'res' ? value : cloneValue(value, 0);
  }
  return out as T;
}

const MAX_CLONE_DEPTH = 1000;

/** Deep copy of JSON-like data plus Buffer, typed arrays, Date, RegExp, Map, Set. */
export function cloneValue(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_CLONE_DEPTH) throw new RangeError('Message is nested too deeply to copy');
  if (Array.isArray(value)) {
    const copy = new Array(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = cloneValue(value[i], depth + 1);
    return copy;
  }
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (ArrayBuffer.isView(value)) return (value as unknown as { slice(): unknown }).slice();
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof RegExp) return new RegExp(value.source, value.flags);
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, cloneValue(v, depth + 1)]));
  if (value instanceof Set) return new Set([...value].map((v) => cloneValue(v, depth + 1)));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // class instances (sockets, clients) are shared, as in Node-RED
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = cloneValue((value as Record<string, unknown>)[key], depth + 1);
  return copy;
}
