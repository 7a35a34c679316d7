import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { openTestSecurity, type TestSecurity } from '../testing/open-test-security.js';

describe('audit log', () => {
  let t: TestSecurity;
  let dbPath: string;

  before(async () => {
    t = await openTestSecurity();
    dbPath = join(t.dataDir, 'security.sqlite');
    const start = Date.parse('2030-01-01T00:00:00.000Z');
    t.clock.advance(start - t.clock.now());
    for (let i = 0; i < 5; i++) {
      t.security.audit.append({ actor: i % 2 ? 'bob' : 'alice', action: i < 3 ? 'flows.deploy' : 'auth.login', target: `rev-${i}`, outcome: 'success', sourceIp: '10.0.0.1', details: { n: i, nested: { list: [i] } } });
      t.clock.advance(60_000);
    }
  });
  after(() => t.close());

  test('lists newest first with filters by actor, action, time, limit and offset', () => {
    const all = t.security.audit.list({});
    assert.deepEqual(all.map((e) => e.target), ['rev-4', 'rev-3', 'rev-2', 'rev-1', 'rev-0']);
    assert.deepEqual(all[4]?.details, { n: 0, nested: { list: [0] } });
    assert.deepEqual(t.security.audit.list({ actor: 'bob' }).map((e) => e.target), ['rev-3', 'rev-1']);
    assert.deepEqual(t.security.audit.list({ action: 'auth.login' }).map((e) => e.target), ['rev-4', 'rev-3']);
    assert.deepEqual(
      t.security.audit.list({ since: '2030-01-01T00:01:00Z', until: '2030-01-01T00:03:00Z' }).map((e) => e.target),
      ['rev-2', 'rev-1'],
    );
    assert.deepEqual(t.security.audit.list({ limit: 2, offset: 1 }).map((e) => e.target), ['rev-3', 'rev-2']);
    assert.throws(() => t.security.audit.list({ since: 'yesterday' }), /ISO 8601/);
  });

  test('each entry links to the previous one by hash and the chain verifies', () => {
    const entries = t.security.audit.list({}).reverse();
    assert.equal(entries[0]?.prevHash, '');
    for (let i = 1; i < entries.length; i++) assert.equal(entries[i]?.prevHash, entries[i - 1]?.hash);
    assert.deepEqual(t.security.audit.verifyChain(), { ok: true });
  });

  test('the database refuses to update or delete entries', () => {
    const db = new Database(dbPath);
    try {
      assert.throws(() => db.prepare("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2").run(), /append-only/);
      assert.throws(() => db.prepare('DELETE FROM audit_log WHERE seq = 2').run(), /append-only/);
    } finally {
      db.close();
    }
  });

  test('an entry edited around the triggers breaks the chain at that entry', () => {
    const db = new Database(dbPath);
    try {
      db.exec('DROP TRIGGER audit_log_no_update');
      db.prepare("UPDATE audit_log SET outcome = 'failure' WHERE seq = 3").run();
      assert.deepEqual(t.security.audit.verifyChain(), { ok: false, brokenAt: 3 });
      db.prepare("UPDATE audit_log SET outcome = 'success' WHERE seq = 3").run();
      assert.deepEqual(t.security.audit.verifyChain(), { ok: true });

      // Removing an entry (and relinking the next one's prevHash) is caught too: the next hash no longer matches.
      db.exec('DROP TRIGGER audit_log_no_delete');
      const removed = db.prepare('SELECT hash FROM audit_log WHERE seq = 2').get() as { hash: string };
      db.prepare('DELETE FROM audit_log WHERE seq = 2').run();
      assert.deepEqual(t.security.audit.verifyChain(), { ok: false, brokenAt: 3 });
      assert.ok(removed.hash);
    } finally {
      db.close();
    }
  });
});
