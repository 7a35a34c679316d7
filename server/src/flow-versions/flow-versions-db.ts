// DATA/flow-versions.sqlite: every deployed flow set, the flow-signing policy and
// the signing-key requests waiting for an admin. Its own file (not security.sqlite)
// because it grows with every deploy and holds no secrets.
import type Database from 'better-sqlite3';
import { join } from 'node:path';
import { openPrivateDatabase } from '@loopedge/runtime';

export type FlowVersionsDatabase = Database.Database;

export const FLOW_VERSIONS_FILE = 'flow-versions.sqlite';
const SCHEMA_VERSION = 1;

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS flow_versions (
  version INTEGER PRIMARY KEY,
  -- 'pending' while a deploy is under way (see README: crash-safe apply), then 'applied'
  state TEXT NOT NULL CHECK (state IN ('pending', 'applied')),
  hash TEXT NOT NULL,
  flows TEXT NOT NULL,
  signature TEXT,
  signer_kid TEXT,
  signer_name TEXT,
  user TEXT,
  created_at INTEGER NOT NULL,
  type TEXT NOT NULL,
  rollback_of INTEGER,
  summary TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS flow_signing_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS signing_key_requests (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  owner TEXT NOT NULL,
  public_pem TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
  created_at INTEGER NOT NULL,
  decided_at INTEGER,
  decided_by TEXT
);
`;

export function openFlowVersionsDatabase(dataDir: string): FlowVersionsDatabase {
  // Flows may name hosts and topics: same 0600 as the other stores, from the first byte.
  return openPrivateDatabase(join(dataDir, FLOW_VERSIONS_FILE), {
    label: 'the flow version database',
    schemaSql: SCHEMA_SQL,
    schemaVersion: SCHEMA_VERSION,
    // A version marked applied must survive power loss, not only a killed process.
    synchronous: 'FULL',
    remedy: 'Check the data folder is writable, or move the file away to start a new history.',
  });
}

export function readFlowSetting(db: FlowVersionsDatabase, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM flow_signing_settings WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

export function writeFlowSetting(db: FlowVersionsDatabase, key: string, value: string | undefined): void {
  if (value === undefined) db.prepare('DELETE FROM flow_signing_settings WHERE key = ?').run(key);
  else db.prepare('INSERT INTO flow_signing_settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}
