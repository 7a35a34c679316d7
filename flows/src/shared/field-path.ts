/**
 * Field paths name where in an item a problem sits, in the form people read in the
 * editor: `wires[0][1]`, `props[2].p`, `["odd key"]`. The item itself is `$`.
 */

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Path of property `key` inside the value at `parent` ('' is the item itself). */
export function keyPath(parent: string, key: string): string {
  if (IDENTIFIER.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

/** Path of element `index` inside the array at `parent`. */
export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

/** The item itself is written `$`, so a path is never empty. */
export function displayPath(path: string): string {
  return path === '' ? '$' : path;
}

/**
 * Quote a value taken from the document for use in a message: JSON quoting keeps
 * newlines and control characters out of one-line messages, and long values are cut
 * so a hostile document cannot make a message huge.
 */
export function quote(value: string, maxLength = 80): string {
  const cut = value.length > maxLength ? `${value.slice(0, maxLength)}…` : value;
  return JSON.stringify(cut);
}

/** A short description of what a value is, for messages like "is a number, not a string". */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'undefined':
      return 'missing';
    case 'string':
      return value === '' ? 'an empty string' : 'a string';
    case 'number':
      return Number.isFinite(value) ? 'a number' : `the number ${String(value)}`;
    case 'boolean':
      return 'a boolean';
    case 'bigint':
      return 'a bigint';
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    default:
      return describeObject(value);
  }
}

function describeObject(value: object): string {
  let prototype: object | null;
  try {
    if (Array.isArray(value)) return 'an array';
    prototype = Object.getPrototypeOf(value) as object | null;
  } catch {
    return 'an unreadable object';
  }
  if (prototype === Object.prototype || prototype === null) return 'an object';
  const name = constructorName(prototype);
  return name === undefined ? 'a non-plain object' : `a ${name} object`;
}

function constructorName(prototype: object): string | undefined {
  try {
    const ctor: unknown = (prototype as { constructor?: unknown }).constructor;
    if (typeof ctor === 'function' && typeof ctor.name === 'string' && ctor.name !== '') return ctor.name;
  } catch {
    // A hostile prototype may throw on access; the caller falls back to a generic word.
  }
  return undefined;
}
