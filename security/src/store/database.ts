// security.sqlite: one file, mode 0600, holding users, sessions, tokens, the audit
// log, encrypted credentials and certificates. SQLite creates its -wal/-shm files
// with the database file's mode, so fixing the mode of the main file covers them.
import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA_SQL, SCHEMA_VERSION } from './schema.js';

export type SecurityDatabase = Database.Database;

export const DATABASE_FILE = 'security.sqlite';

export function openSecurityDatabase(dataDir: string): SecurityDatabase {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, DATABASE_FILE);
  // Create the file ourselves so it never exists with a wider mode, even briefly.
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (error) {
    db.close();
    throw new Error(`Could not open the security database ${path}: ${(error as Error).message}. Check the file is a LoopEdge security database and the data folder is writable.`, { cause: error });
  }
  return db;
}

function migrate(db: SecurityDatabase): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`schema version ${version} is newer than this LoopEdge understands (${SCHEMA_VERSION}); upgrade LoopEdge`);
  }
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
    db.exec(SCHEMA_SQL);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/** Settings rows (require two-factor, active certificate ...): small typed accessors. */
export function readSetting(db: SecurityDatabase, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

export function writeSetting(db: SecurityDatabase, key: string, value: string): void {
  db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}
