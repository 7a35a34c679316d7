import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveFlowSource } from './flow-source.js';
import { ensureDataDir, resolveDataDir } from './data-dir.js';
import { demoFlow } from '../demo/demo-flow.js';
import { StartupError } from './startup-error.js';

describe('data folder', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'loopedge-data-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('--data wins over LOOPEDGE_DATA, which wins over ~/.loopedge', () => {
    assert.equal(resolveDataDir('/from/args', { LOOPEDGE_DATA: '/from/env' }), '/from/args');
    assert.equal(resolveDataDir(undefined, { LOOPEDGE_DATA: '/from/env' }), '/from/env');
    assert.match(resolveDataDir(undefined, {}), /\.loopedge$/);
  });

  test('is created owner-only (0700), nested folders included', () => {
    const dir = join(root, 'a', 'b');
    assert.deepEqual(ensureDataDir(dir), { created: true });
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.deepEqual(ensureDataDir(dir), { created: false });
  });

  test('a file where the folder should be is refused', () => {
    const file = join(root, 'not-a-folder');
    writeFileSync(file, '');
    assert.throws(() => ensureDataDir(file), /is not a folder/);
  });
});

describe('resolveFlowSource', () => {
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'loopedge-flows-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('first start writes the demo flow to DATA/flows.json, later starts use it', () => {
    const first = resolveFlowSource(undefined, dataDir);
    assert.deepEqual(first, { path: join(dataDir, 'flows.json'), origin: 'demo' });
    assert.deepEqual(JSON.parse(readFileSync(first.path, 'utf8')), demoFlow);
    assert.equal(statSync(first.path).mode & 0o777, 0o600);
    writeFileSync(first.path, '[]');
    assert.deepEqual(resolveFlowSource(undefined, dataDir), { path: first.path, origin: 'data-dir' });
    assert.equal(readFileSync(first.path, 'utf8'), '[]', 'an existing flows.json is never overwritten');
  });

  test('--flows must exist (exit code 2)', () => {
    assert.throws(() => resolveFlowSource(join(dataDir, 'missing.json'), dataDir), (error: unknown) => {
      assert.ok(error instanceof StartupError);
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /missing\.json \(from --flows\) does not exist/);
      return true;
    });
  });
});
