import type { ContextStore } from './context-store.js';

/** Values live in memory, by reference, as Node-RED's memory store keeps them. */
export class MemoryContextStore implements ContextStore {
  readonly #scopes = new Map<string, Map<string, unknown>>();

  get(scope: string, key: string): unknown {
    return this.#scopes.get(scope)?.get(key);
  }

  set(scope: string, key: string, value: unknown): void {
    let values = this.#scopes.get(scope);
    if (!values) {
      values = new Map();
      this.#scopes.set(scope, values);
    }
    values.set(key, value);
  }

  delete(scope: string, key: string): void {
    this.#scopes.get(scope)?.delete(key);
  }

  keys(scope: string): string[] {
    return [...(this.#scopes.get(scope)?.keys() ?? [])];
  }

  clearScope(scope: string): void {
    this.#scopes.delete(scope);
  }

  scopes(): string[] {
    return [...this.#scopes.keys()];
  }

  close(): void {
    this.#scopes.clear();
  }
}
