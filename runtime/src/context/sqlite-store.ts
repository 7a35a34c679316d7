import type Database from 'better-sqlite3';
import { openPrivateDatabase } from '../storage/private-database.js';
import type { ContextStore } from './context-store.js';

/**
 * Persistent context in SQLite. Every `set` is its own committed write (WAL,
 * synchronous=NORMAL): a value set before the process is killed is there after
 * a restart. Reads come from a write-through cache so hot-path `get`s cost a Map
 * lookup, not a query.
 */
export class SqliteContextStore implements ContextStore {
  readonly #db: Database.Database;
  readonly #cache = new Map<string, Map<string, unknown>>();
  readonly #upsert: Database.Statement<[string, string, string]>;
  readonly #remove: Database.Statement<[string, string]>;
  readonly #removeScope: Database.Statement<[string]>;

  constructor(readonly file: string) {
    this.#db = openPrivateDatabase(file, {
      label: 'the context store',
      schemaSql: 'CREATE TABLE IF NOT EXISTS context (scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (scope, key)) WITHOUT ROWID',
      synchronous: 'NORMAL',
      remedy: 'Check the data folder is writable, or move the file away to start with empty context.',
    });
    this.#upsert = this.#db.prepare('INSERT INTO context (scope, key, value) VALUES (?, ?, ?) ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value');
    this.#remove = this.#db.prepare('DELETE FROM context WHERE scope = ? AND key = ?');
    this.#removeScope = this.#db.prepare('DELETE FROM context WHERE scope = ?');
    this.#load();
  }

  #load(): void {
    const rows = this.#db.prepare('SELECT scope, key, value FROM context').all() as Array<{ scope: string; key: string; value: string }>;
    for (const row of rows) {
      try {
        this.#scope(row.scope).set(row.key, JSON.parse(row.value));
      } catch {
        // A row that no longer parses is skipped rather than blocking start-up.
      }
    }
  }

  #scope(scope: string): Map<string, unknown> {
    let values = this.#cache.get(scope);
    if (!values) {
      values = new Map();
      this.#cache.set(scope, values);
    }
    return values;
  }

  get(scope: string, key: string): unknown {
    return this.#cache.get(scope)?.get(key);
  }

  set(scope: string, key: string, value: unknown): void {
    if (value === undefined) {
      this.delete(scope, key);
      return;
    }
    let json: string;
    try {
      json = JSON.stringify(value);
    } catch (error) {
      throw new Error(`Context value "${key}" cannot be stored persistently: ${(error as Error).message}. Store plain data (no circular references).`);
    }
    this.#upsert.run(scope, key, json);
    this.#scope(scope).set(key, value);
  }

  delete(scope: string, key: string): void {
    this.#remove.run(scope, key);
    this.#cache.get(scope)?.delete(key);
  }

  keys(scope: string): string[] {
    return [...(this.#cache.get(scope)?.keys() ?? [])];
  }

  clearScope(scope: string): void {
    this.#removeScope.run(scope);
    this.#cache.delete(scope);
  }

  scopes(): string[] {
    return [...this.#cache.keys()];
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
