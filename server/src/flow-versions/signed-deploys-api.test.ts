import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, sign as edSign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { canonicalize, type FlowDocument } from '@loopedge/flows';
import { coreNodeTypes } from '@loopedge/nodes';
import { defineNode } from '@loopedge/runtime';
import { generateFlowSigningKeyPair, loadFlowSigningKey, signFlowSet, type FlowSigningKey } from '@loopedge/security';
import { TestAdmin } from '../test-support/test-admin.js';
import type { ApiClient } from '../test-support/api-client.js';

// Signed deploys through the real HTTPS API: policy, refusals (each with its
// reason, an audit entry and the running flows untouched), key requests,
// versions, diff and rollback. The signature matrix itself is tested in
// security/src/flow-signing; here a representative half plus replay and target.

const BASE: FlowDocument = [
  { id: 'tab1', type: 'tab', label: 'Line 3' },
  { id: 'scale', type: 'change', z: 'tab1', name: 'scale', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '1', tot: 'num' }], x: 120, y: 80, wires: [['show']] },
  { id: 'show', type: 'debug', z: 'tab1', name: 'show', x: 320, y: 80, wires: [] },
];

interface SigningState {
  required: boolean;
  deviceId: string;
  target: string;
  version: number;
  hash: string | null;
}
interface FlowsBody {
  rev: string;
  flows: FlowDocument;
  signing: SigningState;
}
interface ErrorBody {
  error: { code: string; message: string; details?: { reason?: string; kid?: string } };
}
interface Signer {
  key: FlowSigningKey;
  publicKeyPem: string;
}

async function newSigner(): Promise<Signer> {
  const pair = await generateFlowSigningKeyPair();
  return { key: await loadFlowSigningKey(pair.privateKeyPem), publicKeyPem: pair.publicKeyPem };
}

/** `flows` plus one node, so each deploy changes something. */
function withNode(flows: FlowDocument, id: string): FlowDocument {
  return [...flows, { id, type: 'debug', z: 'tab1', name: `debug ${id}`, x: 500, y: 80, wires: [] }];
}

const b64 = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

