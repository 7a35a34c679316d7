import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import type { FlowDocument } from '@loopedge/flows';
import { TestAdmin } from '../test-support/test-admin.js';
import type { ApiClient } from '../test-support/api-client.js';

const flows: FlowDocument = [
  { id: 'tab1', type: 'tab', label: 'Line 3' },
  { id: 'remember', type: 'change', z: 'tab1', rules: [{ t: 'set', p: 'lastValue', pt: 'flow', to: 'payload', tot: 'msg' }], wires: [['show']] },
  { id: 'show', type: 'debug', z: 'tab1', active: true, tosidebar: true, console: false, complete: 'payload', targetType: 'msg', wires: [] },
];

interface ErrorBody {
  error: { code: string; message: string; problems?: Array<{ path: string; nodeId?: string; field?: string; message: string }> };
}

describe('admin API routes', () => {
  let admin: TestAdmin;
  let editor: ApiClient;
  let adminClient: ApiClient;

  before(async () => {
    admin = await TestAdmin.start({ flows });
    editor = await admin.signedIn('editor');
    adminClient = await admin.signedInFresh('admin');
  });
  after(() => admin.stop());

  test('flows: GET with rev; deploy saves the file; a stale rev is 409; invalid flows are 400 per node; nothing changes on failure', async () => {
    const current = await editor.get<{ rev: string; flows: FlowDocument }>('/api/flows');
    assert.equal(current.status, 200);
    assert.deepEqual(current.body.flows.map((n) => n.id), ['tab1', 'remember', 'show']);
    const next = [...flows, { id: 'extra', type: 'debug', z: 'tab1', wires: [] }];
    const deployed = await editor.post<{ rev: string; started: number }>('/api/flows', { flows: next, rev: current.body.rev, type: 'nodes' });
    assert.equal(deployed.status, 200, deployed.text);
    assert.notEqual(deployed.body.rev, current.body.rev);
    assert.equal(deployed.body.started, 1, 'a changed-nodes deploy starts only the new node');
    const saved = JSON.parse(readFileSync(admin.server.flowSource.path, 'utf8')) as FlowDocument;
    assert.ok(saved.some((n) => n.id === 'extra'), 'the flow file holds the deployed flows');

    const stale = await editor.post<ErrorBody>('/api/flows', { flows, rev: current.body.rev });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.error.code, 'stale-revision');

    for (const [node, field] of [
      [{ id: 'bad', type: 'change', z: 'tab1', rules: 'not rules', wires: [] }, 'rules'],
      [{ id: 'ghost', type: 'no-such-type', z: 'tab1', wires: [] }, 'type'],
    ] as const) {
      const invalid = await editor.post<ErrorBody>('/api/flows', { flows: [...flows, node], rev: deployed.body.rev });
      assert.equal(invalid.status, 400);
      assert.equal(invalid.body.error.code, 'flows-invalid');
      const problems = invalid.body.error.problems!;
      assert.ok(problems.some((p) => p.nodeId === node.id && p.field === field && p.path === 'body/flows/3'), JSON.stringify(problems));
    }
    assert.equal((await editor.get<{ rev: string }>('/api/flows')).body.rev, deployed.body.rev, 'still the last good deploy');

    const audit = admin.security.audit.list({ action: 'flows.deploy' });
    assert.ok(audit.some((e) => e.outcome === 'success' && e.actor?.startsWith('editor')), 'deploys are audited with who did them');
    assert.ok(audit.some((e) => e.outcome === 'failure'));
  });

  test('node types: the palette with schemas and ports; one type with its help text', async () => {
    const palette = await editor.get<{ nodeTypes: Array<{ type: string; schema: { properties: Record<string, unknown> }; outputs: number; dynamicOutputs: boolean }> }>('/api/nodes');
    assert.equal(palette.status, 200);
    const change = palette.body.nodeTypes.find((t) => t.type === 'change')!;
    assert.ok('rules' in change.schema.properties);
    assert.equal(change.outputs, 1);
    const sw = palette.body.nodeTypes.find((t) => t.type === 'switch')!;
    assert.equal(sw.dynamicOutputs, true);
    const one = await editor.get<{ type: string; help: string }>(`/api/nodes/${encodeURIComponent('change')}`);
    assert.equal(one.status, 200);
    assert.match(one.body.help, /change/i);
    assert.equal((await editor.get('/api/nodes/no-such-type')).status, 404);
  });

  test('context inspection: flow and global values, unusual values summarised', async () => {
    admin.server.runtime.receive('remember', { payload: 7 });
    const viewerOfContext = editor;
    let flowContext: { stores: Record<string, Record<string, unknown>> } | undefined;
    for (let i = 0; i < 50 && flowContext?.stores.default?.lastValue === undefined; i++) {
      flowContext = (await viewerOfContext.get<{ stores: Record<string, Record<string, unknown>> }>('/api/context/flow/tab1')).body;
    }
    assert.equal(flowContext!.stores.default!.lastValue, 7);
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    admin.server.runtime.context.global.set('raw', Buffer.from('abc'));
    admin.server.runtime.context.global.set('cyclic', cyclic);
    const global = await viewerOfContext.get<{ stores: { default: Record<string, unknown> } }>('/api/context/global');
    assert.deepEqual(global.body.stores.default.raw, { type: 'Buffer', length: 3, hex: '616263' });
    assert.deepEqual(global.body.stores.default.cyclic, { name: 'loop', self: '[Circular]' });
    assert.equal((await viewerOfContext.get('/api/context/node/remember')).status, 200);
    assert.equal((await viewerOfContext.get('/api/context/node/nobody')).status, 404);
  });

  test('node credentials are write-only: the API says which fields are set, never their values', async () => {
    const secret = 'broker-pa55word-never-shown';
    const put = await editor.request<{ fieldsSet: string[] }>('PUT', '/api/credentials/remember', { values: { password: secret, user: 'plc' } });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.body.fieldsSet.sort(), ['password', 'user']);
    const get = await editor.get<{ fieldsSet: string[] }>('/api/credentials/remember');
    assert.deepEqual(get.body.fieldsSet.sort(), ['password', 'user']);
    for (const text of [get.text, (await editor.get('/api/flows')).text, (await adminClient.get('/api/audit/export')).text]) assert.ok(!text.includes(secret));
    assert.ok(!readFileSync(join(admin.dataDir, 'security.sqlite')).includes(secret), 'encrypted at rest');
    const cleared = await editor.request<{ fieldsSet: string[] }>('PUT', '/api/credentials/remember', { values: { user: '' } });
    assert.deepEqual(cleared.body.fieldsSet, ['password']);
  });

  test('settings: require two-factor for everyone (admin only), audited', async () => {
    assert.deepEqual((await editor.get('/api/settings')).body, { requireTwoFactor: false });
    assert.equal((await editor.request('PUT', '/api/settings/security', { requireTwoFactor: true })).status, 403);
    const changed = await adminClient.request('PUT', '/api/settings/security', { requireTwoFactor: true });
    assert.deepEqual(changed.body, { requireTwoFactor: true });
    assert.equal(admin.security.twoFactor.requireForEveryone, true);
    await adminClient.request('PUT', '/api/settings/security', { requireTwoFactor: false });
    assert.ok(admin.security.audit.list({ action: 'settings.security' }).length >= 2);
  });

  test('audit: list with filters, export as JSON lines, verify the chain', async () => {
    const list = await adminClient.get<{ entries: Array<{ action: string; seq: number }> }>('/api/audit?limit=5&action=flows.deploy');
    assert.equal(list.status, 200);
    assert.ok(list.body.entries.length > 0 && list.body.entries.every((e) => e.action === 'flows.deploy'));
    assert.equal((await adminClient.get('/api/audit?limit=5000')).status, 400, 'limit is bounded');
    const exported = await adminClient.get('/api/audit/export');
    assert.equal(exported.status, 200);
    const lines = exported.text.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; prevHash: string; hash: string });
    assert.ok(lines.length > 3);
    for (let i = 1; i < lines.length; i++) assert.equal(lines[i]!.prevHash, lines[i - 1]!.hash, 'chained, oldest first');
    assert.deepEqual((await adminClient.get('/api/audit/verify')).body, { ok: true });
  });

  test('/metrics: process figures and per-node counters labelled by flow and node; a token with metrics:read works', async () => {
    admin.server.runtime.receive('remember', { payload: 1 });
    const created = await editor.post<{ token: string }>('/api/tokens', { name: 'prometheus', permissions: ['metrics:read'] });
    const scraper = admin.client();
    scraper.bearer = created.body.token;
    let text = '';
    for (let i = 0; i < 50 && !/loopedge_node_messages_in_total\{flow="tab1",node="show",type="debug"\} [1-9]/.test(text); i++) {
      const response = await scraper.get('/metrics');
      assert.equal(response.status, 200);
      text = response.text;
    }
    assert.match(text, /loopedge_node_messages_in_total\{flow="tab1",node="remember",type="change"\} [1-9]/);
    assert.match(text, /loopedge_node_messages_out_total\{flow="tab1",node="remember",type="change"\} [1-9]/);
    assert.match(text, /loopedge_node_processing_seconds_bucket\{flow="tab1",node="remember",type="change",le="\+Inf"\} [1-9]/);
    assert.match(text, /loopedge_node_processing_seconds_count\{flow="tab1",node="remember",type="change"\} [1-9]/);
    assert.match(text, /loopedge_node_queue_depth\{flow="tab1",node="show",type="debug"\} 0/);
    assert.match(text, /loopedge_process_resident_memory_bytes \d+/);
    assert.equal((await scraper.get('/api/flows')).status, 403, 'the scrape token does nothing else');
  });

  test('OpenAPI document lists every route with its permission and schemas', async () => {
    const doc = await admin.client().get<{ openapi: string; paths: Record<string, Record<string, { 'x-permission': string; requestBody?: unknown }>> }>('/api/openapi.json');
    assert.equal(doc.status, 200);
    assert.match(doc.body.openapi, /^3\./);
    for (const route of admin.server.admin!.server.routes) {
      const operation = doc.body.paths[route.path.replace(/:([A-Za-z]+)/g, '{$1}')]?.[route.method.toLowerCase()];
      assert.ok(operation, `${route.method} ${route.path} is documented`);
      assert.equal(operation['x-permission'], route.permission);
      assert.equal(operation.requestBody !== undefined, route.body !== undefined);
    }
  });

  test('security headers: strict CSP without inline script, no framing, nosniff, HSTS', async () => {
    for (const path of ['/api/health', '/setup', '/no-such-page']) {
      const response = await admin.client().get(path);
      const csp = String(response.headers['content-security-policy']);
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'));
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.match(String(response.headers['strict-transport-security']), /max-age=\d{7,}/);
      assert.equal(response.headers['x-powered-by'], undefined);
    }
    const page = await admin.client().get('/setup');
    // The editor's index.html when the bundle is built, the interim setup page otherwise: never an inline script.
    assert.ok(!/<script>/.test(page.text) && /<script (type="module" crossorigin )?src="\/(setup\.js|assets\/[^"]+\.js)">/.test(page.text), 'the page has no inline script');
    const missing = await admin.client().get<ErrorBody>('/api/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'not-found');
  });
});

describe('plain HTTP redirect port', () => {
  test('answers every request with a redirect to HTTPS and serves nothing', async () => {
    const admin = await TestAdmin.start({ httpRedirectPort: 0 });
    try {
      const port = admin.server.admin!.server.redirectPort!;
      const response = await new Promise<{ status: number; location: string | undefined; body: string }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/api/flows?x=1', headers: { Host: 'edge-01.local:8080' } }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(response.status, 308);
      assert.equal(response.location, `https://edge-01.local:${admin.port}/api/flows?x=1`);
      assert.equal(response.body, '');
    } finally {
      await admin.stop();
    }
  });
});
