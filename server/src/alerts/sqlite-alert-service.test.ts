import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coreNodeTypes } from '@loopedge/nodes';
import { AlertServiceError, startTestFlow, type AlertChange, type RaiseAlertInput } from '@loopedge/runtime';
import type { FlowDocument } from '@loopedge/flows';
import { SqliteAlertService } from './sqlite-alert-service.js';

const source = { nodeId: 'a1', flowId: 't1' };
const input = (key: string, severity: RaiseAlertInput['severity'] = 'major'): RaiseAlertInput => ({ key, severity, title: `${key} title`, message: `${key} text`, source, value: { temp: 90 } });

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'loopedge-alerts-'));
}

describe('SQLite alert service', () => {
  test('one open alert per key; transitions in order; listeners told after storing', () => {
    let t = Date.parse('2026-01-01T00:00:00Z');
    const service = new SqliteAlertService({ path: ':memory:', clock: () => (t += 1000) });
    const changes: AlertChange[] = [];
    service.onChange((change) => changes.push(change));
    try {
      const first = service.raise(input('oven'));
      assert.equal(first.created, true);
      const again = service.raise(input('oven'));
      assert.deepEqual([again.created, again.alert.id], [false, first.alert.id]);
      assert.deepEqual(service.acknowledge(first.alert.id, 'olivia', 'looking').state, 'acknowledged');
      assert.equal(service.acknowledge(first.alert.id, 'someone else').acknowledgedBy, 'olivia', 'a second acknowledge changes nothing');
      assert.equal(service.raise(input('oven')).created, false, 'acknowledged is still open');
      service.clearKey('oven', 'condition', 60);
      assert.throws(() => service.acknowledge(first.alert.id, 'late'), (err: Error) => err instanceof AlertServiceError && err.code === 'conflict');
      assert.throws(() => service.acknowledge('nope', 'x'), (err: Error) => err instanceof AlertServiceError && err.code === 'not-found');
      assert.equal(service.raise(input('oven')).created, true, 'a new occurrence after clearing');
      assert.deepEqual(changes.map((c) => c.transition), ['raised', 'acknowledged', 'cleared', 'raised']);
      assert.deepEqual(service.history(first.alert.id).map((h) => [h.transition, h.by ?? null, h.note ?? null]), [['raised', null, null], ['acknowledged', 'olivia', 'looking'], ['cleared', 'condition', null]]);
      assert.deepEqual(service.history(first.alert.id)[2]!.value, 60);
      assert.deepEqual(service.get(first.alert.id)!.value, { temp: 90 });
    } finally {
      service.close();
    }
  });

  test('query filters by state, severity, key, node and time, newest first, with paging', () => {
    let t = Date.parse('2026-01-01T00:00:00Z');
    const service = new SqliteAlertService({ path: ':memory:', clock: () => (t += 60_000) });
    try {
      const a = service.raise(input('a', 'critical')).alert;
      service.raise(input('b', 'minor'));
      service.raise({ ...input('c', 'critical'), source: { nodeId: 'other', flowId: 't1' } });
      service.clear(a.id);
      assert.deepEqual(service.query({}).alerts.map((x) => x.key), ['c', 'b', 'a']);
      assert.deepEqual(service.query({ state: 'active' }).alerts.map((x) => x.key), ['c', 'b']);
      assert.deepEqual(service.query({ severity: 'critical' }).alerts.map((x) => x.key), ['c', 'a']);
      assert.deepEqual(service.query({ key: 'b' }).alerts.map((x) => x.key), ['b']);
      assert.deepEqual(service.query({ nodeId: 'a1' }).alerts.map((x) => x.key), ['b', 'a']);
      assert.deepEqual(service.query({ since: '2026-01-01T00:02:00.000Z', until: '2026-01-01T00:03:00.000Z' }).alerts.map((x) => x.key), ['b']);
      const page = service.query({ limit: 1, offset: 1 });
      assert.deepEqual([page.total, page.alerts.map((x) => x.key)], [3, ['b']]);
      assert.deepEqual(service.listOpen('a1').map((x) => x.key), ['b']);
    } finally {
      service.close();
    }
  });

  test('restart: a second runtime over the same file keeps the alert open, no duplicate, hysteresis holds', async () => {
    const dir = tempDir();
    const path = join(dir, 'alerts.sqlite');
    const doc = [
      { id: 't1', type: 'tab' },
      { id: 'a1', type: 'alert', z: 't1', condition: 'above', threshold: '80', clearBelow: '70', key: 'oven-temp', title: 'Oven {{payload}}', wires: [['out']] },
      { id: 'out', type: 'helper', z: 't1' },
    ] as FlowDocument;
    try {
      const firstService = new SqliteAlertService({ path });
      const first = await startTestFlow(doc, { nodeTypes: coreNodeTypes, host: { alerts: firstService } });
      first.receive('a1', { payload: 90 });
      await first.waitForMessages('out', 1);
      await first.stop();
      firstService.close();
      assert.equal(statSync(path).mode & 0o777, 0o600);

      const secondService = new SqliteAlertService({ path });
      const second = await startTestFlow(doc, { nodeTypes: coreNodeTypes, host: { alerts: secondService } });
      try {
        second.receive('a1', { payload: 95 });
        second.receive('a1', { payload: 75 });
        second.receive('a1', { payload: 60 });
        const [cleared] = await second.waitForMessages('out', 1);
        assert.equal((cleared!.payload as { transition: string }).transition, 'cleared', 'the first thing after the restart is the clear: no second raise');
        const all = secondService.query({ key: 'oven-temp' });
        assert.equal(all.total, 1);
        assert.equal(all.alerts[0]!.title, 'Oven 90');
        assert.deepEqual(secondService.history(all.alerts[0]!.id).map((h) => h.transition), ['raised', 'cleared']);
      } finally {
        await second.stop();
        secondService.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
