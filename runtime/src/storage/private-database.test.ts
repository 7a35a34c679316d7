import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPrivateDatabase, type PrivateDatabaseOptions } from './private-database.js';

const root = mkdtempSync(join(tmpdir(), 'loopedge-private-db-'));
after(() => rmSync(root, { recursive: true, force: true }));

const options: PrivateDatabaseOptions = {
  label: 'the test store',
  schemaSql: 'CREATE TABLE IF NOT EXISTS items (name TEXT PRIMARY KEY)',
  synchronous: 'NORMAL',
  remedy: 'Move the file away.',
};

/** Reopen the file and check its schema version and the names stored in it. */
function assertStored(path: string, opened: PrivateDatabaseOptions, version: number, names: string[]): void {
  const db = openPrivateDatabase(path, opened);
  try {
    assert.equal(db.pragma('user_version', { simple: true }), version);
    assert.deepEqual(db.prepare('SELECT name FROM items').all(), names.map((name) => ({ name })));
  } finally {
    db.close();
  }
}

describe('openPrivateDatabase', () => {
  test('makes its folder 0700 and the file 0600 from the start, in WAL mode, with the schema and its version', () => {
    const path = join(root, 'fresh', 'store.sqlite');
    const db = openPrivateDatabase(path, options);
    try {
      assert.equal(statSync(join(root, 'fresh')).mode & 0o777, 0o700);
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('synchronous', { simple: true }), 1, 'NORMAL');
      assert.equal(db.pragma('user_version', { simple: true }), 1);
      db.prepare('INSERT INTO items (name) VALUES (?)').run('kept');
    } finally {
      db.close();
    }
    const again = openPrivateDatabase(path, options);
    try {
      assert.deepEqual(again.prepare('SELECT name FROM items').all(), [{ name: 'kept' }]);
    } finally {
      again.close();
    }
  });

  test('a file that existed with a wider mode is narrowed to 0600', () => {
    const path = join(root, 'wide.sqlite');
    writeFileSync(path, '', { mode: 0o644 });
    openPrivateDatabase(path, options).close();
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  test('a file from a newer LoopEdge is refused with what, where and what to do, and left as it was', () => {
    const path = join(root, 'newer.sqlite');
    const newer = openPrivateDatabase(path, { ...options, schemaVersion: 3 });
    newer.prepare('INSERT INTO items (name) VALUES (?)').run('from the future');
    newer.close();
    assert.throws(
      () => openPrivateDatabase(path, options),
      (error: Error) => error.message.includes('the test store') && error.message.includes(path) && /schema version 3 is newer/.test(error.message) && error.message.endsWith('Move the file away.'),
    );
    assertStored(path, { ...options, schemaVersion: 3 }, 3, ['from the future']);
  });

  test('a file that is not a database is refused and not overwritten', () => {
    const path = join(root, 'garbage.sqlite');
    writeFileSync(path, 'this is not SQLite, but somebody may want it back'.repeat(20));
    const before = readFileSync(path);
    assert.throws(() => openPrivateDatabase(path, options), /Could not open the test store .*garbage\.sqlite: .*Move the file away\./);
    assert.deepEqual(readFileSync(path), before);
  });

  test('a file from before versioning (user_version 0, tables already there) keeps its rows and gets the version', () => {
    const path = join(root, 'old.sqlite');
    const old = openPrivateDatabase(path, options);
    old.prepare('INSERT INTO items (name) VALUES (?)').run('old row');
    old.pragma('user_version = 0');
    old.close();
    assertStored(path, options, 1, ['old row']);
  });

  test(':memory: works without a file, with the pragmas asked for', () => {
    const memory = openPrivateDatabase(':memory:', { ...options, foreignKeys: true, synchronous: 'FULL' });
    try {
      assert.equal(memory.pragma('foreign_keys', { simple: true }), 1);
      assert.equal(memory.pragma('synchronous', { simple: true }), 2, 'FULL');
      assert.equal(memory.pragma('user_version', { simple: true }), 1);
    } finally {
      memory.close();
    }
  });
});
