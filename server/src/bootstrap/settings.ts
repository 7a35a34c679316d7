import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { readJsonFile } from './read-json-file.js';
import { StartupError } from './startup-error.js';

/** A context store as the server will build it. */
export interface ContextStoreSetting {
  name: string;
  kind: 'memory' | 'sqlite';
  /** Absolute path of the SQLite file (sqlite stores only). */
  path?: string;
}

export interface ContextStorageSettings {
  stores: ContextStoreSetting[];
  /** The store used when a node names none (Node-RED's `default`). */
  defaultStore: string;
}

export interface ServerSettings {
  contextStorage: ContextStorageSettings;
  /** Every other key of settings.json, visible to nodes as runtime settings (read only). */
  runtimeSettings: Record<string, unknown>;
  /** Where the settings came from, for the start-up log. */
  source: string;
}

export const SETTINGS_FILE = 'settings.json';
const DEFAULT_SQLITE_FILE = 'context.sqlite';

/**
 * The context stores when settings.json names none: memory by default, and a
 * persistent store called `file` (Node-RED users write `#:(file)::key`).
 */
export const DEFAULT_CONTEXT_STORAGE: Readonly<Record<string, unknown>> = { default: 'memory', file: 'sqlite' };

/**
 * Reads DATA/settings.json if present. `contextStorage` follows Node-RED's
 * settings.js shape: each key is a store name, the value a module name
 * (`memory`, `sqlite`; `localfilesystem` is taken as `sqlite` so Node-RED
 * settings carry over) or `{ module, config: { path } }`; `default` may also be
 * the name of another store.
 */
export function loadServerSettings(dataDir: string): ServerSettings {
  const file = join(dataDir, SETTINGS_FILE);
  if (!existsSync(file)) {
    return { contextStorage: normalizeContextStorage(DEFAULT_CONTEXT_STORAGE, dataDir, 'built-in defaults'), runtimeSettings: {}, source: 'built-in defaults' };
  }
  const raw = readJsonFile(file, 'settings-bad-json', 'Settings file');
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new StartupError('settings-invalid', `Settings file ${file} must hold a JSON object, e.g. { "contextStorage": { "default": "memory", "file": "sqlite" } }`);
  }
  const { contextStorage, ...runtimeSettings } = raw as Record<string, unknown>;
  const storage = contextStorage === undefined ? DEFAULT_CONTEXT_STORAGE : contextStorage;
  return { contextStorage: normalizeContextStorage(storage, dataDir, file), runtimeSettings, source: file };
}

const MODULE_ALIASES: Record<string, ContextStoreSetting['kind']> = { memory: 'memory', sqlite: 'sqlite', localfilesystem: 'sqlite' };

export function normalizeContextStorage(value: unknown, dataDir: string, source: string): ContextStorageSettings {
  const invalid = (reason: string): StartupError =>
    new StartupError('settings-invalid', `contextStorage in ${source}: ${reason}`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid('must be an object such as { "default": "memory", "file": "sqlite" }');
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) throw invalid('names no store; remove it to get the defaults or add { "default": "memory" }');

  const stores: ContextStoreSetting[] = [];
  let defaultAlias: string | undefined;
  let sqliteCount = 0;
  for (const [name, setting] of entries) {
    if (!/^[A-Za-z0-9_-]+$/.test(name)) throw invalid(`store name "${name}" may only use letters, digits, "-" and "_"`);
    const moduleName = typeof setting === 'string' ? setting : moduleOf(setting);
    const kind = moduleName === undefined ? undefined : MODULE_ALIASES[moduleName];
    if (kind === undefined) {
      const isAlias = name === 'default' && typeof setting === 'string' && setting in (value as Record<string, unknown>) && setting !== 'default';
      if (isAlias) {
        defaultAlias = setting;
        continue;
      }
      throw invalid(`store "${name}" has module ${JSON.stringify(moduleName ?? setting)}; use "memory" or "sqlite"`);
    }
    const store: ContextStoreSetting = { name, kind };
    if (kind === 'sqlite') {
      const configured = pathOf(setting);
      const fileName = configured ?? (sqliteCount === 0 ? DEFAULT_SQLITE_FILE : `context-${name}.sqlite`);
      store.path = isAbsolute(fileName) ? fileName : join(dataDir, fileName);
      sqliteCount++;
    }
    stores.push(store);
  }
  if (stores.length === 0) throw invalid('names no store with a module; add e.g. "memory": "memory"');
  // Node-RED: without a `default` entry, the first store listed is the default.
  const defaultStore = defaultAlias ?? (stores.some((s) => s.name === 'default') ? 'default' : stores[0]!.name);
  return { stores, defaultStore };
}

function moduleOf(setting: unknown): string | undefined {
  if (setting === null || typeof setting !== 'object') return undefined;
  const moduleName = (setting as { module?: unknown }).module;
  return typeof moduleName === 'string' ? moduleName : undefined;
}

function pathOf(setting: unknown): string | undefined {
  if (setting === null || typeof setting !== 'object') return undefined;
  const config = (setting as { config?: unknown }).config;
  if (config === null || typeof config !== 'object') return undefined;
  const path = (config as { path?: unknown }).path;
  return typeof path === 'string' && path.length > 0 ? path : undefined;
}
