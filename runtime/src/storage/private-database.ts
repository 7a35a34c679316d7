/**
 * Opening one of LoopEdge's own SQLite files (context, flow versions, alerts,
 * the notifier and store-and-forward queues): every one of them may hold
 * process data, so each is opened the same way.
 *
 * - The file is created by us with mode 0600 before SQLite writes a byte (its
 *   -wal/-shm files take the main file's mode), its folder 0700 when we make it.
 * - WAL, a busy timeout, the durability the caller asks for.
 * - `user_version` is the schema version: a file from a newer LoopEdge is
 *   refused (never half-read), an older or new one gets the schema SQL, which
 *   is written to be run again (CREATE ... IF NOT EXISTS), in one transaction.
 * - Any failure closes the handle and says which file, what went wrong and
 *   what to do.
 *
 * `:memory:` (tests, a runtime without a data folder) skips the file steps.
 * The security store keeps its own copy of these steps (security/src/store/
 * database.ts): that package does not depend on the runtime.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

export interface PrivateDatabaseOptions {
  /** What the file is, for error messages: "the alerts database". */
  label: string;
  /** Creates the schema; safe to run on a file that already has it. */
  schemaSql: string;
  /** Default 1. */
  schemaVersion?: number;
  /**
   * SQLite's `synchronous`. FULL (SQLite's default): a commit survives a power
   * cut. NORMAL under WAL: it survives a crash or kill of the process, and
   * writes are much cheaper.
   */
  synchronous: 'FULL' | 'NORMAL';
  foreignKeys?: boolean;
  /** What the user can do when the file cannot be opened; ends the error message. */
  remedy: string;
}

export function openPrivateDatabase(path: string, options: PrivateDatabaseOptions): Database.Database {
  const schemaVersion = options.schemaVersion ?? 1;
  const inMemory = path === ':memory:';
  if (!inMemory) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    closeSync(openSync(path, 'a', 0o600));
    chmodSync(path, 0o600);
  }
  const db = new Database(path);
  try {
    if (!inMemory) db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous}`);
    db.pragma('busy_timeout = 5000');
    if (options.foreignKeys) db.pragma('foreign_keys = ON');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > schemaVersion) throw new Error(`schema version ${version} is newer than this LoopEdge understands (${schemaVersion}); upgrade LoopEdge`);
    if (version < schemaVersion) {
      db.transaction(() => {
        db.exec(options.schemaSql);
        db.pragma(`user_version = ${schemaVersion}`);
      }).immediate();
    }
  } catch (error) {
    db.close();
    throw new Error(`Could not open ${options.label} ${path}: ${(error as Error).message}. ${options.remedy}`, { cause: error });
  }
  return db;
}
