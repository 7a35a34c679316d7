/**
 * Node-RED property expressions (`payload.a["b c"][0]`, `a[msg.key]`) with
 * Node-RED's exact semantics, precompiled once per node.
 *
 * The runtime's `parsePropertyPath` is stricter and simpler; core nodes need
 * Node-RED's quirks so exported flows behave the same: a leading `msg.` is
 * stripped, `a.0` is the number 0, `[msg.x]` is a nested reference resolved
 * against each message, setting beneath a primitive does nothing, reading
 * beneath `undefined` throws (switch and change rely on that).
 */

/** One step of a path: a name, an index, or a nested `msg.` reference. */
export type PathPart = string | number | CompiledPath;

export interface CompiledPath {
  readonly expression: string;
  readonly parts: readonly PathPart[];
  /** True when some part is a nested `[msg.x]` reference. */
  readonly dynamic: boolean;
}

export class PropertyExpressionError extends Error {
  constructor(readonly expression: string, reason: string) {
    super(`Invalid property expression "${expression}": ${reason}`);
    this.name = 'PropertyExpressionError';
  }
}

// Prototype-polluting names are refused: a flow must not be able to reach
// Object.prototype through a change node.
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const cache = new Map<string, CompiledPath>();
const CACHE_LIMIT = 10_000;

/** Compile a property expression relative to the message (a leading `msg.` is dropped). */
export function compileMessagePath(expression: string): CompiledPath {
  const expr = expression.startsWith('msg.') ? expression.slice(4) : expression;
  return compilePath(expr);
}

/** Compile a property expression relative to any object (context keys, template data). */
export function compilePath(expression: string): CompiledPath {
  const cached = cache.get(expression);
  if (cached) return cached;
  const parts = parseParts(expression);
  const compiled: CompiledPath = { expression, parts, dynamic: parts.some((p) => typeof p === 'object') };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(expression, compiled);
  return compiled;
}

function pushName(parts: PathPart[], expr: string, name: string): void {
  if (FORBIDDEN.has(name)) throw new PropertyExpressionError(expr, `"${name}" is not allowed in a property path`);
  parts.push(/^\d+$/.test(name) ? parseInt(name, 10) : name);
}

