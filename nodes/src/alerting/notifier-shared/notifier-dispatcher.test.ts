import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { defineNode, type TestFlow } from '@loopedge/runtime';
import type { AlertNotification } from '../shared/alert-notification.js';
import type { Delivery, NotifierChannel } from './notifier-dispatcher.js';
import { notifierProperties, startNotifier } from './notifier-node.js';
import { eventually, notification, notifierService, startNotifierFlow } from './test-kit.js';

// A notifier whose channel each test supplies: the queue, storm limit, back-off
// and persistence under test are the real ones every notifier uses.
let channel: NotifierChannel = { deliver: async () => {} };
const testNotifierNode = defineNode({
  type: 'notify-test',
  category: 'config',
  configNode: true,
  config: Type.Object({ ...notifierProperties }),
  inputs: 0,
  outputs: 0,
  editor: { icon: 'alert.svg', color: '#fff' },
  create: (node, config) => startNotifier(node, config, channel),
});

const dataDir = mkdtempSync(join(tmpdir(), 'loopedge-notifier-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

function start(config: Record<string, unknown> = {}, dir = dataDir): Promise<TestFlow> {
  return startNotifierFlow({ id: 'nt', type: 'notify-test', retryInitialSeconds: '0.02', retryMaxSeconds: '0.1', ...config }, { types: [testNotifierNode], settings: { dataDir: dir } });
}

const keyOf = (d: Delivery): string => (d.kind === 'alert' ? d.notification.key : `summary of ${d.summary.count}`);

describe('notifier queue, storm protection and retries', () => {
  test('delivers in order and reports what it sent', async () => {
    const seen: Delivery[] = [];
    channel = { deliver: async (d) => void seen.push(d) };
    const flow = await start({}, mkdtempSync(join(dataDir, 'order-')));
    try {
      const sent = [1, 2, 3, 4, 5].map((i) => notification({ key: `k${i}` }));
      for (const n of sent) flow.receive('p', { payload: n });
      await eventually(() => seen.length === 5, 'five deliveries');
      assert.deepEqual(seen.map(keyOf), ['k1', 'k2', 'k3', 'k4', 'k5']);
      assert.deepEqual((seen[0] as Extract<Delivery, { kind: 'alert' }>).notification, sent[0]);
      assert.equal(new Set(seen.map((d) => d.deliveryId)).size, 5);
      await flow.waitUntil(() => flow.statuses('nt').at(-1)?.text === 'ready, 5 sent');
      assert.deepEqual(notifierService(flow, 'nt').counters, { delivered: 5, failed: 0, summarized: 0, summaries: 0 });
    } finally {
      await flow.stop();
    }
  });

  test('a storm: at most maxPerMinute deliveries, the rest in ONE summary; later ones are held', async () => {
    const seen: Delivery[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    channel = {
      deliver: async (d) => {
        await gate; // hold the first delivery until the whole storm is queued
        seen.push(d);
      },
    };
    const flow = await start({ maxPerMinute: '5' }, mkdtempSync(join(dataDir, 'storm-')));
    try {
      const service = notifierService(flow, 'nt');
      for (let i = 1; i <= 15; i++) flow.receive('p', { payload: notification({ key: `m${i}`, severity: i <= 6 ? 'critical' : 'major' }) });
      await eventually(() => service.queued === 15, 'fifteen queued');
      open();
      await eventually(() => seen.length === 5 && service.queued === 0, 'four single deliveries and a summary');
      assert.deepEqual(seen.map(keyOf), ['m1', 'm2', 'm3', 'm4', 'summary of 11']);
      const summary = seen[4] as Extract<Delivery, { kind: 'summary' }>;
      assert.equal(summary.summary.text, '11 more alert notifications in the last minute: 11 raised (2 critical); keys: m5, m6, m7, m8, m9, m10, m11, m12, m13, m14 and 1 more');
      assert.deepEqual(summary.notifications.map((n) => n.key), ['m5', 'm6', 'm7', 'm8', 'm9', 'm10', 'm11', 'm12', 'm13', 'm14', 'm15']);
      assert.deepEqual(service.counters, { delivered: 5, failed: 0, summarized: 11, summaries: 1 });
      // The minute's budget is spent: the next one waits (durably) for the window.
      flow.receive('p', { payload: notification({ key: 'late' }) });
      await flow.waitUntil(() => flow.statuses('nt').at(-1)?.text === '1 held (storm limit 5/min)');
      assert.equal(seen.length, 5);
    } finally {
      await flow.stop();
    }
  });

  test('a channel that is down is retried with back-off, in order, warning once per reason', async () => {
    const attempts: string[] = [];
    let failures = 2;
    channel = {
      deliver: async (d) => {
        attempts.push(keyOf(d));
        if (failures-- > 0) throw new Error('connection refused');
      },
    };
    const flow = await start({}, mkdtempSync(join(dataDir, 'retry-')));
    try {
      flow.receive('p', { payload: notification({ key: 'a' }) });
      flow.receive('p', { payload: notification({ key: 'b' }) });
      await eventually(() => attempts.length === 4, 'two failures and two deliveries');
      assert.deepEqual(attempts, ['a', 'a', 'a', 'b']);
      await eventually(() => notifierService(flow, 'nt').counters.delivered === 2, 'both delivered');
      assert.equal(notifierService(flow, 'nt').counters.failed, 2);
      const warnings = flow.warnings.filter((w) => w.nodeId === 'nt');
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!.message, /notify-test nt: delivery failed \(\d+ queued, retrying with back-off.*\): connection refused/);
      assert.ok(flow.statuses('nt').some((s) => s.fill === 'red' && /queued, retry in \d+ s: connection refused/.test(s.text ?? '')));
    } finally {
      await flow.stop();
    }
  });

  test('nothing is lost across a restart: pending notifications are delivered by the next start, same delivery ids', async () => {
    const dir = mkdtempSync(join(dataDir, 'restart-'));
    const failedIds: string[] = [];
    channel = {
      deliver: async (d) => {
        failedIds.push(d.deliveryId);
        throw new Error('mail server down');
      },
    };
    let flow = await start({ retryInitialSeconds: '60', retryMaxSeconds: '60' }, dir);
    const sent: AlertNotification[] = ['r1', 'r2', 'r3'].map((key) => notification({ key }));
    try {
      for (const n of sent) flow.receive('p', { payload: n });
      await eventually(() => failedIds.length === 1 && notifierService(flow, 'nt').queued === 3, 'a failed attempt and three queued');
    } finally {
      await flow.stop();
    }
    const seen: Delivery[] = [];
    channel = { deliver: async (d) => void seen.push(d) };
    flow = await start({}, dir);
    try {
      await eventually(() => seen.length === 3, 'the three pending notifications after the restart');
      assert.deepEqual(seen.map(keyOf), ['r1', 'r2', 'r3']);
      assert.equal(seen[0]!.deliveryId, failedIds[0]);
      assert.deepEqual((seen[2] as Extract<Delivery, { kind: 'alert' }>).notification, sent[2]);
    } finally {
      await flow.stop();
    }
  });

  test('bad storm and retry settings fail the deploy naming the property', async () => {
    await assert.rejects(start({ maxPerMinute: '0' }), /property "maxPerMinute" must be a whole number greater than 0, not "0"/);
    await assert.rejects(start({ retryInitialSeconds: 'soon' }), /property "retryInitialSeconds" must be a number greater than 0/);
  });
});
