/**
 * Node-RED's context API (`context`, `flow`, `global`) and `env` inside an
 * isolate: every call is a synchronous request to the runtime, which owns the
 * stores. Keys, store names (`#:(store)::key` too) and callbacks as in
 * Node-RED.
 *
 * Self-contained: injected into each isolate as source text by the bootstrap.
 */
type Callback = (...args: unknown[]) => unknown;

export interface IsolateContextApi {
  node: Record<string, unknown>;
  flow: Record<string, unknown>;
  global: Record<string, unknown>;
  env: { get(name: unknown): unknown };
}

export function createContextApi(
  hostRequest: (kind: string, args: unknown[]) => unknown[],
  encode: (value: unknown) => [string, Uint8Array[]],
  decode: (json: unknown, binaries: unknown) => unknown,
): IsolateContextApi {
  const isArray = Array.isArray;
  const reflectApply = Reflect.apply;
  const defineProperty = Object.defineProperty;
  const MapCtor = Map;

  function contextScope(scope: 'node' | 'flow' | 'global'): Record<string, unknown> {
    const split = (key: unknown, store: unknown): [string, string | undefined] => {
      const text = String(key);
      const match = /^#:\((\S+?)\)::(.*)$/.exec(text);
      if (match) return [match[2]!, typeof store === 'string' ? store : match[1]];
      return [text, typeof store === 'string' ? store : undefined];
    };
    const args = (store: unknown, callback: unknown): [unknown, Callback | undefined] =>
      typeof store === 'function' ? [undefined, store as Callback] : [store, typeof callback === 'function' ? (callback as Callback) : undefined];
    const api = {
      get(key: unknown, storeArg?: unknown, callbackArg?: unknown): unknown {
        const [storeName, callback] = args(storeArg, callbackArg);
        const many = isArray(key);
        const keys: string[] = [];
        let store: string | undefined;
        for (const k of many ? (key as unknown[]) : [key]) {
          const [name, named] = split(k, storeName);
          keys.push(name);
          store = named;
        }
        let values: unknown[];
        try {
          const reply = hostRequest('get', [scope, keys, store ?? null]);
          values = decode(reply[1], reply[2]) as unknown[];
        } catch (error) {
          if (callback) return void callback(error);
          throw error;
        }
        if (callback) return void reflectApply(callback, undefined, many ? [undefined, ...values] : [undefined, values[0]]);
        return many ? values : values[0];
      },
      set(key: unknown, value: unknown, storeArg?: unknown, callbackArg?: unknown): void {
        const [storeName, callback] = args(storeArg, callbackArg);
        const many = isArray(key);
        const keys: string[] = [];
        let store: string | undefined;
        for (const k of many ? (key as unknown[]) : [key]) {
          const [name, named] = split(k, storeName);
          keys.push(name);
          store = named;
        }
        const values = many ? (isArray(value) ? value : [value]) : [value];
        try {
          const [json, binaries] = encode(values);
          hostRequest('set', [scope, keys, json, binaries, store ?? null]);
        } catch (error) {
          if (callback) return void callback(error);
          throw error;
        }
        if (callback) callback(undefined);
      },
      keys(storeArg?: unknown, callbackArg?: unknown): unknown {
        const [store, callback] = args(storeArg, callbackArg);
        let keys: unknown;
        try {
          keys = hostRequest('keys', [scope, typeof store === 'string' ? store : null])[1];
        } catch (error) {
          if (callback) return void callback(error);
          throw error;
        }
        // As Node-RED's memory store: keys() calls back with null, get() and set() with undefined.
        if (callback) return void callback(null, keys);
        return keys;
      },
    };
    return api;
  }
  const flowContext = contextScope('flow');
  const globalContext = contextScope('global');
  const nodeContext = contextScope('node');
  defineProperty(nodeContext, 'flow', { value: flowContext, enumerable: false });
  defineProperty(nodeContext, 'global', { value: globalContext, enumerable: false });

  const envCache = new MapCtor<string, [string, Uint8Array[]]>();
  const env = {
    get(name: unknown): unknown {
      const key = String(name);
      let cached = envCache.get(key);
      if (!cached) {
        const reply = hostRequest('env', [key]);
        cached = [String(reply[1]), (reply[2] as Uint8Array[]) ?? []];
        envCache.set(key, cached);
      }
      return decode(cached[0], cached[1]);
    },
  };

  return { node: nodeContext, flow: flowContext, global: globalContext, env };
}
