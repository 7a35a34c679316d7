#!/usr/bin/env node
// Runs every compiled test file (`*.test.js`) of the workspace packages with
// Node's built-in runner. Node 20's `--test` does not expand globs, so the
// files are found here and passed as a list.
//
//   node scripts/run-tests.mjs                 every package
//   node scripts/run-tests.mjs flows nodes     only these packages
//   node scripts/run-tests.mjs inject/         only files whose path contains "inject/"
//   node scripts/run-tests.mjs -- --test-name-pattern=deploy   extra flags for node --test
//   LOOPEDGE_TEST_FILTER="flows,nodes" node scripts/run-tests.mjs   same as positional filters
//
// The exit code is node's: non-zero when a test failed or no test file matched.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// bench/ is measured with `npm run bench`, never run as tests.
const PACKAGES = ['flows', 'runtime', 'nodes', 'security', 'editor', 'server', 'test'];
const CONCURRENCY = process.env.LOOPEDGE_TEST_CONCURRENCY ?? '2';
// One hung test must fail the run, not hang CI: a generous per-test limit.
const TEST_TIMEOUT_MS = process.env.LOOPEDGE_TEST_TIMEOUT_MS ?? '300000';

const { filters, nodeFlags } = splitArguments(process.argv.slice(2));
const files = PACKAGES.flatMap((pkg) => findTestFiles(join(root, pkg, 'dist')))
  .map((file) => relative(root, file).split(sep).join('/'))
  .filter((file) => matches(file, filters))
  .sort();

if (files.length === 0) {
  const what = filters.length > 0 ? ` matching ${filters.join(', ')}` : '';
  console.error(`run-tests: no compiled test files${what} under ${PACKAGES.map((p) => `${p}/dist`).join(', ')}. Build first: npx tsc -b`);
  process.exit(1);
}
console.error(`run-tests: ${files.length} test file(s), concurrency ${CONCURRENCY}`);

const child = spawn(
  process.execPath,
  ['--test', `--test-concurrency=${CONCURRENCY}`, `--test-timeout=${TEST_TIMEOUT_MS}`, ...nodeFlags, ...files],
  { cwd: root, stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

function splitArguments(args) {
  const envFilters = (process.env.LOOPEDGE_TEST_FILTER ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const dashDash = args.indexOf('--');
  const before = dashDash === -1 ? args : args.slice(0, dashDash);
  const after = dashDash === -1 ? [] : args.slice(dashDash + 1);
  // Flags before `--` go to node too (`npm test -- --test-only` arrives without a second `--`).
  return {
    filters: [...envFilters, ...before.filter((a) => !a.startsWith('-'))],
    nodeFlags: [...before.filter((a) => a.startsWith('-')), ...after],
  };
}

function matches(file, filters) {
  if (filters.length === 0) return true;
  return filters.some((filter) => (PACKAGES.includes(filter) ? file.startsWith(`${filter}/dist/`) : file.includes(filter)));
}

function findTestFiles(dir) {
  if (!existsSync(dir)) return [];
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTestFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.test.js')) found.push(path);
  }
  return found;
}
