import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { engineHeapFlags, engineHeapLimitMb } from './engine-heap.js';
import { StartupError } from './startup-error.js';

const GiB = 1024 ** 3;

test('the heap limit is 512 MB, or a quarter of the RAM on devices with less than 2 GB, never below 128 MB', () => {
  assert.equal(engineHeapLimitMb({}, 24 * GiB), 512);
  assert.equal(engineHeapLimitMb({}, 2 * GiB), 512);
  assert.equal(engineHeapLimitMb({}, 1 * GiB), 256);
  assert.equal(engineHeapLimitMb({}, 0.25 * GiB), 128);
  assert.deepEqual(engineHeapFlags({}, 8 * GiB), ['--max-old-space-size=512', '--max-semi-space-size=8']);
});

test('LOOPEDGE_MAX_HEAP_MB sets the limit, whatever the RAM; an empty value means the default', () => {
  assert.equal(engineHeapLimitMb({ LOOPEDGE_MAX_HEAP_MB: '4096' }, 1 * GiB), 4096);
  assert.equal(engineHeapLimitMb({ LOOPEDGE_MAX_HEAP_MB: ' 300 ' }, 24 * GiB), 300);
  assert.equal(engineHeapLimitMb({ LOOPEDGE_MAX_HEAP_MB: '' }, 24 * GiB), 512);
});

test('a LOOPEDGE_MAX_HEAP_MB that is not whole megabytes of at least 128 is a usage error that says what to do', () => {
  for (const bad of ['1.5GB', '-1', '64', '1e3', 'lots']) {
    assert.throws(
      () => engineHeapLimitMb({ LOOPEDGE_MAX_HEAP_MB: bad }, 24 * GiB),
      (error: unknown) => error instanceof StartupError && error.exitCode === 2 && error.message.includes(`got "${bad}"`) && /Unset it to use the default/.test(error.message),
      bad,
    );
  }
});

test('`npm start` starts the engine with the same flags as the supervisor on a device with 2 GB or more', () => {
  const rootPackage = JSON.parse(readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')) as { scripts: { start: string } };
  assert.ok(rootPackage.scripts.start.includes(`node ${engineHeapFlags({}, 8 * GiB).join(' ')} server/dist/cli/main.js start`), rootPackage.scripts.start);
});
