import type { ContextCallback, ContextScope, NodeContext } from '../node-api/context.js';
import { parsePropertyPath, getProperty, setProperty, deleteProperty } from '../node-api/property-path.js';
import type { ContextStorageConfig, ContextStore } from './context-store.js';
import { MemoryContextStore } from './memory-store.js';

export const GLOBAL_SCOPE = 'global';

/** Scope key of a node's own context, as Node-RED builds it: `<node id>:<flow id>`. */
export function nodeScopeKey(nodeId: string, flowId: string): string {
  return `${nodeId}:${flowId}`;
}

type Callback = ContextCallback | ((error: Error | null, keys?: string[]) => void) | ((error: Error | null) => void);

/**
 * Hands out context scopes over the configured stores and resolves
 * Node-RED's key paths (`a.b[0]`) on top of each store's flat keys.
 */
export class ContextManager {
  readonly #stores: Map<string, ContextStore>;
  readonly #defaultStore: string;
  readonly #global: ContextScope;

  constructor(config?: ContextStorageConfig) {
    const stores = config?.stores ?? { memory: new MemoryContextStore() };
    this.#stores = new Map(Object.entries(stores));
    this.#defaultStore = config?.default ?? 'memory';
    if (!this.#stores.has(this.#defaultStore)) {
      throw new Error(`Context storage: the default store "${this.#defaultStore}" is not configured. Configured stores: ${[...this.#stores.keys()].join(', ')}`);
    }
    this.#global = this.scope(GLOBAL_SCOPE);
  }

  get storeNames(): string[] {
    return [...this.#stores.keys()];
  }

  get defaultStoreName(): string {
    return this.#defaultStore;
  }

  /** The global scope, with optional seed values (Node-RED's `functionGlobalContext`). */
  get global(): ContextScope {
    return this.#global;
  }

  /**
   * A scope. `parent` is the flow a subflow instance sits in: Node-RED lets
   * `flow.get('$parent.x')` read the parent flow's context.
   */
  scope(scopeKey: string, parent?: ContextScope): ContextScope {
    return new BoundContextScope(this, scopeKey, parent);
  }

  nodeContext(nodeId: string, flowScope: ContextScope): NodeContext {
    const ownKey = nodeScopeKey(nodeId, (flowScope as BoundContextScope).scopeKey);
    return Object.assign(new BoundContextScope(this, ownKey), { flow: flowScope, global: this.#global });
  }

  store(name: string | undefined): ContextStore {
    const storeName = name ?? this.#defaultStore;
    const store = this.#stores.get(storeName);
    if (!store) {
      throw new Error(`Context store "${storeName}" is not configured. Configured stores: ${[...this.#stores.keys()].join(', ')}`);
    }
    return store;
  }

  /** Remove node contexts of nodes that no longer exist (after a deploy). */
  clean(activeScopes: Set<string>): void {
    for (const store of this.#stores.values()) {
      for (const scope of store.scopes()) {
        if (scope !== GLOBAL_SCOPE && !activeScopes.has(scope)) store.clearScope(scope);
      }
    }
  }

  close(): void {
    for (const store of this.#stores.values()) store.close();
  }
}

class BoundContextScope implements ContextScope {
  constructor(
    readonly manager: ContextManager,
    readonly scopeKey: string,
    readonly parent?: ContextScope,
  ) {}

  get(key: string | string[], storeOrCallback?: string | ContextCallback, maybeCallback?: ContextCallback): unknown {
    const [store, callback] = splitArgs(storeOrCallback, maybeCallback);
    const run = (): unknown => (Array.isArray(key) ? key.map((k) => this.#getOne(k, store)) : this.#getOne(key, store));
    return withCallback(run, callback as ContextCallback | undefined, true);
  }

  set(key: string | string[], value: unknown, storeOrCallback?: string | Callback, maybeCallback?: Callback): void {
    const [store, callback] = splitArgs(storeOrCallback, maybeCallback);
    const run = (): undefined => {
      if (Array.isArray(key)) {
        const values = Array.isArray(value) ? value : [value];
        key.forEach((k, i) => this.#setOne(k, values[i] ?? null, store));
      } else {
        this.#setOne(key, value, store);
      }
      return undefined;
    };
    withCallback(run, callback as ContextCallback | undefined, false);
  }

  keys(storeOrCallback?: string | Callback, maybeCallback?: Callback): string[] {
    const [store, callback] = splitArgs(storeOrCallback, maybeCallback);
    const run = (): string[] => this.manager.store(store).keys(this.scopeKey);
    return withCallback(run, callback as ContextCallback | undefined, true) as string[];
  }

  #getOne(key: string, store: string | undefined): unknown {
    if (this.parent && key.startsWith('$parent.')) return this.parent.get(key.slice('$parent.'.length), store);
    const path = parsePropertyPath(key);
    const root = this.manager.store(store).get(this.scopeKey, String(path[0]));
    return path.length === 1 ? root : getProperty(root, path.slice(1));
  }

  #setOne(key: string, value: unknown, store: string | undefined): void {
    if (this.parent && key.startsWith('$parent.')) {
      this.parent.set(key.slice('$parent.'.length), value, store);
      return;
    }
    const target = this.manager.store(store);
    const path = parsePropertyPath(key);
    const rootKey = String(path[0]);
    if (path.length === 1) {
      if (value === undefined) target.delete(this.scopeKey, rootKey);
      else target.set(this.scopeKey, rootKey, value);
      return;
    }
    let root = target.get(this.scopeKey, rootKey);
    if (root === null || typeof root !== 'object') root = typeof path[1] === 'number' ? [] : {};
    if (value === undefined) deleteProperty(root, path.slice(1));
    else setProperty(root as Record<string, unknown>, path.slice(1), value);
    target.set(this.scopeKey, rootKey, root);
  }
}

function splitArgs<C>(storeOrCallback: string | C | undefined, maybeCallback: C | undefined): [string | undefined, C | undefined] {
  if (typeof storeOrCallback === 'function') return [undefined, storeOrCallback];
  return [storeOrCallback as string | undefined, maybeCallback];
}

function withCallback(run: () => unknown, callback: ContextCallback | undefined, passValue: boolean): unknown {
  if (!callback) return run();
  let value: unknown;
  try {
    value = run();
  } catch (error) {
    callback(error as Error);
    return undefined;
  }
  if (passValue) callback(null, value);
  else (callback as (error: Error | null) => void)(null);
  return undefined;
}
