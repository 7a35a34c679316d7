/**
 * A context store keeps values per scope (a node, a flow, or `global`).
 * Both built-in stores are synchronous; a store that has to wait (a network
 * database) is not part of this interface on purpose: nodes may read context
 * on the hot path.
 */
export interface ContextStore {
  get(scope: string, key: string): unknown;
  set(scope: string, key: string, value: unknown): void;
  delete(scope: string, key: string): void;
  keys(scope: string): string[];
  /** Drop every key of a scope (a node that was removed). */
  clearScope(scope: string): void;
  /** Every scope the store holds, for cleaning up after a deploy. */
  scopes(): string[];
  close(): void;
}

/** Which stores exist and which one `get`/`set` use when no store is named. */
export interface ContextStorageConfig {
  /** Name of the default store. */
  default: string;
  stores: Record<string, ContextStore>;
}