// Follows Node-RED's normalisePropertyExpression character by character so the
// same expressions are accepted and rejected.
function parseParts(expr: string): PathPart[] {
  const length = expr.length;
  if (length === 0) throw new PropertyExpressionError(expr, 'it is empty');
  const parts: PathPart[] = [];
  let start = 0;
  let inString = false;
  let inBox = false;
  let quote = '';
  for (let i = 0; i < length; i++) {
    const c = expr[i]!;
    if (inString) {
      if (c !== quote) continue;
      if (i === start) throw new PropertyExpressionError(expr, `zero-length string at position ${start}`);
      const name = expr.substring(start, i);
      if (FORBIDDEN.has(name)) throw new PropertyExpressionError(expr, `"${name}" is not allowed in a property path`);
      parts.push(name);
      const next = expr[i + 1];
      if (inBox && next !== ']') throw new PropertyExpressionError(expr, `unexpected array expression at position ${start}`);
      if (!inBox && i + 1 !== length && next !== '[' && next !== '.') {
        throw new PropertyExpressionError(expr, `unexpected ${next} at position ${i + 1}`);
      }
      start = i + 1;
      inString = false;
      continue;
    }
    if (c === "'" || c === '"') {
      if (i !== start) throw new PropertyExpressionError(expr, `unexpected ${c} at position ${i}`);
      inString = true;
      quote = c;
      start = i + 1;
    } else if (c === '.') {
      if (i === 0) throw new PropertyExpressionError(expr, 'unexpected . at position 0');
      if (start !== i) pushName(parts, expr, expr.substring(start, i));
      if (i === length - 1) throw new PropertyExpressionError(expr, 'it ends with "."');
      if (!/[a-z0-9$_]/i.test(expr[i + 1]!)) throw new PropertyExpressionError(expr, `unexpected ${expr[i + 1]} at position ${i + 1}`);
      start = i + 1;
    } else if (c === '[') {
      if (i === 0) throw new PropertyExpressionError(expr, 'unexpected [ at position 0');
      if (start !== i) pushName(parts, expr, expr.substring(start, i));
      if (i === length - 1) throw new PropertyExpressionError(expr, 'unterminated expression');
      if (/^msg[.[]/.test(expr.substring(i + 1))) {
        const close = findClosingBracket(expr, i);
        parts.push(compileMessagePath(expr.substring(i + 1, close)));
        i = close;
        start = close + 1;
        continue;
      }
      if (!/["'\d]/.test(expr[i + 1]!)) throw new PropertyExpressionError(expr, `unexpected ${expr[i + 1]} at position ${i + 1}`);
      start = i + 1;
      inBox = true;
    } else if (c === ']') {
      if (!inBox) throw new PropertyExpressionError(expr, `unexpected ] at position ${i}`);
      if (start !== i) {
        const v = expr.substring(start, i);
        if (!/^\d+$/.test(v)) throw new PropertyExpressionError(expr, `unexpected array expression at position ${start}`);
        parts.push(parseInt(v, 10));
      }
      start = i + 1;
      inBox = false;
    } else if (c === ' ') {
      throw new PropertyExpressionError(expr, `unexpected ' ' at position ${i}`);
    }
  }
  if (inBox || inString) throw new PropertyExpressionError(expr, 'unterminated expression');
  if (start < length) pushName(parts, expr, expr.substring(start));
  return parts;
}

function findClosingBracket(expr: string, open: number): number {
  let depth = 1;
  let quote: string | null = null;
  for (let j = open + 1; j < expr.length; j++) {
    const ch = expr[j];
    if (ch === '"' || ch === "'") {
      if (quote === null) quote = ch;
      else if (ch === quote) quote = null;
    }
    if (ch === '[') depth++;
    else if (ch === ']') depth--;
    if (depth === 0) return j;
  }
  throw new PropertyExpressionError(expr, `unmatched '[' at position ${open}`);
}

/** The concrete keys of a path for one message (nested references resolved). */
export function resolveKeys(path: CompiledPath, msg: object): (string | number)[] {
  if (!path.dynamic) return path.parts as (string | number)[];
  return path.parts.map((part) => {
    if (typeof part !== 'object') return part;
    const value = getPath(msg, part);
    if (value === undefined) {
      throw new PropertyExpressionError(path.expression, `the reference "${part.expression}" is undefined in this message`);
    }
    if (typeof value === 'string' && FORBIDDEN.has(value)) {
      throw new PropertyExpressionError(path.expression, `"${value}" is not allowed in a property path`);
    }
    return typeof value === 'number' ? value : String(value);
  });
}

/** The path as a plain string with nested references resolved (for context keys). */
export function resolveExpression(path: CompiledPath, msg: object): string {
  if (!path.dynamic) return path.expression;
  const keys = resolveKeys(path, msg);
  let out = String(keys[0]);
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    out += typeof key === 'number' ? `[${key}]` : key.includes('"') ? `['${key}']` : `["${key}"]`;
  }
  return out;
}

/**
 * Read a property. As Node-RED: undefined when the last step is missing, a
 * TypeError when a step before it is null or undefined.
 */
export function getPath(target: unknown, path: CompiledPath): unknown {
  const keys = resolveKeys(path, target as object);
  let current = target as Record<string | number, unknown>;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (current === null || current === undefined) {
      throw new TypeError(`Cannot read properties of ${String(current)} (reading '${String(key)}') in "${path.expression}"`);
    }
    current = current[key] as Record<string | number, unknown>;
  }
  return current;
}

/** Read a property, giving undefined instead of throwing when a parent is missing. */
export function getPathOrUndefined(target: unknown, path: CompiledPath): unknown {
  try {
    return getPath(target, path);
  } catch {
    return undefined;
  }
}

/**
 * Set a property as Node-RED's `setObjectProperty`: missing parents are
 * created (arrays when the next key is a number) if `createMissing`; a
 * primitive in the way stops the write. Setting `undefined` deletes (splices
 * arrays). Returns whether the value was written.
 */
export function setPath(target: object, path: CompiledPath, value: unknown, createMissing = value !== undefined): boolean {
  const keys = resolveKeys(path, target);
  let obj = target as Record<string | number, unknown>;
  const last = keys.length - 1;
  for (let i = 0; i < last; i++) {
    const key = keys[i]!;
    const existing = obj[key];
    const present = Array.isArray(obj) && typeof key === 'number' ? existing !== undefined : Object.prototype.hasOwnProperty.call(obj, key);
    if (present) {
      if (existing === null || (typeof existing !== 'object' && typeof existing !== 'function')) return false;
      obj = existing as Record<string | number, unknown>;
    } else if (createMissing) {
      const created = typeof keys[i + 1] === 'string' ? {} : [];
      obj[key] = created;
      obj = created as Record<string | number, unknown>;
    } else {
      return false;
    }
  }
  const key = keys[last]!;
  if (value === undefined) {
    if (typeof key === 'number' && Array.isArray(obj)) obj.splice(key, 1);
    else Reflect.deleteProperty(obj, key); // no throw on non-configurable (array length), as Node-RED's sloppy-mode delete
    return true;
  }
  if (obj === null || typeof obj !== 'object') return false;
  obj[key] = value;
  return true;
}

/** Delete a property (array elements are spliced out), as Node-RED's change node does. */
export function deletePath(target: object, path: CompiledPath): void {
  setPath(target, path, undefined, false);
}
