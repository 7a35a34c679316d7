import type { FlowMessage, NodeApi } from '@loopedge/runtime';
import { cloneValue } from '@loopedge/runtime';
import { compileMessagePath, compilePath, getPath, resolveExpression, type CompiledPath } from './property-expression.js';
import { prepareJsonata, type PreparedJsonata } from './jsonata-expression.js';
import { formatDate } from './date-format.js';

/**
 * Node-RED's typed inputs (`str`, `num`, `bool`, `json`, `bin`, `date`, `msg`,
 * `flow`, `global`, `env`, `jsonata`, `re`), evaluated as Node-RED's
 * `RED.util.evaluateNodeProperty` does. Unknown types give the raw value back,
 * as Node-RED does.
 */
export interface PreparedTypedValue {
  evaluate(msg: FlowMessage): unknown | Promise<unknown>;
  /** True when `evaluate` returns a promise (JSONata). */
  readonly isAsync: boolean;
}

export class TypedValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TypedValueError';
  }
}

/** `#:(store)::key` → { store, key }, as Node-RED's `parseContextStore`. */
export function parseContextStore(key: string): { key: string; store?: string } {
  const match = /^#:\((\S+?)\)::(.*)$/.exec(key);
  return match ? { store: match[1]!, key: match[2]! } : { key };
}

/** A number from a Node-RED property that may be stored as a string ("5", ""). */
export function parseNumberLike(value: number | string | undefined, fallback: number): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : fallback;
  if (value === undefined || value === null) return fallback;
  const text = String(value).trim();
  if (text === '') return fallback;
  const parsed = Number(text);
  return Number.isFinite(parsed) ? parsed : fallback;
}

/** Environment variable lookup with Node-RED's `${NAME}` and `a${B}c` forms; missing → "". */
export function evaluateEnvValue(node: NodeApi, value: string): unknown {
  const whole = /^\$\{([^}]+)\}$/.exec(value);
  if (whole) return orEmpty(node.env.get(whole[1]!));
  if (!/\$\{\S+\}/.test(value)) return orEmpty(node.env.get(value));
  return value.replace(/\$\{([^}]+)\}/g, (_match, name: string) => {
    const v = node.env.get(name);
    return v === undefined ? '' : String(v);
  });
}

function orEmpty(value: unknown): unknown {
  return value === undefined ? '' : value;
}

/** A Buffer from a `bin` typed value: JSON of a byte array or a string. */
export function parseBinValue(value: unknown): Buffer {
  const data: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (Array.isArray(data)) return Buffer.from(data as number[]);
  if (typeof data === 'string') return Buffer.from(data);
  throw new TypedValueError('Invalid buffer data: expected a JSON array of bytes or a string');
}

/** The current time as a `date` typed value: epoch ms, a Date ("object"), ISO text ("iso") or a format string. */
export function dateValue(format: unknown): unknown {
  if (!format) return Date.now();
  if (format === 'object') return new Date();
  if (format === 'iso') return new Date().toISOString();
  return formatDate(new Date(), String(format));
}

function contextScope(node: NodeApi, type: 'flow' | 'global') {
  const context = node.context();
  return type === 'flow' ? context.flow : context.global;
}

/**
 * Evaluate a typed value for one message, synchronously. JSONata is compiled
 * on every call and its result is a promise: nodes should use
 * `prepareTypedValue` at create time instead.
 */
export function evaluateTypedValue(node: NodeApi, value: unknown, type: string, msg: FlowMessage): unknown {
  switch (type) {
    case 'str':
      return String(value);
    case 'num':
      return Number(value);
    case 'json':
      return JSON.parse(String(value));
    case 're':
      return new RegExp(String(value));
    case 'date':
      return dateValue(value);
    case 'bin':
      return parseBinValue(value);
    case 'bool':
      return /^true$/i.test(String(value));
    case 'msg':
      return msg ? getPath(msg, compileMessagePath(String(value))) : value;
    case 'flow':
    case 'global': {
      const { key, store } = parseContextStore(String(value));
      const resolved = /\[msg/.test(key) ? resolveExpression(compilePath(key), msg) : key;
      return contextScope(node, type).get(resolved, store);
    }
    case 'env':
      return evaluateEnvValue(node, String(value));
    case 'jsonata':
      return prepareJsonata(node, String(value)).evaluate(msg);
    default:
      return value;
  }
}

function constant(result: unknown): PreparedTypedValue {
  return { isAsync: false, evaluate: () => result };
}

/**
 * Precompile a typed value at create time (paths, JSONata, JSON). Throws a
 * TypedValueError naming `field` when the value cannot work (bad JSON, bad
 * path, bad JSONata), so the node fails to start with a clear reason.
 */
export function prepareTypedValue(node: NodeApi, value: unknown, type: string, field = 'value'): PreparedTypedValue {
  try {
    return prepareUnchecked(node, value, type);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new TypedValueError(`Node ${node.id}: ${field} (${type}) "${String(value)}" is not usable: ${reason}`);
  }
}

function prepareUnchecked(node: NodeApi, value: unknown, type: string): PreparedTypedValue {
  switch (type) {
    case 'str':
      return constant(String(value));
    case 'num':
      return constant(Number(value));
    case 'bool':
      return constant(/^true$/i.test(String(value)));
    case 'json': {
      const parsed: unknown = JSON.parse(String(value));
      // Each message gets its own copy, as Node-RED parses per message.
      if (parsed === null || typeof parsed !== 'object') return constant(parsed);
      return { isAsync: false, evaluate: () => cloneValue(parsed) };
    }
    case 'bin': {
      const bytes = parseBinValue(value);
      return { isAsync: false, evaluate: () => Buffer.from(bytes) };
    }
    case 're': {
      const source = String(value);
      new RegExp(source); // validates now, not on the first message
      return { isAsync: false, evaluate: () => new RegExp(source) };
    }
    case 'date':
      return { isAsync: false, evaluate: () => dateValue(value) };
    case 'msg': {
      const path = compileMessagePath(String(value));
      return { isAsync: false, evaluate: (msg) => getPath(msg, path) };
    }
    case 'flow':
    case 'global':
      return prepareContextValue(node, String(value), type);
    case 'env': {
      const name = String(value);
      return { isAsync: false, evaluate: () => evaluateEnvValue(node, name) };
    }
    case 'jsonata': {
      const expression: PreparedJsonata = prepareJsonata(node, String(value));
      return { isAsync: true, evaluate: (msg) => expression.evaluate(msg) };
    }
    default:
      return constant(value);
  }
}

function prepareContextValue(node: NodeApi, value: string, type: 'flow' | 'global'): PreparedTypedValue {
  const { key, store } = parseContextStore(value);
  const scope = contextScope(node, type);
  if (/\[msg/.test(key)) {
    const path: CompiledPath = compilePath(key);
    return { isAsync: false, evaluate: (msg) => scope.get(resolveExpression(path, msg), store) };
  }
  compilePath(key); // validates the key now
  return { isAsync: false, evaluate: () => scope.get(key, store) };
}
