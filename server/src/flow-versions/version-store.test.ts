import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowDocument } from '@loopedge/flows';
import { flowSetHash } from '@loopedge/security';
import { openFlowVersionsDatabase, type FlowVersionsDatabase } from './flow-versions-db.js';
import { summarizeChange, diffVersions, SUMMARY_ID_CAP } from './version-diff.js';
import { DEFAULT_VERSIONS_KEPT, FlowVersionStore } from './version-store.js';
import { versionsKept } from './flow-versioning.js';
import { StartupError } from '../bootstrap/startup-error.js';

// The start-up step of the crash-safe apply: whatever a kill left behind, the
// flow file decides, and afterwards the newest applied version is the file.

const A: FlowDocument = [{ id: 'tab1', type: 'tab', label: 'A' }];
const B: FlowDocument = [...A, { id: 'n1', type: 'debug', z: 'tab1', name: 'one', wires: [] }];
const C: FlowDocument = [...B, { id: 'n2', type: 'debug', z: 'tab1', name: 'two', wires: [] }];

describe('flow version store: reconcile against the flow file', () => {
  let dir: string;
  let db: FlowVersionsDatabase;
  let store: FlowVersionStore;
  const summarize = (next: FlowDocument) => (previous: FlowDocument | undefined) => summarizeChange(previous ?? [], next);
  const reconcile = (file: FlowDocument) => store.reconcile(file, flowSetHash(file), summarize(file));
  const pending = (version: number, flows: FlowDocument): void =>
    store.addPending({ version, hash: flowSetHash(flows), flows, type: 'full', summary: summarizeChange([], flows) });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'loopedge-versions-'));
    db = openFlowVersionsDatabase(dir);
    store = new FlowVersionStore(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('first start records the file as version 1; a second start changes nothing', () => {
    assert.deepEqual(reconcile(A), { action: 'recorded-file', version: 1, abandoned: [] });
    assert.deepEqual(reconcile(A), { action: 'none', version: 1 });
    assert.equal(store.current()?.type, 'file');
  });

  test('killed before the file was saved: the pending version is dropped, the previous one runs', () => {
    reconcile(A);
    pending(2, B);
    assert.deepEqual(reconcile(A), { action: 'abandoned', abandoned: [2], version: 1 });
    assert.equal(store.current()?.hash, flowSetHash(A));
    assert.equal(store.get(2), undefined);
  });

  test('killed after the file was saved: the pending version is completed', () => {
    reconcile(A);
    pending(5, B);
    assert.deepEqual(reconcile(B), { action: 'completed', version: 5 });
    assert.deepEqual(store.list().map((v) => v.version), [5, 1]);
  });

  test('a file edited while the server was down becomes the next version, pending leftovers go', () => {
    reconcile(A);
    pending(2, B);
    const outcome = reconcile(C);
    assert.deepEqual(outcome, { action: 'recorded-file', version: 2, abandoned: [2] });
    assert.equal(store.get(2)?.hash, flowSetHash(C));
    assert.deepEqual(store.get(2)?.summary.nodes.added, ['n1', 'n2']);
  });

  test('summaries count exactly and keep at most the first ids; diffs name nodes', () => {
    const many: FlowDocument = [...A, ...Array.from({ length: 30 }, (_, i) => ({ id: `m${i}`, type: 'debug', z: 'tab1', wires: [] }))];
    const summary = summarizeChange(A, many);
    assert.equal(summary.added, 30);
    assert.equal(summary.nodes.added.length, SUMMARY_ID_CAP);
    const moved = B.map((item) => (item.id === 'n1' ? { ...item, x: 400 } : item));
    assert.deepEqual(diffVersions(B, moved).changed, [{ id: 'n1', type: 'debug', name: 'one', z: 'tab1', change: 'moved' }]);
    assert.deepEqual(diffVersions(C, A).removed.map((e) => e.name), ['one', 'two']);
  });
});

describe('flow version store: retention', () => {
  let dir: string;
  let db: FlowVersionsDatabase;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'loopedge-versions-keep-'));
    db = openFlowVersionsDatabase(dir);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const apply = (store: FlowVersionStore, version: number, flows: FlowDocument): void => {
    store.addPending({ version, hash: flowSetHash(flows), flows, type: 'full', summary: summarizeChange([], flows) });
    store.markApplied(version);
  };

  test('applying a version deletes the applied ones beyond the newest `keep`; numbers keep growing, a pending row is untouched', () => {
    const store = new FlowVersionStore(db, Date.now, 3);
    const sets = [A, B, C, A, B];
    sets.forEach((flows, i) => apply(store, i + 1, flows));
    assert.deepEqual(store.list().map((v) => v.version), [5, 4, 3]);
    assert.equal(store.count(), 3);
    assert.equal(store.get(2), undefined, 'a pruned version is gone, as an unknown one');
    assert.deepEqual(store.get(3)?.flows, C);
    assert.equal(store.current()?.version, 5);
    // A deploy under way keeps its pending row through another apply's pruning.
    store.addPending({ version: 7, hash: flowSetHash(C), flows: C, type: 'full', summary: summarizeChange([], C) });
    apply(store, 6, A);
    assert.deepEqual(store.list().map((v) => v.version), [6, 5, 4]);
    assert.equal((db.prepare("SELECT COUNT(*) AS n FROM flow_versions WHERE state = 'pending'").get() as { n: number }).n, 1);
    // The start-up step records a changed file as the next version and prunes the same way.
    assert.deepEqual(store.reconcile(B, flowSetHash(B), () => summarizeChange(A, B)), { action: 'recorded-file', version: 7, abandoned: [7] });
    assert.deepEqual(store.list().map((v) => v.version), [7, 6, 5]);
  });

  test('the default keeps the newest 100', () => {
    const store = new FlowVersionStore(db);
    for (let version = 1; version <= DEFAULT_VERSIONS_KEPT + 5; version++) apply(store, version, version % 2 === 0 ? A : B);
    assert.equal(store.count(), DEFAULT_VERSIONS_KEPT);
    assert.equal(store.list(1000).at(-1)?.version, 6);
  });

  test('settings.json flowVersions.keep: default 100, at least 2, anything else a settings error that says what to write', () => {
    assert.equal(versionsKept({}), DEFAULT_VERSIONS_KEPT);
    assert.equal(versionsKept({ flowVersions: {} }), DEFAULT_VERSIONS_KEPT);
    assert.equal(versionsKept({ flowVersions: { keep: 2 } }), 2);
    assert.equal(versionsKept({ flowVersions: { keep: 5000 } }), 5000);
    for (const bad of [{ keep: 1 }, { keep: 2.5 }, { keep: '10' }, 10, null, [3]]) {
      assert.throws(
        () => versionsKept({ flowVersions: bad }),
        (error: unknown) => error instanceof StartupError && error.exitCode === 2 && /flowVersions in settings\.json must be an object like \{ "keep": 100 \}/.test(error.message) && error.message.includes(JSON.stringify(bad)),
        JSON.stringify(bad),
      );
    }
  });
});
