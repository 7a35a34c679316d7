/**
 * Property expressions as Node-RED writes them: `payload.a["b c"][0]`.
 * Parsed once into segments so nodes can precompile their paths at create time.
 */
export type PathSegment = string | number;

const cache = new Map<string, PathSegment[]>();
const CACHE_LIMIT = 10_000;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

export class PropertyPathError extends Error {
  constructor(readonly expression: string, reason: string) {
    super(`Invalid property expression "${expression}": ${reason}`);
    this.name = 'PropertyPathError';
  }
}

/** Parse `a.b[0]["c"]` into `['a','b',0,'c']`. Throws PropertyPathError on bad syntax. */
export function parsePropertyPath(expression: string): PathSegment[] {
  const cached = cache.get(expression);
  if (cached) return cached;
  const segments = parseUncached(expression);
  for (const segment of segments) {
    if (typeof segment === 'string' && FORBIDDEN.has(segment)) {
      throw new PropertyPathError(expression, `"${segment}" is not allowed in a property path`);
    }
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(expression, segments);
  return segments;
}

function parseUncached(expr: string): PathSegment[] {
  if (expr.length === 0) throw new PropertyPathError(expr, 'it is empty');
  const out: PathSegment[] = [];
  let i = 0;
  let expectName = true;
  while (i < expr.length) {
    const ch = expr[i];
    if (ch === '.') {
      if (expectName) throw new PropertyPathError(expr, `unexpected "." at position ${i}`);
      expectName = true;
      i++;
      continue;
    }
    if (ch === '[') {
      if (i === 0) throw new PropertyPathError(expr, 'it cannot start with "["');
      const close = readBracket(expr, i, out);
      i = close + 1;
      expectName = false;
      if (i < expr.length && expr[i] !== '.' && expr[i] !== '[') {
        throw new PropertyPathError(expr, `unexpected "${expr[i]}" at position ${i}`);
      }
      continue;
    }
    if (!expectName) throw new PropertyPathError(expr, `unexpected "${ch}" at position ${i}`);
    let j = i;
    while (j < expr.length && expr[j] !== '.' && expr[j] !== '[') j++;
    const name = expr.slice(i, j);
    if (/\s/.test(name) || name.includes(']')) throw new PropertyPathError(expr, `bad name "${name}"`);
    out.push(name);
    expectName = false;
    i = j;
  }
  if (expectName) throw new PropertyPathError(expr, 'it ends with "."');
  return out;
}

function readBracket(expr: string, open: number, out: PathSegment[]): number {
  const first = expr[open + 1];
  if (first === '"' || first === "'") {
    let j = open + 2;
    let value = '';
    while (j < expr.length && expr[j] !== first) {
      if (expr[j] === '\\' && j + 1 < expr.length) j++;
      value += expr[j];
      j++;
    }
    if (expr[j] !== first || expr[j + 1] !== ']') throw new PropertyPathError(expr, `unterminated string at position ${open}`);
    out.push(value);
    return j + 1;
  }
  const close = expr.indexOf(']', open);
  if (close === -1) throw new PropertyPathError(expr, `missing "]" after position ${open}`);
  const inner = expr.slice(open + 1, close).trim();
  if (!/^\d+$/.test(inner)) throw new PropertyPathError(expr, `"[${inner}]" must be a number or a quoted string`);
  out.push(Number(inner));
  return close;
}

/** Read a property by path; undefined if any step is missing. */
export function getProperty(target: unknown, path: string | PathSegment[]): unknown {
  const segments = typeof path === 'string' ? parsePropertyPath(path) : path;
  let current: unknown = target;
  for (const segment of segments) {
    if (current === null || current === undefined) return undefined;
    if (typeof current !== 'object' && typeof current !== 'string') return undefined;
    current = (current as Record<PathSegment, unknown>)[segment];
  }
  return current;
}

/**
 * Set a property by path, creating objects (or arrays, when the next step is a
 * number) along the way, as Node-RED's `setMessageProperty(.., true)` does.
 */
export function setProperty(target: Record<string, unknown>, path: string | PathSegment[], value: unknown): void {
  const segments = typeof path === 'string' ? parsePropertyPath(path) : path;
  let current: Record<PathSegment, unknown> = target;
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i]!;
    let next = current[segment];
    if (next === null || typeof next !== 'object') {
      next = typeof segments[i + 1] === 'number' ? [] : {};
      current[segment] = next;
    }
    current = next as Record<PathSegment, unknown>;
  }
  current[segments[segments.length - 1]!] = value;
}

/** Delete a property by path. Deleting from an array splices, as Node-RED does. */
export function deleteProperty(target: unknown, path: string | PathSegment[]): void {
  const segments = typeof path === 'string' ? parsePropertyPath(path) : path;
  const parent = getProperty(target, segments.slice(0, -1));
  if (parent === null || typeof parent !== 'object') return;
  const last = segments[segments.length - 1]!;
  if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
  else delete (parent as Record<PathSegment, unknown>)[last];
}
