import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// @loopedge/flows is bundled for the browser editor as is: its shipped code may use
// nothing Node-only. Tests and test generators (testing/) are exempt.
const sourceRoot = fileURLToPath(new URL('../src/', import.meta.url));
const NODE_ONLY = [/from\s+['"]node:/, /from\s+['"](fs|path|crypto|os|buffer|util|stream|events)['"]/, /\brequire\(/, /\bBuffer\b/, /\bprocess\./, /\b__dirname\b/];

function shippedSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'testing' ? [] : shippedSources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

test('shipped sources use no Node-only modules or globals', () => {
  const files = shippedSources(sourceRoot);
  assert.ok(files.length > 10, `expected the package sources under ${sourceRoot}`);
  const offences = files.flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return NODE_ONLY.filter((pattern) => pattern.test(text)).map((pattern) => `${relative(sourceRoot, file)}: ${pattern.source}`);
  });
  assert.deepEqual(offences, []);
});

test('the package entry point does not expose the test generators', () => {
  const index = readFileSync(join(sourceRoot, 'index.ts'), 'utf8');
  assert.equal(/testing\//.test(index), false);
});