describe('signed deploys through the API', () => {
  let admin: TestAdmin;
  let adminClient: ApiClient;
  let editor: ApiClient;
  let pipeline: Signer;
  let offset = 0;

  before(async () => {
    admin = await TestAdmin.start({ flows: BASE, clock: () => Date.now() + offset });
    adminClient = await admin.signedInFresh('admin');
    // An API token: moving the clock past a key's expiry must not end the editor's session.
    const session = await admin.signedIn('editor');
    const token = await session.post<{ token: string }>('/api/tokens', { name: 'deploy', permissions: ['flows:read', 'flows:write'] });
    assert.equal(token.status, 201, token.text);
    editor = admin.client();
    editor.bearer = token.body.token;
    pipeline = await newSigner();
  });
  after(() => admin.stop());

  async function current(): Promise<FlowsBody> {
    const response = await editor.get<FlowsBody>('/api/flows');
    assert.equal(response.status, 200, response.text);
    return response.body;
  }

  async function sign(flows: FlowDocument, signer: Signer, meta: Partial<{ target: string; version: number; prev: string | null }> = {}): Promise<string> {
    const { signing } = await current();
    return signFlowSet(flows, { target: signing.target, version: signing.version + 1, prev: signing.hash, ...meta }, signer.key);
  }

  async function deploy(flows: FlowDocument, signature?: string): Promise<{ status: number; text: string; body: ErrorBody & { version?: number; hash?: string } }> {
    const { rev } = await current();
    return editor.post('/api/flows', { flows, rev, ...(signature !== undefined ? { signature } : {}) });
  }

  /** The refusal a user sees, its audit entry, and nothing changed. */
  async function expectRefused(flows: FlowDocument, signature: string | undefined, reason: string): Promise<void> {
    const before = await current();
    const response = await deploy(flows, signature);
    assert.equal(response.status, 422, `${reason}: ${response.text}`);
    assert.equal(response.body.error.code, 'flow-signature-invalid');
    assert.equal(response.body.error.details?.reason, reason, response.body.error.message);
    assert.match(response.body.error.message, /untouched/);
    const [entry] = admin.security.audit.list({ action: 'flows.deploy', limit: 1 });
    assert.equal(entry?.outcome, 'failure');
    assert.equal(entry?.details?.reason, reason);
    const after = await current();
    assert.equal(after.rev, before.rev, `${reason}: the running flows are untouched`);
    assert.deepEqual(after.signing, before.signing);
    assert.deepEqual(JSON.parse(readFileSync(join(admin.dataDir, 'flows.json'), 'utf8')), before.flows, `${reason}: the flow file is untouched`);
  }

  test('policy: off without keys, on once a flows key is trusted, an admin can turn it off and back to the default', async () => {
    const start = await current();
    assert.equal(start.signing.required, false);
    assert.equal(start.signing.version, 1, 'the flow file found at start is version 1');
    assert.match(start.signing.hash ?? '', /^[0-9a-f]{64}$/);
    assert.equal(start.signing.target, start.signing.deviceId);

    const unsigned = await deploy(withNode(BASE, 'u1'));
    assert.equal(unsigned.status, 200, unsigned.text);
    assert.equal(unsigned.body.version, 2);

    const added = await adminClient.post<{ id: string; state: string }>('/api/signing-keys', { name: 'ci pipeline', owner: 'build team', publicKeyPem: pipeline.publicKeyPem });
    assert.equal(added.status, 201, added.text);
    assert.equal(added.body.state, 'trusted');
    assert.equal(added.body.id, pipeline.key.kid);
    assert.equal((await current()).signing.required, true);
    await expectRefused(withNode(BASE, 'u2'), undefined, 'missing-signature');

    const off = await adminClient.request<{ requireSignedFlows: boolean }>('PUT', '/api/settings/flow-signing', { requireSignedFlows: false });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.body.requireSignedFlows, false);
    assert.equal((await deploy(withNode(BASE, 'u2'))).status, 200);
    const back = await adminClient.request<{ requireSignedFlows: boolean; setting: boolean | null }>('PUT', '/api/settings/flow-signing', { requireSignedFlows: null });
    assert.deepEqual([back.body.requireSignedFlows, back.body.setting], [true, null]);
    assert.equal((await editor.request('PUT', '/api/settings/flow-signing', { requireSignedFlows: false })).status, 403, 'only admins change the policy');
    assert.ok(admin.security.audit.list({ action: 'settings.flow-signing' }).length === 2);

    const signedFlows = withNode(BASE, 's1');
    const signed = await deploy(signedFlows, await sign(signedFlows, pipeline));
    assert.equal(signed.status, 200, signed.text);
    assert.equal(signed.body.version, 4);
  });

  test('bad signatures: each refused with its reason, audited, nothing touched', async () => {
    const next = withNode((await current()).flows, 'bad');
    const good = await sign(next, pipeline);
    const [header, , signature] = good.split('.');

    // One byte changed in the flows (a name), in the signature.
    const tampered = next.map((item) => (item.id === 'bad' ? { ...item, name: 'debug bax' } : item));
    await expectRefused(tampered, good, 'bad-signature');
    const flipped = signature!.slice(0, 10) + (signature![10] === 'A' ? 'B' : 'A') + signature!.slice(11);
    await expectRefused(next, `${header}..${flipped}`, 'bad-signature');
    // Truncated, not base64url.
    await expectRefused(next, good.slice(0, good.length - 20), 'malformed');
    await expectRefused(next, good.slice(0, Math.floor(header!.length / 2)), 'malformed');
    await expectRefused(next, `${header}..${signature!.slice(0, 20)}*${signature!.slice(21)}`, 'malformed');
    // An untrusted key, another device, a replay of the version running now.
    await expectRefused(next, await sign(next, await newSigner()), 'unknown-key');
    await expectRefused(next, await sign(next, pipeline, { target: 'another-device' }), 'wrong-target');
    await expectRefused(next, await sign(next, pipeline, { version: (await current()).signing.version }), 'replayed-version');
    // alg none; HS256 with the public key as the HMAC secret.
    const { signing } = await current();
    const claims = { kid: pipeline.key.kid, typ: 'loopedge-flows+jws', target: signing.target, version: signing.version + 1, prev: signing.hash, iat: 1_700_000_000 };
    await expectRefused(next, `${b64(JSON.stringify({ alg: 'none', ...claims }))}..`, 'bad-algorithm');
    const hsHeader = b64(JSON.stringify({ alg: 'HS256', ...claims }));
    const mac = createHmac('sha256', pipeline.publicKeyPem).update(`${hsHeader}.${b64(canonicalize(next))}`).digest();
    await expectRefused(next, `${hsHeader}..${b64(mac)}`, 'bad-algorithm');

    // One byte changed in the header (iat), an extra critical header, non-canonical JSON equal in meaning.
    const decoded = JSON.parse(Buffer.from(header!, 'base64url').toString('utf8')) as Record<string, unknown>;
    await expectRefused(next, `${b64(JSON.stringify({ ...decoded, iat: Number(decoded.iat) + 1 }))}..${signature}`, 'bad-signature');
    const privateKey = pipeline.key.privateKey as KeyObject;
    const handSigned = (head: Record<string, unknown>, payload: string): string => {
      const protectedPart = b64(JSON.stringify(head));
      return `${protectedPart}..${b64(edSign(null, Buffer.from(`${protectedPart}.${b64(payload)}`), privateKey))}`;
    };
    await expectRefused(next, handSigned({ ...decoded, crit: ['exp'], exp: 1 }, canonicalize(next)), 'bad-header');
    assert.notEqual(JSON.stringify(next), canonicalize(next), 'the test flows are not already canonical');
    await expectRefused(next, handSigned(decoded, JSON.stringify(next)), 'bad-signature');

    // A replay of an older signed deploy, whole: its signature still verifies, its version is old.
    const accepted = await deploy(next, good);
    assert.equal(accepted.status, 200, 'the untampered signature deploys');
    const newer = withNode(next, 'newer');
    assert.equal((await deploy(newer, await sign(newer, pipeline))).status, 200);
    await expectRefused(next, good, 'replayed-version');
  });

  test('key request from the editor: pending → approved → deploys → revoked → refused; expired keys refused', async () => {
    const user = await newSigner();
    const editorSession = await admin.signedIn('editor');
    const request = await editorSession.post<{ id: string; state: string; owner: string }>('/api/signing-keys/requests', { name: 'laptop', publicKeyPem: user.publicKeyPem });
    assert.equal(request.status, 201, request.text);
    assert.equal(request.body.state, 'pending');
    const listed = await editorSession.get<{ keys: Array<{ id: string; state: string }> }>('/api/signing-keys');
    assert.ok(listed.body.keys.some((k) => k.id === user.key.kid && k.state === 'pending'));
    assert.equal((await editorSession.post(`/api/signing-keys/requests/${user.key.kid}/approve`, {})).status, 403, 'editors cannot approve');

    const flows = withNode((await current()).flows, 'by-user');
    await expectRefused(flows, await sign(flows, user), 'unknown-key');

    const approved = await adminClient.post<{ state: string; owner: string }>(`/api/signing-keys/requests/${user.key.kid}/approve`, {});
    assert.equal(approved.status, 200, approved.text);
    assert.deepEqual([approved.body.state, approved.body.owner], ['trusted', request.body.owner]);
    const ok = await deploy(flows, await sign(flows, user));
    assert.equal(ok.status, 200, ok.text);
    const versions = await editor.get<{ versions: Array<{ version: number; signer?: { kid: string; name: string }; user?: string }> }>('/api/flow-versions');
    assert.deepEqual(versions.body.versions[0]!.signer, { kid: user.key.kid, name: 'laptop' });

    const revoked = await adminClient.post<{ state: string }>(`/api/signing-keys/${user.key.kid}/revoke`, { reason: 'laptop lost' });
    assert.equal(revoked.body.state, 'revoked');
    const later = withNode(flows, 'after-revoke');
    await expectRefused(later, await sign(later, user), 'revoked-key');
    for (const action of ['signing-key.request', 'signing-key.approve', 'signing-key.revoke']) {
      assert.equal(admin.security.audit.list({ action }).length, 1, action);
    }

    // A rejected request, and a key that expires.
    const other = await newSigner();
    await editorSession.post('/api/signing-keys/requests', { name: 'spare', publicKeyPem: other.publicKeyPem });
    const rejected = await adminClient.post<{ state: string }>(`/api/signing-keys/requests/${other.key.kid}/reject`, {});
    assert.equal(rejected.body.state, 'rejected');
    const shortLived = await newSigner();
    const expiring = await adminClient.post('/api/signing-keys', { name: 'temp', owner: 'ops', publicKeyPem: shortLived.publicKeyPem, expiresAt: new Date(Date.now() + offset + 3_600_000).toISOString() });
    assert.equal(expiring.status, 201, expiring.text);
    offset += 2 * 3_600_000;
    await expectRefused(later, await sign(later, shortLived), 'expired-key');
    const states = new Map((await editor.get<{ keys: Array<{ id: string; state: string }> }>('/api/signing-keys')).body.keys.map((k) => [k.id, k.state]));
    assert.equal(states.get(shortLived.key.kid), 'expired');
    assert.equal(states.get(other.key.kid), 'rejected');
  });

  test('versions: list, one version, diff between any two, rollback as a new signed deploy', async () => {
    const list = await editor.get<{ current: number; versions: Array<{ version: number; type: string; hash: string; summary: { added: number; nodes: { added: string[] } } }> }>('/api/flow-versions');
    assert.equal(list.status, 200);
    const numbers = list.body.versions.map((v) => v.version);
    assert.deepEqual(numbers, [...numbers].sort((a, b) => b - a), 'newest first, strictly increasing');
    assert.equal(list.body.current, numbers[0]);
    assert.equal(list.body.versions.at(-1)!.type, 'file');
    assert.deepEqual(list.body.versions.find((v) => v.version === 2)!.summary.nodes.added, ['u1']);

    const first = await editor.get<{ flows: FlowDocument; hash: string }>('/api/flow-versions/1');
    assert.deepEqual(first.body.flows, BASE);
    const diff = await editor.get<{ added: Array<{ id: string; type: string; name?: string }>; removed: unknown[] }>(`/api/flow-versions/diff?from=1&to=${list.body.current}`);
    assert.equal(diff.status, 200, diff.text);
    assert.ok(diff.body.added.some((n) => n.id === 'by-user' && n.type === 'debug' && n.name === 'debug by-user'), diff.text);
    assert.equal((await editor.get('/api/flow-versions/999')).status, 404);

    const unsigned = await editor.post<ErrorBody>('/api/flow-versions/1/rollback', {});
    assert.equal(unsigned.status, 422);
    assert.equal(unsigned.body.error.details?.reason, 'missing-signature');
    const rollback = await editor.post<{ version: number; hash: string }>('/api/flow-versions/1/rollback', { signature: await sign(BASE, pipeline) });
    assert.equal(rollback.status, 200, rollback.text);
    assert.equal(rollback.body.version, list.body.current + 1);
    assert.equal(rollback.body.hash, first.body.hash);
    const now = await current();
    assert.deepEqual(now.flows, BASE);
    assert.equal(now.signing.hash, first.body.hash);
    const newest = (await editor.get<{ versions: Array<{ type: string; rollbackOf?: number }> }>('/api/flow-versions')).body.versions[0]!;
    assert.deepEqual([newest.type, newest.rollbackOf], ['rollback', 1]);
  });
});

