import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowDocument } from '@loopedge/flows';
import type { AlertRecord } from '@loopedge/runtime';
import { TestAdmin } from '../test-support/test-admin.js';
import { connectLive, waitForEvent, type LiveConnection } from '../test-support/live-client.js';

// One alert node on a tab: messages delivered to it straight through the runtime.
const flows = [
  { id: 'tab1', type: 'tab', label: 'Oven' },
  { id: 'a1', type: 'alert', z: 'tab1', condition: 'above', threshold: 80, clearBelow: 70, severity: 'critical', key: 'temp-{{topic}}', title: '{{topic}} too hot', renotifySeconds: 0, wires: [] },
] as FlowDocument;

interface Page {
  total: number;
  alerts: AlertRecord[];
}

describe('alerts API and live events', () => {
  let admin: TestAdmin;
  let live: LiveConnection;

  before(async () => {
    admin = await TestAdmin.start({ flows });
    live = await connectLive(await admin.signedIn('viewer'));
  });
  after(async () => {
    live?.close();
    await admin?.stop();
  });

  const raise = async (topic: string, payload: number): Promise<void> => {
    admin.server.runtime.receive('a1', { payload, topic });
    await waitForEvent(live, `alert for ${topic}`, (e) => e.event === 'alert' && (e.payload as { alert: AlertRecord }).alert.key === `temp-${topic}`);
  };

  test('list and filter; one alert with its history; viewers read, operators acknowledge, audited', async () => {
    await raise('oven', 90);
    await raise('press', 95);
    const viewer = await admin.signedIn('viewer');
    const all = await viewer.get<Page>('/api/alerts');
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(all.body.alerts.map((a) => a.key), ['temp-press', 'temp-oven']);
    const filtered = await viewer.get<Page>('/api/alerts?key=temp-oven&state=active&severity=critical&limit=10&offset=0');
    assert.deepEqual(filtered.body.alerts.map((a) => [a.key, a.title, a.source.nodeId]), [['temp-oven', 'oven too hot', 'a1']]);
    assert.equal((await viewer.get<Page>('/api/alerts?severity=minor')).body.total, 0);
    assert.equal((await viewer.get('/api/alerts?state=burning')).status, 400);
    assert.equal((await viewer.get<Page>(`/api/alerts?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).body.total, 0);

    const id = filtered.body.alerts[0]!.id;
    const refused = await viewer.post(`/api/alerts/${id}/acknowledge`, {});
    assert.equal(refused.status, 403);

    const operator = await admin.signedIn('operator');
    const acked = await operator.post<{ alert: AlertRecord }>(`/api/alerts/${id}/acknowledge`, { note: 'cooling down' });
    assert.equal(acked.status, 200, acked.text);
    assert.equal(acked.body.alert.state, 'acknowledged');
    await waitForEvent(live, 'the acknowledged event', (e) => e.event === 'alert' && (e.payload as { transition: string }).transition === 'acknowledged');

    const one = await viewer.get<{ alert: AlertRecord; history: Array<{ transition: string; by?: string; note?: string }> }>(`/api/alerts/${id}`);
    assert.equal(one.status, 200);
    assert.match(one.body.alert.acknowledgedBy ?? '', /^operator-/);
    assert.deepEqual(one.body.history.map((h) => [h.transition, h.note ?? null]), [['raised', null], ['acknowledged', 'cooling down']]);
    assert.equal((await viewer.get('/api/alerts/no-such-alert')).status, 404);

    const audit = admin.security.audit.list({ action: 'alerts.acknowledge' });
    assert.ok(audit.some((entry) => entry.target === id && entry.outcome === 'success' && /^operator-/.test(entry.actor ?? '')), JSON.stringify(audit));

    // The value falls below the hysteresis band: cleared; acknowledging now is a conflict.
    admin.server.runtime.receive('a1', { payload: 60, topic: 'oven' });
    await waitForEvent(live, 'the cleared event', (e) => e.event === 'alert' && (e.payload as { transition: string }).transition === 'cleared');
    assert.equal((await operator.post(`/api/alerts/${id}/acknowledge`, {})).status, 409);
  });
});
