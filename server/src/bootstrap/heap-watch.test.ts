import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger, type Logger } from '@loopedge/runtime';
import { ALERTS_DATABASE_FILE, SqliteAlertService } from '../alerts/sqlite-alert-service.js';
import { HEAP_ALERT_KEY, HeapWatch } from './heap-watch.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'loopedge-heap-watch-'));
  dirs.push(dir);
  return dir;
}

const MB = 1024 * 1024;

test('live heap over 75% of the limit raises one system alert; under 60% clears it; in between nothing changes', () => {
  const alerts = new SqliteAlertService({ path: join(tempDir(), ALERTS_DATABASE_FILE) });
  const warnings: string[] = [];
  const logger: Logger = { ...silentLogger, warn: (_obj, msg) => void warnings.push(msg ?? '') };
  const watch = new HeapWatch(alerts, logger);
  try {
    watch.check({ usedBytes: 300 * MB, limitBytes: 512 * MB });
    assert.equal(alerts.openByKey(HEAP_ALERT_KEY), undefined, '59% raised an alert');

    watch.check({ usedBytes: 400 * MB, limitBytes: 512 * MB });
    const raised = alerts.openByKey(HEAP_ALERT_KEY);
    assert.equal(raised?.severity, 'major');
    assert.match(raised?.message ?? '', /400 MB are still in use, 78% of the heap limit of 512 MB\. .*LOOPEDGE_MAX_HEAP_MB/);
    assert.deepEqual(raised?.value, { usedMB: 400, limitMB: 512 });

    watch.check({ usedBytes: 450 * MB, limitBytes: 512 * MB });
    watch.check({ usedBytes: 340 * MB, limitBytes: 512 * MB });
    assert.equal(alerts.openByKey(HEAP_ALERT_KEY)?.id, raised?.id, 'the alert changed between the thresholds');
    assert.equal(warnings.length, 1, 'warned more than once for one alert');

    watch.check({ usedBytes: 200 * MB, limitBytes: 512 * MB });
    assert.equal(alerts.openByKey(HEAP_ALERT_KEY), undefined);
    assert.equal(alerts.get(raised!.id)?.state, 'cleared');

    watch.check({ usedBytes: 500 * MB, limitBytes: 512 * MB });
    assert.notEqual(alerts.openByKey(HEAP_ALERT_KEY)?.id, raised?.id, 'a new rise is a new alert');
  } finally {
    alerts.close();
  }
});

test('in a process with a small heap, data that stays live after a full collection raises the alert', async () => {
  const dir = tempDir();
  const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
  const script = join(dir, 'fill-heap.mjs');
  // Fills the heap with live data to ~85% of its limit, collects, and reports the open alert.
  writeFileSync(
    script,
    `import { getHeapStatistics } from 'node:v8';
import { watchHeap, HEAP_ALERT_KEY } from ${JSON.stringify(here('./heap-watch.js'))};
import { SqliteAlertService } from ${JSON.stringify(here('../alerts/sqlite-alert-service.js'))};
const silent = { error() {}, warn() {}, info() {}, debug() {}, trace() {}, child() { return silent; } };
const alerts = new SqliteAlertService({ path: ${JSON.stringify(join(dir, 'alerts.sqlite'))} });
const stop = watchHeap(alerts, silent);
const keep = [];
while (getHeapStatistics().used_heap_size < 0.85 * getHeapStatistics().heap_size_limit) keep.push(new Array(64 * 1024).fill(keep.length));
globalThis.gc();
await new Promise((resolve) => setTimeout(resolve, 200));
const open = alerts.openByKey(HEAP_ALERT_KEY);
stop();
alerts.close();
console.log(JSON.stringify({ kept: keep.length, open: open ? { severity: open.severity, value: open.value } : null }));
`,
  );
  const output = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--max-old-space-size=64', '--max-semi-space-size=1', '--expose-gc', script], { timeout: 60_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)));
  });
  const report = JSON.parse(output) as { kept: number; open: { severity: string; value: { usedMB: number; limitMB: number } } | null };
  assert.ok(report.open, `no alert after filling the heap: ${output}`);
  assert.equal(report.open.severity, 'major');
  assert.ok(report.open.value.usedMB >= 0.75 * report.open.value.limitMB, output);
});
