import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowDocument } from '@loopedge/flows';
import { flowSetHash } from '@loopedge/security';
import { openFlowVersionsDatabase, type FlowVersionsDatabase } from './flow-versions-db.js';
import { summarizeChange, diffVersions, SUMMARY_ID_CAP } from './version-diff.js';
import { FlowVersionStore } from './version-store.js';

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
