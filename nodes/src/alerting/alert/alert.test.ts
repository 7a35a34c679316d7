import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import { defineNode, startTestFlow, type AlertService, type FlowMessage, type TestFlow } from '@loopedge/runtime';
import type { FlowDocument } from '@loopedge/flows';
import { alertNode } from './index.js';
import { rulesNode } from '../rules/index.js';
import { MemoryAlertService } from '../shared/memory-alert-service.js';
import type { AlertNotification } from '../shared/alert-notification.js';

/** A notifier config node that records what it is told (the contract H8b's notifiers implement). */
function recordingNotifier(received: AlertNotification[]) {
  return defineNode({
    type: 'test-notifier',
    category: 'config',
    configNode: true,
    config: Type.Object({}),
    inputs: 0,
    outputs: 0,
    editor: { icon: 'envelope.svg', color: '#fff' },
    create: () => ({ api: { kind: 'notifier' as const, notify: (n: AlertNotification) => received.push(n) } }),
  });
}

interface Rig {
  flow: TestFlow;
  service: AlertService;
  notes: AlertNotification[];
  transitions(): string[];
}

async function startAlert(config: Record<string, unknown>, service: AlertService = new MemoryAlertService(), extra: { nodes?: Array<Record<string, unknown>>; wireTo?: string } = {}): Promise<Rig> {
  const notes: AlertNotification[] = [];
  const doc = [
    { id: 't1', type: 'tab' },
    { id: 'mail', type: 'test-notifier' },
    { id: 'a', type: 'alert', z: 't1', notifiers: ['mail'], wires: [['out']], ...config },
    { id: 'out', type: 'helper', z: 't1' },
    ...(extra.nodes ?? []),
  ] as FlowDocument;
  const flow = await startTestFlow(doc, { nodeTypes: [alertNode, rulesNode, recordingNotifier(notes)], host: { alerts: service } });
  return { flow, service, notes, transitions: () => notes.map((n) => `${n.transition}:${n.key}`) };
}

async function feed(rig: Rig, values: unknown[], extra: Partial<FlowMessage> = {}): Promise<void> {
  for (const payload of values) rig.flow.receive('a', { payload, topic: 'oven', ...extra });
  // Delivered once the queue is empty; what the node then does (JSONata) is microtasks, done before a timer fires.
  while (rig.flow.runtime.pendingMessages > 0) await new Promise((resolve) => setImmediate(resolve));
  await rig.flow.settle(5);
}

const threshold = { condition: 'above', threshold: 80, clearBelow: 70, severity: 'critical', title: '{{topic}} too hot', message: 'Temperature {{payload}} °C', key: 'temp-{{topic}}' };

