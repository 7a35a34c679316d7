/**
 * The general RFC 8785 writer: builds the canonical text member by member. canonicalize()
 * uses the faster sorted-copy path and comes here only for the values that path cannot
 * express (an object whose integer-like keys JSON.stringify would move to the front, or a
 * toJSON planted on Object.prototype / Array.prototype).
 */
import { ARRAY_SUBCLASS, compareKeys, CYCLE, isWellFormed, LONE_SURROGATE_PROBLEM, nonPlainObject, NOT_FINITE, notJsonValue, Refusal } from './refusal.js';

/** Quote, backslash, control characters or any surrogate: the cases JSON.stringify must handle. */
const NEEDS_ESCAPE_OR_SURROGATE = /["\\\u0000-\u001f\uD800-\uDFFF]/;

export function writeCanonical(value: unknown, ancestors: object[]): string {
  switch (typeof value) {
    case 'string':
      return quoteString(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Refusal(NOT_FINITE(value));
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (ancestors.includes(value)) throw new Refusal(CYCLE);
      return Array.isArray(value) ? writeArray(value, ancestors) : writeObject(value, ancestors);
    default:
      throw new Refusal(notJsonValue(value));
  }
}

function quoteString(value: string): string {
  // Most strings need no escaping at all; JSON.stringify is only asked when one might.
  if (!NEEDS_ESCAPE_OR_SURROGATE.test(value)) return `"${value}"`;
  if (!isWellFormed(value)) throw new Refusal(LONE_SURROGATE_PROBLEM);
  return JSON.stringify(value);
}

function writeArray(array: readonly unknown[], ancestors: object[]): string {
  if (Object.getPrototypeOf(array) !== Array.prototype) throw new Refusal(ARRAY_SUBCLASS);
  ancestors.push(array);
  let out = '[';
  let i = 0;
  try {
    for (; i < array.length; i++) out += (i > 0 ? ',' : '') + writeCanonical(array[i], ancestors);
  } catch (error) {
    if (error instanceof Refusal) error.segments.push(i);
    throw error;
  }
  ancestors.pop();
  return `${out}]`;
}

function writeObject(object: object, ancestors: object[]): string {
  const problem = nonPlainObject(Object.getPrototypeOf(object));
  if (problem !== undefined) throw new Refusal(problem);
  ancestors.push(object);
  const keys = Object.keys(object).sort(compareKeys);
  const record = object as Record<string, unknown>;
  let out = '{';
  let first = true;
  let key = '';
  try {
    for (key of keys) {
      const member = record[key];
      if (member === undefined) continue;
      out += `${first ? '' : ','}${quoteString(key)}:${writeCanonical(member, ancestors)}`;
      first = false;
    }
  } catch (error) {
    if (error instanceof Refusal) error.segments.push(key);
    throw error;
  }
  ancestors.pop();
  return `${out}}`;
}
