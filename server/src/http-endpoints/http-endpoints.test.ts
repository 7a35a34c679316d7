import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowDocument } from '@loopedge/flows';
import { silentLogger } from '@loopedge/runtime';
import { startServer, type RunningServer } from '../bootstrap/start-server.js';
import { strongPassword } from '../test-support/test-admin.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  bytes: Buffer;
}

/** A real server with settings.json and flows; stopped and removed by `stop`. */
async function startWith(settings: Record<string, unknown>, flows: FlowDocument): Promise<{ server: RunningServer; call: (method: string, path: string, options?: { headers?: Record<string, string>; body?: string | Buffer }) => Promise<Reply>; stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'loopedge-endpoints-'));
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify(settings));
  writeFileSync(join(dataDir, 'flows.json'), JSON.stringify(flows));
  const server = await startServer({ flows: join(dataDir, 'flows.json'), data: dataDir, port: 0, host: '127.0.0.1', env: {}, logger: silentLogger, bcryptCost: 10, announce: () => undefined });
  const ca = server.admin!.security.certificates.caCertificatePem();
  const port = server.admin!.server.port;
  const call = (method: string, path: string, options: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method, ca, headers: { ...(options.body !== undefined ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}), ...options.headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString(), bytes: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end(options.body);
    });
  return {
    server,
    call,
    async stop() {
      try {
        await server.stop();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

const FLOWS = [
  { id: 't1', type: 'tab', label: 'API' },
  // GET /sensor/:id → answers { id, unit } as JSON
  { id: 'get', type: 'http in', z: 't1', url: '/sensor/:id', method: 'get', wires: [['pick']] },
  { id: 'pick', type: 'change', z: 't1', rules: [{ t: 'set', p: 'payload.id', pt: 'msg', to: 'req.params.id', tot: 'msg' }], wires: [['reply']] },
  // POST /echo → answers the parsed body with 201
  { id: 'post', type: 'http in', z: 't1', url: '/echo', method: 'post', wires: [['reply201']] },
  { id: 'reply201', type: 'http response', z: 't1', statusCode: '201', wires: [] },
  // GET /never → nobody answers
  { id: 'never', type: 'http in', z: 't1', url: '/never', method: 'get', wires: [[]] },
  { id: 'reply', type: 'http response', z: 't1', wires: [] },
] as FlowDocument;

describe('http in endpoints on the admin HTTPS server', () => {
  let app: Awaited<ReturnType<typeof startWith>>;
  let token: string;
  let noPermissionToken: string;
  before(async () => {
    app = await startWith({ httpNodeTimeoutMs: 300, httpNodeMaxBodyBytes: 1024 }, FLOWS);
    const security = app.server.admin!.security;
    const viewer = await security.users.create({ username: 'plant-viewer', password: strongPassword('plant-viewer'), role: 'viewer' });
    token = security.apiTokens.create(viewer.id, { name: 'endpoints', permissions: ['flows:read'] }).token;
    const operator = await security.users.create({ username: 'plant-operator', password: strongPassword('plant-operator'), role: 'operator' });
    noPermissionToken = security.apiTokens.create(operator.id, { name: 'metrics only', permissions: ['metrics:read'] }).token;
  });
  after(() => app.stop());
  const auth = (t = token): Record<string, string> => ({ authorization: `Bearer ${t}` });

  test('GET with a path parameter and query, authorized by an API token', async () => {
    const reply = await app.call('GET', '/endpoints/sensor/42?unit=C', { headers: auth() });
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(JSON.parse(reply.text), { unit: 'C', id: '42' });
    assert.match(String(reply.headers['content-type']), /application\/json/);
  });

  test('no credentials → 401, a token without flows:read → 403; nothing reaches the flow', async () => {
    const anonymous = await app.call('GET', '/endpoints/sensor/1');
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.text, /API token/);
    const narrow = await app.call('GET', '/endpoints/sensor/1', { headers: auth(noPermissionToken) });
    assert.equal(narrow.status, 403);
    assert.match(narrow.text, /flows:read/);
  });

  test('POST JSON body → 201 with the body; urlencoded becomes an object', async () => {
    const json = await app.call('POST', '/endpoints/echo', { headers: { ...auth(), 'content-type': 'application/json' }, body: '{"t":21.5}' });
    assert.equal(json.status, 201, json.text);
    assert.deepEqual(JSON.parse(json.text), { t: 21.5 });
    const form = await app.call('POST', '/endpoints/echo', { headers: { ...auth(), 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&a=2&b=x' });
    assert.deepEqual(JSON.parse(form.text), { a: ['1', '2'], b: 'x' });
  });

  test('a body over httpNodeMaxBodyBytes → 413, bad JSON → 400', async () => {
    const big = await app.call('POST', '/endpoints/echo', { headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify({ data: 'x'.repeat(2000) }) });
    assert.equal(big.status, 413);
    assert.match(big.text, /larger than 1024 bytes/);
    const bad = await app.call('POST', '/endpoints/echo', { headers: { ...auth(), 'content-type': 'application/json' }, body: '{oops' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /not valid JSON/);
  });

  test('a flow that never answers → 504 naming the node', async () => {
    const reply = await app.call('GET', '/endpoints/never', { headers: auth() });
    assert.equal(reply.status, 504);
    assert.match(reply.text, /http in node never did not answer within 300 ms/);
  });

  test('unknown endpoint → 404, known path with another method → 405; the admin API is untouched', async () => {
    assert.equal((await app.call('GET', '/endpoints/nothing-here', { headers: auth() })).status, 404);
    assert.equal((await app.call('DELETE', '/endpoints/echo', { headers: auth() })).status, 405);
    assert.equal((await app.call('GET', '/api/openapi.json')).status, 200);
  });

  test('a deploy that adds a duplicate endpoint fails naming both nodes; the running endpoint keeps serving', async () => {
    const doubled = [...FLOWS, { id: 'dup', type: 'http in', z: 't1', url: '/echo', method: 'post', wires: [[]] }] as FlowDocument;
    const result = await app.server.runtime.deploy(doubled, { type: 'full' });
    assert.equal(result.ok, false);
    assert.match(result.error ?? '', /POST \/echo is already served by node (post|dup)/);
    const still = await app.call('POST', '/endpoints/echo', { headers: { ...auth(), 'content-type': 'text/plain' }, body: 'still here' });
    assert.equal(still.text, 'still here');
  });
});

describe('http in file uploads (multipart/form-data, Node-RED\'s "accept file uploads")', () => {
  const UPLOAD_FLOWS = [
    { id: 't1', type: 'tab', label: 'Uploads' },
    // POST /upload → fields and what the files are, as JSON
    { id: 'up', type: 'http in', z: 't1', url: '/upload', method: 'post', upload: true, wires: [['describe']] },
    {
      id: 'describe', type: 'change', z: 't1', wires: [['reply']],
      rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '{ "fields": payload, "files": [req.files.{ "field": fieldname, "name": originalname, "type": mimetype, "size": size }] }', tot: 'jsonata' }],
    },
    // POST /upload-bytes → the first file's bytes, as received
    { id: 'bytes', type: 'http in', z: 't1', url: '/upload-bytes', method: 'post', upload: true, wires: [['first']] },
    { id: 'first', type: 'change', z: 't1', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'req.files[0].buffer', tot: 'msg' }], wires: [['reply']] },
    // POST /plain → the body as it arrived (no uploads accepted: a form stays bytes)
    { id: 'plain', type: 'http in', z: 't1', url: '/plain', method: 'post', wires: [['reply']] },
    { id: 'reply', type: 'http response', z: 't1', wires: [] },
  ] as FlowDocument;
  const BOUNDARY = 'loopedge-test-boundary';
  const form = (parts: Array<{ name: string; value: Buffer | string; filename?: string; type?: string }>): Buffer =>
    Buffer.concat([
      ...parts.map((part) =>
        Buffer.concat([
          Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}\r\n${part.type ? `Content-Type: ${part.type}\r\n` : ''}\r\n`),
          Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value),
          Buffer.from('\r\n'),
        ]),
      ),
      Buffer.from(`--${BOUNDARY}--\r\n`),
    ]);
  const multipart = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };
  const everyByte = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
  let app: Awaited<ReturnType<typeof startWith>>;
  before(async () => {
    app = await startWith({ httpNodeAuth: 'none', httpNodeMaxBodyBytes: 64 * 1024 }, UPLOAD_FLOWS);
  });
  after(() => app.stop());

  test('fields become msg.payload and msg.req.body (repeated names as arrays), files msg.req.files with name, type, size and exact bytes', async () => {
    const body = form([
      { name: 'line', value: 'L2' },
      { name: 'tag', value: 'a' },
      { name: 'tag', value: 'b' },
      { name: 'recipe', value: everyByte, filename: 'recipe.bin', type: 'application/octet-stream' },
      { name: 'notes', value: 'déjà vu', filename: 'notes.txt', type: 'text/plain' },
    ]);
    const described = await app.call('POST', '/endpoints/upload', { headers: multipart, body });
    assert.equal(described.status, 200, described.text);
    assert.deepEqual(JSON.parse(described.text), {
      fields: { line: 'L2', tag: ['a', 'b'] },
      files: [
        { field: 'recipe', name: 'recipe.bin', type: 'application/octet-stream', size: 512 },
        { field: 'notes', name: 'notes.txt', type: 'text/plain', size: Buffer.byteLength('déjà vu') },
      ],
    });
    const bytes = await app.call('POST', '/endpoints/upload-bytes', { headers: multipart, body });
    assert.equal(bytes.status, 200, bytes.text);
    assert.ok(bytes.bytes.equals(everyByte), 'the file arrived changed');
  });

  test('a malformed form → 400 naming the problem; too many files → 400; the endpoint keeps serving', async () => {
    const truncated = form([{ name: 'recipe', value: everyByte, filename: 'recipe.bin' }]).subarray(0, 200);
    const bad = await app.call('POST', '/endpoints/upload', { headers: multipart, body: truncated });
    assert.equal(bad.status, 400, bad.text);
    assert.match(bad.text, /multipart\/form-data body cannot be read: .+well-formed form/);
    const noBoundary = await app.call('POST', '/endpoints/upload', { headers: { 'content-type': 'multipart/form-data' }, body: 'x' });
    assert.equal(noBoundary.status, 400, noBoundary.text);
    const many = form(Array.from({ length: 101 }, (_, i) => ({ name: `f${i}`, value: 'x', filename: `${i}.txt` })));
    const tooMany = await app.call('POST', '/endpoints/upload', { headers: multipart, body: many });
    assert.equal(tooMany.status, 400, tooMany.text);
    assert.match(tooMany.text, /more than 100 files/);
    const fine = await app.call('POST', '/endpoints/upload', { headers: multipart, body: form([{ name: 'line', value: 'L3' }]) });
    assert.deepEqual(JSON.parse(fine.text), { fields: { line: 'L3' }, files: [] });
  });

  test('an endpoint that does not accept uploads gets the form as bytes, as before', async () => {
    const body = form([{ name: 'line', value: 'L2' }]);
    const plain = await app.call('POST', '/endpoints/plain', { headers: multipart, body });
    assert.equal(plain.status, 200, plain.text);
    assert.ok(plain.bytes.equals(body));
  });
});

describe('http in endpoints with httpNodeAuth "none" and another root', () => {
  test('anonymous callers are served below the configured root', async () => {
    const app = await startWith({ httpNodeAuth: 'none', httpNodeRoot: '/flows-api' }, FLOWS);
    try {
      const reply = await app.call('GET', '/flows-api/sensor/7');
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(JSON.parse(reply.text), { id: '7' });
      // (the editor may answer other paths; the flow does not)
      assert.notEqual((await app.call('GET', '/endpoints/sensor/7')).text, reply.text);
    } finally {
      await app.stop();
    }
  });

  test('a bad setting stops the start with a message naming it', async () => {
    await assert.rejects(startWith({ httpNodeRoot: '/api' }, FLOWS), /"httpNodeRoot" may not be "\/api"/);
  });
});
