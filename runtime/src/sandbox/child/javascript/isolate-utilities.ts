/**
 * The small helpers Node-RED's function sandbox offers besides the node API:
 * console, util (format, inspect, promisify), RED.util, promisify, and the
 * web helpers users reach for (TextEncoder, TextDecoder, atob, btoa,
 * queueMicrotask). Everything prints through the node's capped log.
 *
 * Self-contained: injected into each isolate as source text by the bootstrap.
 */
import type { IsolateBufferClass } from './isolate-buffer.js';

export interface UtilityDependencies {
  Buffer: IsolateBufferClass;
  textOf(value: unknown): string;
  clone(value: unknown): unknown;
  /** A console line; the bootstrap caps how many one call may print. */
  consoleLine(level: string, text: string): void;
  setTimeout(callback: unknown, delay?: unknown, ...args: unknown[]): number;
  envGet(name: unknown): unknown;
}

export function createIsolateUtilities(deps: UtilityDependencies): Record<string, unknown> {
  const { Buffer, textOf, clone, setTimeout: setTimeoutApi } = deps;
  const reflectApply = Reflect.apply;
  const isArray = Array.isArray;
  const stringify = JSON.stringify;
  const freeze = Object.freeze;
  const defineProperty = Object.defineProperty;
  const PromiseCtor = Promise;
  const promiseThen = Promise.prototype.then;
  const mathRandom = Math.random;
  const TypeErrorCtor = TypeError;
  type Callback = (...args: unknown[]) => unknown;

  const consoleLog = (level: string) => (...values: unknown[]): void => {
    deps.consoleLine(level, values.map((value) => (typeof value === 'string' ? value : textOf(value))).join(' '));
  };
  const consoleApi = freeze({ log: consoleLog('info'), info: consoleLog('info'), warn: consoleLog('warn'), error: consoleLog('error'), debug: consoleLog('debug'), trace: consoleLog('trace') });

  const customPromisify = Symbol.for('nodejs.util.promisify.custom');
  function promisify(fn: unknown): unknown {
    if (typeof fn !== 'function') throw new TypeErrorCtor('The "original" argument must be of type function');
    const custom = (fn as unknown as Record<symbol, unknown>)[customPromisify];
    if (typeof custom === 'function') return custom;
    return (...args: unknown[]) =>
      new PromiseCtor((resolve, reject) => {
        reflectApply(fn as Callback, undefined, [...args, (error: unknown, value: unknown) => (error ? reject(error) : resolve(value))]);
      });
  }
  defineProperty(promisify, 'custom', { value: customPromisify });
  (setTimeoutApi as unknown as Record<symbol, unknown>)[customPromisify] = (ms: unknown, value: unknown) => new PromiseCtor((resolve) => setTimeoutApi(() => resolve(value), ms));

  function format(first?: unknown, ...rest: unknown[]): string {
    if (typeof first !== 'string') return [first, ...rest].map((value) => (typeof value === 'string' ? value : textOf(value))).join(' ');
    let index = 0;
    const text = first.replace(/%[sdifjoO%]/g, (token) => {
      if (token === '%%') return '%';
      if (index >= rest.length) return token;
      const value = rest[index++];
      switch (token) {
        case '%d':
        case '%i':
          return String(token === '%i' ? Math.trunc(Number(value)) : Number(value));
        case '%f':
          return String(Number(value));
        case '%s':
          return typeof value === 'string' ? value : textOf(value);
        default:
          return textOf(value);
      }
    });
    return [text, ...rest.slice(index).map((value) => (typeof value === 'string' ? value : textOf(value)))].join(' ');
  }
  const util = freeze({ format, inspect: (value: unknown) => textOf(value), promisify, isArray, isDeepStrictEqual: (a: unknown, b: unknown) => { try { return stringify(clone(a)) === stringify(clone(b)); } catch { return false; } } });

  function generateId(): string {
    let id = '';
    for (let i = 0; i < 16; i++) id += '0123456789abcdef'[Math.floor(reflectApply(mathRandom, Math, []) * 16)];
    return id;
  }
  function propertyPath(expression: unknown): Array<string | number> {
    const text = String(expression);
    const path: Array<string | number> = [];
    const pattern = /([^.[\]]+)|\[(\d+)\]|\[["']([^"']*)["']\]/g;
    let match: RegExpExecArray | null;
    while ((match = pattern.exec(text)) !== null) path.push(match[2] !== undefined ? Number(match[2]) : (match[1] ?? match[3])!);
    if (path[0] === 'msg') path.shift();
    return path;
  }
  const RED = freeze({
    util: freeze({
      cloneMessage: (msg: unknown) => clone(msg),
      generateId,
      getMessageProperty(msg: unknown, expression: unknown): unknown {
        let value = msg as Record<string | number, unknown> | undefined;
        for (const part of propertyPath(expression)) {
          if (value === null || value === undefined) return undefined;
          value = (value as Record<string | number, unknown>)[part] as Record<string | number, unknown> | undefined;
        }
        return value;
      },
      setMessageProperty(msg: unknown, expression: unknown, value: unknown, createMissing = true): boolean {
        const path = propertyPath(expression);
        let target = msg as Record<string | number, unknown>;
        for (let i = 0; i < path.length - 1; i++) {
          let next = target[path[i]!];
          if (next === null || typeof next !== 'object') {
            if (!createMissing) return false;
            next = typeof path[i + 1] === 'number' ? [] : {};
            target[path[i]!] = next;
          }
          target = next as Record<string | number, unknown>;
        }
        if (value === undefined) delete target[path[path.length - 1]!];
        else target[path[path.length - 1]!] = value;
        return true;
      },
      getSetting: (_node: unknown, name: unknown) => deps.envGet(name),
    }),
  });

  class TextEncoderShim {
    readonly encoding = 'utf-8';
    encode(text = ''): Uint8Array {
      return new Uint8Array(Buffer.from(String(text)));
    }
  }
  class TextDecoderShim {
    readonly encoding = 'utf-8';
    decode(bytes?: Uint8Array): string {
      return bytes ? Buffer.from(bytes).toString('utf8') : '';
    }
  }

  return {
    console: consoleApi,
    util,
    RED,
    promisify,
    generateId,
    TextEncoder: TextEncoderShim,
    TextDecoder: TextDecoderShim,
    queueMicrotask: (callback: unknown) => {
      if (typeof callback !== 'function') throw new TypeErrorCtor('The "callback" argument must be of type function');
      reflectApply(promiseThen, PromiseCtor.resolve(), [callback]);
    },
    atob: (text: unknown) => Buffer.from(String(text), 'base64').toString('latin1'),
    btoa: (text: unknown) => Buffer.from(String(text), 'latin1').toString('base64'),
  };
}