const failsToStart = defineNode({
  type: 'test-fails-to-start',
  category: 'function',
  config: Type.Object({}),
  inputs: 1,
  outputs: 0,
  editor: { icon: 'alert.svg', color: '#f88' },
  create() {
    throw new Error('the test node refuses to start');
  },
});

describe('a deploy that fails to start', () => {
  let admin: TestAdmin;
  before(async () => {
    admin = await TestAdmin.start({ flows: BASE, nodeTypes: [...coreNodeTypes, failsToStart] });
  });
  after(() => admin.stop());

  test('restores the previous flows and records no version', async () => {
    const editor = await admin.signedIn('editor');
    const before = await editor.get<FlowsBody>('/api/flows');
    const broken = [...BASE, { id: 'broken', type: 'test-fails-to-start', z: 'tab1', wires: [] }];
    const response = await editor.post<ErrorBody>('/api/flows', { flows: broken, rev: before.body.rev });
    assert.equal(response.status, 422, response.text);
    assert.equal(response.body.error.code, 'deploy-failed');
    const after = await editor.get<FlowsBody>('/api/flows');
    assert.equal(after.body.rev, before.body.rev);
    assert.deepEqual(after.body.signing, before.body.signing, 'the version running is still the previous one');
    const versions = await editor.get<{ versions: Array<{ version: number }> }>('/api/flow-versions');
    assert.deepEqual(versions.body.versions.map((v) => v.version), [1]);
    assert.ok(admin.server.runtime.node('scale'), 'the previous nodes run');
    // And the next good deploy takes the next number.
    const ok = await editor.post<{ version: number }>('/api/flows', { flows: withNode(BASE, 'fine'), rev: before.body.rev });
    assert.equal(ok.body.version, 2);
  });
});
