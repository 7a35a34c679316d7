import { MemoryContextStore, SqliteContextStore, type ContextStorageConfig, type ContextStore } from '@loopedge/runtime';
import { StartupError } from './startup-error.js';
import type { ContextStorageSettings } from './settings.js';

/**
 * Opens the configured context stores. If one fails to open (a locked or
 * corrupt SQLite file), the ones already opened are closed again.
 */
export function openContextStores(settings: ContextStorageSettings): ContextStorageConfig {
  const stores: Record<string, ContextStore> = {};
  try {
    for (const store of settings.stores) {
      stores[store.name] = store.kind === 'sqlite' ? new SqliteContextStore(store.path!) : new MemoryContextStore();
    }
  } catch (error) {
    for (const opened of Object.values(stores)) opened.close();
    const failed = settings.stores.find((s) => !(s.name in stores));
    throw new StartupError(
      'runtime-failed',
      `Cannot open context store "${failed?.name}"${failed?.path ? ` at ${failed.path}` : ''}: ${(error as Error).message}. ` +
        'Check that no other loopedge uses this data folder and that the file is a SQLite database.',
      [],
      { cause: error },
    );
  }
  return { default: settings.defaultStore, stores };
}