describe('alert node', () => {
  test('raises once while the value stays high, clears only below the hysteresis band', async () => {
    const rig = await startAlert(threshold);
    try {
      await feed(rig, [75, 85, 90, 95, 75, 85]);
      assert.deepEqual(rig.transitions(), ['raised:temp-oven'], 'no duplicates, 75 is inside the band');
      const [raised] = rig.notes;
      assert.equal(raised!.title, 'oven too hot');
      assert.equal(raised!.message, 'Temperature 85 °C');
      assert.equal(raised!.severity, 'critical');
      assert.deepEqual(raised!.source, { nodeId: 'a', flowId: 't1' });
      assert.equal(raised!.value, 85);
      await feed(rig, [65]);
      assert.deepEqual(rig.transitions(), ['raised:temp-oven', 'cleared:temp-oven']);
      const out = await rig.flow.waitForMessages('out', 2);
      assert.deepEqual(out.map((m) => [m.topic, (m.payload as AlertNotification).transition]), [['temp-oven', 'raised'], ['temp-oven', 'cleared']]);
      await feed(rig, [85]);
      assert.equal(rig.notes.length, 3);
      assert.notEqual(rig.notes[2]!.alertId, raised!.alertId, 'a new occurrence after clearing');
      assert.equal(rig.service.query({ key: 'temp-oven' }).total, 2);
    } finally {
      await rig.flow.stop();
    }
  });

  test('dedup is per key', async () => {
    const rig = await startAlert(threshold);
    try {
      await feed(rig, [90], { topic: 'oven' });
      await feed(rig, [90], { topic: 'press' });
      await feed(rig, [95], { topic: 'oven' });
      assert.deepEqual(rig.transitions(), ['raised:temp-oven', 'raised:temp-press']);
      assert.equal(rig.service.listOpen('a').length, 2);
    } finally {
      await rig.flow.stop();
    }
  });

  test('debounce by samples: a dip resets the count', async () => {
    const rig = await startAlert({ ...threshold, debounceSamples: 3 });
    try {
      await feed(rig, [90, 90, 60, 90, 90]);
      assert.deepEqual(rig.transitions(), []);
      await feed(rig, [90]);
      assert.deepEqual(rig.transitions(), ['raised:temp-oven']);
    } finally {
      await rig.flow.stop();
    }
  });

  test('debounce by time: raises once the condition has held long enough, not if it stops before', async () => {
    const rig = await startAlert({ ...threshold, debounceSeconds: 0.5 });
    try {
      await feed(rig, [90]);
      assert.deepEqual(rig.transitions(), []);
      await feed(rig, [60]); // stops holding: the pending raise is dropped
      await rig.flow.settle(700);
      assert.deepEqual(rig.transitions(), []);
      await feed(rig, [90]);
      await rig.flow.waitForMessages('out', 1, 2000);
      assert.deepEqual(rig.transitions(), ['raised:temp-oven']);
    } finally {
      await rig.flow.stop();
    }
  });

  test('re-notifies while active; an acknowledge (as through the API) stops it and is announced', async () => {
    const rig = await startAlert({ ...threshold, renotifySeconds: 0.1 });
    try {
      await feed(rig, [90]);
      await rig.flow.waitUntil(() => rig.notes.length >= 3, 3000, () => `${rig.notes.length} notifications`);
      assert.deepEqual(rig.transitions().slice(0, 3), ['raised:temp-oven', 'renotify:temp-oven', 'renotify:temp-oven']);
      const id = rig.notes[0]!.alertId;
      rig.service.acknowledge(id, 'olivia', 'on my way');
      const count = rig.notes.length;
      assert.equal(rig.notes.at(-1)!.transition, 'acknowledged');
      assert.equal(rig.notes.at(-1)!.acknowledgedBy, 'olivia');
      await rig.flow.settle(300);
      assert.equal(rig.notes.length, count, 'no re-notify after the acknowledge');
      await feed(rig, [95]);
      assert.equal(rig.notes.length, count, 'still no duplicate while acknowledged');
      await feed(rig, [50]);
      assert.equal(rig.notes.at(-1)!.transition, 'cleared');
      const history = rig.service.history(id).map((h) => h.transition);
      assert.equal(history[0], 'raised');
      assert.deepEqual(history.slice(-2), ['acknowledged', 'cleared']);
      assert.ok(history.slice(1, -2).length >= 2 && history.slice(1, -2).every((t) => t === 'renotify'), history.join());
    } finally {
      await rig.flow.stop();
    }
  });

  test('auto-clear after the condition was last seen; explicit clear message', async () => {
    const rig = await startAlert({ condition: 'message', key: '{{rule}}', autoClearSeconds: 0.1, title: 'rule {{rule}} fired' });
    try {
      await feed(rig, [1], { rule: 'overheat' });
      await rig.flow.waitUntil(() => rig.notes.length >= 2, 3000, () => rig.transitions().join());
      assert.deepEqual(rig.transitions(), ['raised:overheat', 'cleared:overheat']);
      assert.equal(rig.notes[0]!.title, 'rule overheat fired');
      await feed(rig, [1], { rule: 'jam' });
      await feed(rig, [0], { rule: 'jam', clear: true });
      assert.deepEqual(rig.transitions().slice(2), ['raised:jam', 'cleared:jam']);
    } finally {
      await rig.flow.stop();
    }
  });

  test('a rule event raises through a rules node; JSONata condition', async () => {
    const rules = { id: 'r', type: 'rules', z: 't1', outputMode: 'events', wires: [['a']], rules: [{ name: 'overheat', conditions: { all: [{ fact: 'msg', path: '$.payload', operator: 'greaterThan', value: 100 }] } }] };
    const rig = await startAlert({ condition: 'message', key: '{{rule}}', severity: 'major' }, new MemoryAlertService(), { nodes: [rules] });
    try {
      rig.flow.receive('r', { payload: 50 });
      rig.flow.receive('r', { payload: 150 });
      rig.flow.receive('r', { payload: 160 });
      await rig.flow.waitForMessages('out', 1);
      await rig.flow.settle(30);
      assert.deepEqual(rig.transitions(), ['raised:overheat']);
    } finally {
      await rig.flow.stop();
    }
    const jsonata = await startAlert({ condition: 'jsonata', expression: 'payload.pressure > 5 and payload.valve = "open"', key: 'valve' });
    try {
      await feed(jsonata, [{ pressure: 6, valve: 'closed' }, { pressure: 6, valve: 'open' }, { pressure: 2, valve: 'open' }]);
      assert.deepEqual(jsonata.transitions(), ['raised:valve', 'cleared:valve']);
    } finally {
      await jsonata.flow.stop();
    }
  });

  test('bad configuration fails the deploy with the field', async () => {
    await assert.rejects(startAlert({ condition: 'above', threshold: 'hot' }), /Node a: threshold: "hot" is not a number/);
    await assert.rejects(startAlert({ condition: 'above', threshold: 80, clearBelow: 90 }), /Node a: clearBelow \(90\) is on the wrong side/);
    await assert.rejects(startAlert({ ...threshold, notifiers: ['nope'] }), /Node a: notifiers\[0\]: "nope" is not a deployed notifier/);
    await assert.rejects(
      startTestFlow([{ id: 't1', type: 'tab' }, { id: 'a', type: 'alert', z: 't1', threshold: 1, wires: [] }] as FlowDocument, { nodeTypes: [alertNode] }),
      /the alert node needs the alert service/,
    );
  });

  test('a restarted node resumes re-notifying its active alert without a new message', async () => {
    const service = new MemoryAlertService();
    const first = await startAlert({ ...threshold, renotifySeconds: 0.2 }, service);
    await feed(first, [90]);
    await first.flow.stop();
    const second = await startAlert({ ...threshold, renotifySeconds: 0.2 }, service);
    try {
      await second.flow.waitUntil(() => second.notes.length >= 1, 3000, () => 'no re-notify after the restart');
      assert.deepEqual(second.transitions()[0], 'renotify:temp-oven');
      assert.equal(second.notes[0]!.alertId, first.notes[0]!.alertId);
    } finally {
      await second.flow.stop();
    }
  });

  test('a restarted node keeps its open alert: no duplicate, hysteresis still applies', async () => {
    const service = new MemoryAlertService();
    const first = await startAlert(threshold, service);
    await feed(first, [90]);
    await first.flow.stop();
    const second = await startAlert(threshold, service);
    try {
      await feed(second, [95, 75]);
      assert.deepEqual(second.transitions(), [], 'still open after the restart, 75 is inside the band');
      await feed(second, [60]);
      assert.deepEqual(second.transitions(), ['cleared:temp-oven']);
      assert.equal(second.notes[0]!.alertId, first.notes[0]!.alertId);
    } finally {
      await second.flow.stop();
    }
  });
});
