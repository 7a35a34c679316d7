/**
 * Node-RED's context API as seen by a node. Keys may be property paths
 * (`a.b[0]`). Both stores we ship (memory and SQLite) are synchronous, so the
 * sync forms always work; the callback forms exist for Node-RED compatibility.
 */
export type ContextCallback = (error: Error | null, value?: unknown) => void;

export interface ContextScope {
  get(key: string | string[], store?: string): unknown;
  get(key: string | string[], callback: ContextCallback): void;
  get(key: string | string[], store: string | undefined, callback: ContextCallback): void;
  set(key: string | string[], value: unknown, store?: string): void;
  set(key: string | string[], value: unknown, callback: (error: Error | null) => void): void;
  set(key: string | string[], value: unknown, store: string | undefined, callback: (error: Error | null) => void): void;
  keys(store?: string): string[];
  keys(callback: (error: Error | null, keys?: string[]) => void): void;
  keys(store: string | undefined, callback: (error: Error | null, keys?: string[]) => void): void;
}

/** `node.context()`: the node's own scope, plus its flow's and the global one. */
export interface NodeContext extends ContextScope {
  readonly flow: ContextScope;
  readonly global: ContextScope;
}
