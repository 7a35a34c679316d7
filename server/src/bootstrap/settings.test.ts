import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadServerSettings, normalizeContextStorage } from './settings.js';
import { StartupError } from './startup-error.js';

describe('loadServerSettings', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'loopedge-settings-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('without settings.json: memory by default plus a persistent "file" store in DATA/context.sqlite', () => {
    const settings = loadServerSettings(dir);
    assert.deepEqual(settings.contextStorage, {
      defaultStore: 'default',
      stores: [
        { name: 'default', kind: 'memory' },
        { name: 'file', kind: 'sqlite', path: join(dir, 'context.sqlite') },
      ],
    });
    assert.deepEqual(settings.runtimeSettings, {});
  });

  test('other keys become runtime settings', () => {
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ debugMaxLength: 500, contextStorage: { default: 'sqlite' } }));
    const settings = loadServerSettings(dir);
    assert.deepEqual(settings.runtimeSettings, { debugMaxLength: 500 });
    assert.deepEqual(settings.contextStorage.stores, [{ name: 'default', kind: 'sqlite', path: join(dir, 'context.sqlite') }]);
  });

  test('bad JSON names the file, line and column', () => {
    writeFileSync(join(dir, 'settings.json'), '{\n  "contextStorage": {,}\n}');
    assert.throws(() => loadServerSettings(dir), (error: unknown) => {
      assert.ok(error instanceof StartupError);
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /settings\.json:2:22: /);
      return true;
    });
  });

  test('a settings file that is not an object is refused', () => {
    writeFileSync(join(dir, 'settings.json'), '[]');
    assert.throws(() => loadServerSettings(dir), /must hold a JSON object/);
  });
});

describe('normalizeContextStorage (Node-RED settings.js shapes)', () => {
  const data = '/data';

  test('module objects, localfilesystem read as sqlite, a path relative to the data folder', () => {
    const result = normalizeContextStorage(
      { default: { module: 'memory' }, file: { module: 'localfilesystem' }, archive: { module: 'sqlite', config: { path: 'archive.db' } } },
      data,
      'test',
    );
    assert.deepEqual(result, {
      defaultStore: 'default',
      stores: [
        { name: 'default', kind: 'memory' },
        { name: 'file', kind: 'sqlite', path: '/data/context.sqlite' },
        { name: 'archive', kind: 'sqlite', path: '/data/archive.db' },
      ],
    });
  });

  test('"default" naming another store makes that store the default', () => {
    const result = normalizeContextStorage({ default: 'file', memory: 'memory', file: 'sqlite' }, data, 'test');
    assert.equal(result.defaultStore, 'file');
    assert.deepEqual(result.stores.map((s) => s.name), ['memory', 'file']);
  });

  test('without "default" the first store is the default, as in Node-RED', () => {
    assert.equal(normalizeContextStorage({ file: 'sqlite', memory: 'memory' }, data, 'test').defaultStore, 'file');
  });

  test('each sqlite store gets its own file', () => {
    const result = normalizeContextStorage({ a: 'sqlite', b: 'sqlite' }, data, 'test');
    assert.deepEqual(result.stores.map((s) => s.path), ['/data/context.sqlite', '/data/context-b.sqlite']);
  });

  test('mistakes are refused with the store named', () => {
    assert.throws(() => normalizeContextStorage({ file: 'redis' }, data, 'test'), /store "file" has module "redis"; use "memory" or "sqlite"/);
    assert.throws(() => normalizeContextStorage({ default: 'nowhere' }, data, 'test'), /store "default" has module "nowhere"/);
    assert.throws(() => normalizeContextStorage({}, data, 'test'), /names no store/);
    assert.throws(() => normalizeContextStorage('memory', data, 'test'), /must be an object/);
    assert.throws(() => normalizeContextStorage({ 'a b': 'memory' }, data, 'test'), /store name "a b"/);
  });
});
