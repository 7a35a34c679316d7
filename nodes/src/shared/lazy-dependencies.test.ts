import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Protocol and notifier libraries load when a node that needs them starts, not
// when the node set is imported: a LoopEdge whose flows use none of them must
// not carry them in memory. A static import added back shows up here.
const LAZY_PACKAGES = ['mqtt', 'modbus-serial', 'serialport', 'nodemailer', 'json-rules-engine', 'jsonpath-plus', 'jsonata', 'fast-xml-parser', 'node-opcua-client', 'aedes'];

test('importing the node set loads no protocol or notifier library', async () => {
  const entry = fileURLToPath(new URL('../index.js', import.meta.url));
  // A fresh process, so that nothing this test runner loaded counts. Every
  // module file, ES module or CommonJS, is listed by the resolve hook.
  const script = `
    import { register } from 'node:module';
    import { MessageChannel } from 'node:worker_threads';
    const { port1, port2 } = new MessageChannel();
    const loaded = new Set();
    port1.on('message', (url) => loaded.add(url));
    port1.unref();
    const hooks = 'data:text/javascript,' + encodeURIComponent(
      'let port; export function initialize(data) { port = data.port; }' +
      'export async function resolve(spec, ctx, next) { const r = await next(spec, ctx); port.postMessage(r.url); return r; }');
    register(hooks, { data: { port: port2 }, transferList: [port2] });
    const { createRequire } = await import('node:module');
    await import(${JSON.stringify(entry)});
    await new Promise((resolve) => setTimeout(resolve, 200));
    const cjs = Object.keys(createRequire(import.meta.url).cache);
    const names = new Set();
    for (const url of [...loaded, ...cjs]) {
      const match = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(decodeURIComponent(url));
      if (match) names.add(match[1]);
    }
    process.stdout.write(JSON.stringify([...names]));
  `;
  const output = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 60_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)));
  });
  const loaded = new Set(JSON.parse(output) as string[]);
  assert.ok(loaded.has('@sinclair/typebox'), `the check sees packages at all (loaded: ${[...loaded].join(', ')})`);
  const eager = LAZY_PACKAGES.filter((name) => loaded.has(name));
  assert.deepEqual(eager, [], `loaded at import although no node started: ${eager.join(', ')}`);
});
