import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareVersions } from './version-order.js';
import { encodeEntryHeader, FileSetUnpacker, fileSetOfDirectory, unsafePathReason } from './file-set.js';
import { UpdateError } from './update-error.js';

describe('release versions', () => {
  test('order by major, minor, patch; a pre-release comes before its release', () => {
    const sorted = ['1.10.0', '1.2.0', '2.0.0-rc.2', '2.0.0', '2.0.0-rc.10', '1.2.0-beta', '0.9.9'].sort(compareVersions);
    assert.deepEqual(sorted, ['0.9.9', '1.2.0-beta', '1.2.0', '1.10.0', '2.0.0-rc.2', '2.0.0-rc.10', '2.0.0']);
    assert.equal(compareVersions('1.0.0+build.7', '1.0.0'), 0);
    assert.throws(() => compareVersions('1.0', '1.0.0'), /not a version/);
  });
});

describe('file sets', () => {
  test('paths that leave the module, absolute paths and odd segments are named as unsafe', () => {
    for (const path of ['../../etc/passwd', 'a/../../b', '/etc/passwd', 'C:/x', 'a\\..\\b', 'a//b', './a', 'a/./b', '', 'a\0b']) {
      assert.ok(unsafePathReason(path), path);
    }
    for (const path of ['start.mjs', 'lib/a.js', 'a..b/c', '.hidden']) assert.equal(unsafePathReason(path), undefined, path);
  });

  test('a folder packed as a file set unpacks to the same files, whatever the chunk boundaries', async () => {
    const work = mkdtempSync(join(tmpdir(), 'loopedge-fileset-'));
    try {
      const source = new URL('.', import.meta.url).pathname;
      const bytes: Buffer[] = [];
      for await (const chunk of fileSetOfDirectory(source)) bytes.push(chunk);
      const all = Buffer.concat(bytes);
      // Feed it in awkward pieces (1, 3, 7 ... bytes): headers and files split anywhere.
      const target = join(work, 'out');
      const unpacker = new FileSetUnpacker('m', target, all.length);
      for (let offset = 0, step = 1; offset < all.length; offset += step, step = (step * 3 + 1) % 4099 || 1) {
        await unpacker.write(all.subarray(offset, offset + step));
      }
      await unpacker.finish();
      assert.deepEqual(readFileSync(join(target, 'file-set.js')), readFileSync(join(source, 'file-set.js')));
      assert.ok(unpacker.entries > 5);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  test('a file set that unpacks to more than declared is stopped before the extra bytes land', async () => {
    const work = mkdtempSync(join(tmpdir(), 'loopedge-fileset-'));
    try {
      const unpacker = new FileSetUnpacker('m', join(work, 'out'), 10);
      await assert.rejects(unpacker.write(Buffer.concat([encodeEntryHeader({ path: 'big', type: 'file', mode: 0o644, size: 11 }), Buffer.alloc(11)])), (e: unknown) => e instanceof UpdateError && /more than the 10 bytes/.test(e.message));
      await unpacker.abort();
      assert.equal(existsSync(join(work, 'out', 'big')), false);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
