import { types } from 'node:util';

/**
 * Turns a live message into the JSON form a case file stores, and a case
 * file's input message back into a live one. Each rule here is listed in
 * test/README.md ("Normalisation"): keep the two in step.
 */

/** JSON data: what a case file holds. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Replaces random ids (`parts.id` of a sequence, `_linkSource[].id` of a link
 * call) by a stable label per distinct id, numbered in order of first
 * appearance and shared by all sinks of one run: `<parts-id-1>`, `<link-source-1>`.
 */
export class StableLabels {
  private readonly labels = new Map<string, string>();
  private readonly counts = new Map<string, number>();

  label(kind: 'parts-id' | 'link-source', id: unknown): string {
    const key = `${kind}\u0000${typeof id === 'string' ? id : JSON.stringify(id)}`;
    let label = this.labels.get(key);
    if (!label) {
      const n = (this.counts.get(kind) ?? 0) + 1;
      this.counts.set(kind, n);
      this.labels.set(key, (label = `<${kind}-${n}>`));
    }
    return label;
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

export interface NormalizeContext {
  labels: StableLabels;
  /** The moment the run happened; a timestamp within a day of it is the clock, not data. */
  now: number;
}

/**
 * A message as compared: `_msgid` dropped, and `_event` (the internal event
 * name Node-RED's link nodes leave on a message, e.g. "node:<link out id>"),
 * then every value normalised.
 */
export function normalizeMessage(msg: Record<string, unknown>, context: NormalizeContext): Json {
  const out: Record<string, Json> = {};
  for (const key of Object.keys(msg).sort()) {
    if (key === '_msgid' || key === '_event') continue;
    const value = msg[key];
    if (value === undefined) continue;
    if (key === 'parts') out[key] = normalizeParts(value, context, new Set());
    else if (key === '_linkSource') out[key] = normalizeLinkSource(value, context);
    else out[key] = normalizeValue(value, context, new Set());
  }
  return out;
}

/** The link call stack: each entry's random `id` replaced by its label. */
function normalizeLinkSource(value: unknown, context: NormalizeContext): Json {
  if (!Array.isArray(value)) return normalizeValue(value, context, new Set());
  return value.map((entry: unknown) => {
    if (!isPlainObject(entry) || !('id' in entry)) return normalizeValue(entry, context, new Set());
    const copy = normalizeValue({ ...entry, id: undefined }, context, new Set()) as Record<string, Json>;
    return { ...copy, id: context.labels.label('link-source', entry.id) };
  });
}

/** `parts` (and the `parts.parts` of nested sequences) with each `id` replaced by its label. */
function normalizeParts(value: unknown, context: NormalizeContext, seen: Set<object>): Json {
  if (!isPlainObject(value)) return normalizeValue(value, context, seen);
  const out: Record<string, Json> = {};
  for (const key of Object.keys(value).sort()) {
    const item = value[key];
    if (item === undefined) continue;
    if (key === 'id') out[key] = context.labels.label('parts-id', item);
    else if (key === 'parts') out[key] = normalizeParts(item, context, seen);
    else out[key] = normalizeValue(item, context, seen);
  }
  return out;
}

function normalizeValue(value: unknown, context: NormalizeContext, seen: Set<object>): Json {
  switch (typeof value) {
    case 'string':
      return isRecentIsoTime(value, context.now) ? '<timestamp-iso>' : value;
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) return { $number: String(value) };
      return isRecentTimestamp(value, context.now) ? '<timestamp>' : value;
    case 'bigint':
      return { $bigint: value.toString() };
    case 'undefined':
      return { $undefined: true };
    case 'function':
      return '<function>';
    case 'symbol':
      return { $symbol: value.toString() };
  }
  if (value === null) return null;
  const object = value as object;
  if (seen.has(object)) return '<circular>';
  seen.add(object);
  try {
    return normalizeObject(object, context, seen);
  } finally {
    seen.delete(object);
  }
}

function normalizeObject(value: object, context: NormalizeContext, seen: Set<object>): Json {
  // Array.from, not map: map would build the copy in the array's own realm (Node-RED's function sandbox).
  if (Array.isArray(value)) return Array.from(value, (item) => normalizeValue(item, context, seen));
  // util.types checks, not instanceof: Node-RED's function node builds values in
  // another V8 context (realm), whose Date, Error, Object... are other classes.
  if (Buffer.isBuffer(value)) return { $buffer: value.toString('hex') };
  if (ArrayBuffer.isView(value)) return { $typedArray: value.constructor.name, bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex') };
  if (types.isDate(value)) return { $date: isRecentTimestamp(value.getTime(), context.now) ? '<timestamp>' : value.toISOString() };
  if (types.isRegExp(value)) return { $regexp: String(value) };
  if (types.isNativeError(value)) return { $error: value.name, message: value.message };
  if (types.isMap(value)) return { $map: [...value].map(([k, v]) => [normalizeValue(k, context, seen), normalizeValue(v, context, seen)]) };
  if (types.isSet(value)) return { $set: [...value].map((v) => normalizeValue(v, context, seen)) };
  if (!isPlainObject(value)) return { $instance: value.constructor?.name ?? 'unknown' };
  const out: Record<string, Json> = {};
  for (const key of Object.keys(value).sort()) {
    const item = value[key];
    if (item === undefined) continue; // as JSON and Node-RED's debug sidebar: an undefined property is absent
    // Nested whole messages (a join of complete messages, msg._error) carry their own random _msgid.
    if (key === '_msgid') out[key] = '<msgid>';
    else if (key === 'stack' && typeof item === 'string') out[key] = '<stack>';
    else out[key] = normalizeValue(item, context, seen);
  }
  return out;
}

/** An object literal of any realm: its prototype is null or some realm's Object.prototype. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

function isRecentTimestamp(value: number, now: number): boolean {
  return Number.isInteger(value) && Math.abs(value - now) < DAY_MS;
}

function isRecentIsoTime(value: string, now: number): boolean {
  if (!ISO_DATE_TIME.test(value)) return false;
  const time = Date.parse(value);
  return !Number.isNaN(time) && Math.abs(time - now) < DAY_MS;
}

/**
 * A case file's input message as a live one: `{"$buffer": "<hex>"}` becomes a
 * Buffer, `{"$date": "<iso>"}` a Date, `{"$undefined": true}` undefined;
 * everything else is copied as is.
 */
export function decodeCaseValue(value: Json): unknown {
  if (Array.isArray(value)) return value.map(decodeCaseValue);
  if (value === null || typeof value !== 'object') return value;
  if (typeof value.$buffer === 'string') return Buffer.from(value.$buffer, 'hex');
  if (typeof value.$date === 'string') return new Date(value.$date);
  if (value.$undefined === true) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = decodeCaseValue(item);
  return out;
}
