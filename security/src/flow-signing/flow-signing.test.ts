import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, sign as edSign, type KeyObject } from 'node:crypto';
import { CompactSign } from 'jose';
import { canonicalize, type FlowDocument } from '@loopedge/flows';
import { openTestSecurity, type TestSecurity } from '../testing/open-test-security.js';
import { flowSetHash, generateFlowSigningKeyPair, loadFlowSigningKey, signFlowSet, verifyFlowSignature, verifyFlowSignatureWithPublicKey, type FlowSigningKey, type FlowVerificationContext } from './index.js';

// Members deliberately not in sorted order, so JSON.stringify differs from the canonical form.
const FLOWS: FlowDocument = [
  { type: 'tab', id: 'tab1', label: 'Line 1' },
  { type: 'inject', id: 'n1', z: 'tab1', name: 'tick', x: 100, y: 80, wires: [['n2']] },
  { type: 'debug', id: 'n2', z: 'tab1', name: 'show', x: 300, y: 80, wires: [] },
] as FlowDocument;

const DEVICE = 'press-07';

interface Signer extends FlowSigningKey {
  publicKeyPem: string;
  privateKeyPem: string;
}

async function newSigner(): Promise<Signer> {
  const pair = await generateFlowSigningKeyPair();
  const key = await loadFlowSigningKey(pair.privateKeyPem);
  assert.equal(key.kid, pair.kid);
  return { ...key, publicKeyPem: pair.publicKeyPem, privateKeyPem: pair.privateKeyPem };
}

const b64 = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64url');

/** A detached JWS with any header and payload bytes, signed with Ed25519 by hand (no jose checks in the way). */
function signByHand(header: Record<string, unknown>, payload: Uint8Array | string, privateKey: KeyObject): string {
  const protectedPart = b64(JSON.stringify(header));
  const signature = edSign(null, Buffer.from(`${protectedPart}.${b64(payload)}`), privateKey);
  return `${protectedPart}..${b64(signature)}`;
}

function headerOf(signer: Signer, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { alg: 'EdDSA', kid: signer.kid, typ: 'loopedge-flows+jws', target: DEVICE, version: 1, prev: null, iat: 1_700_000_000, ...extra };
}

describe('flow signatures', () => {
  let t: TestSecurity;
  let trusted: Signer;
  let context: FlowVerificationContext;

  before(async () => {
    t = await openTestSecurity();
    trusted = await newSigner();
    t.security.trustedKeys.add({ name: 'ci pipeline', purpose: 'flows', owner: 'build team', publicKeyPem: trusted.publicKeyPem }, 'alice');
    context = { trustedKeys: t.security.trustedKeys, deviceId: DEVICE, deviceGroups: ['hall-a'], currentVersion: 0, currentHash: null };
  });
  after(() => t.close());

  async function expectRefused(jws: string, reason: string, flows: FlowDocument = FLOWS, ctx: FlowVerificationContext = context): Promise<string> {
    const result = await verifyFlowSignature(flows, jws, ctx);
    assert.equal(result.ok, false, `expected a refusal (${reason})`);
    assert.equal(result.ok === false && result.reason, reason, result.ok === false ? result.message : '');
    return result.ok === false ? result.message : '';
  }

  test('a signature by a trusted key verifies, for the device and then for its group, chained by prev', async () => {
    const jws = await signFlowSet(FLOWS, { target: DEVICE, version: 1, prev: null }, trusted);
    assert.equal(jws.split('.')[1], '', 'the payload is detached');
    const first = await verifyFlowSignature(FLOWS, jws, context);
    assert.ok(first.ok, first.ok ? '' : first.message);
    assert.equal(first.hash, flowSetHash(FLOWS));
    assert.equal(first.key.name, 'ci pipeline');
    assert.deepEqual({ ...first.header, iat: 0 }, { alg: 'EdDSA', kid: trusted.kid, typ: 'loopedge-flows+jws', target: DEVICE, version: 1, prev: null, iat: 0 });

    const next: FlowDocument = [...FLOWS, { type: 'comment', id: 'c1', z: 'tab1', name: 'v2', x: 10, y: 10, wires: [] } as FlowDocument[number]];
    const grouped = await signFlowSet(next, { target: 'group:hall-a', version: 2, prev: first.hash }, trusted);
    const second = await verifyFlowSignature(next, grouped, { ...context, currentVersion: 1, currentHash: first.hash });
    assert.ok(second.ok, second.ok ? '' : second.message);
    assert.equal(second.header.target, 'group:hall-a');
  });

  test('one byte changed in the flows, the header or the signature breaks the signature', async () => {
    const jws = await signFlowSet(FLOWS, { target: DEVICE, version: 1, prev: null, iat: 1_700_000_000 }, trusted);
    const moved = structuredClone(FLOWS) as Array<Record<string, unknown>>;
    (moved[1] as Record<string, unknown>).x = 101; // layout is signed: a node moved is a change
    await expectRefused(jws, 'bad-signature', moved as FlowDocument);

    const [protectedPart, , signaturePart] = jws.split('.') as [string, string, string];
    const headerText = Buffer.from(protectedPart, 'base64url').toString('utf8').replace('1700000000', '1700000001');
    await expectRefused(`${b64(headerText)}..${signaturePart}`, 'bad-signature');

    const signature = Buffer.from(signaturePart, 'base64url');
    signature[10] = (signature[10] as number) ^ 0x01;
    await expectRefused(`${protectedPart}..${b64(signature)}`, 'bad-signature');
  });

  test('a signature over non-canonical JSON that is equal in meaning is refused', async () => {
    const text = JSON.stringify(FLOWS);
    assert.notEqual(text, canonicalize(FLOWS));
    assert.deepEqual(JSON.parse(text), FLOWS);
    const privateKey = createPrivateKey(trusted.privateKeyPem);
    await expectRefused(signByHand(headerOf(trusted), text, privateKey), 'bad-signature');
    // The same hand-made signature over the canonical bytes verifies: the refusal is about the bytes alone.
    const good = await verifyFlowSignature(FLOWS, signByHand(headerOf(trusted), canonicalize(FLOWS), privateKey), context);
    assert.ok(good.ok, good.ok ? '' : good.message);
  });

  test('valid signatures by an untrusted, a revoked, an expired or a release-only key are refused by reason', async () => {
    const stranger = await newSigner();
    const unknown = await expectRefused(await signFlowSet(FLOWS, { target: DEVICE, version: 1, prev: null }, stranger), 'unknown-key');
    assert.match(unknown, /admin must register/);

    const releaseOnly = await newSigner();
    t.security.trustedKeys.add({ name: 'release key', purpose: 'release', owner: 'build', publicKeyPem: releaseOnly.publicKeyPem }, 'alice');
    await expectRefused(await signFlowSet(FLOWS, { target: DEVICE, version: 1, prev: null }, releaseOnly), 'unknown-key');

    const leaked = await newSigner();
    t.security.trustedKeys.add({ name: 'laptop', purpose: 'flows', owner: 'bob', publicKeyPem: leaked.publicKeyPem }, 'alice');
    const byLeaked = await signFlowSet(FLOWS, { target: DEVICE, version: 1, prev: null }, leaked);
    assert.ok((await verifyFlowSignature(FLOWS, byLeaked, context)).ok);
    t.security.trustedKeys.revoke(leaked.kid, 'laptop stolen', 'alice');
    assert.match(await expectRefused(byLeaked, 'revoked-key'), /laptop stolen/);

    const shortLived = await newSigner();
    t.security.trustedKeys.add({ name: 'short', purpose: 'flows', owner: 'carol', publicKeyPem: shortLived.publicKeyPem, expiresAt: t.clock.now() + 60_000 }, 'alice');
    const byShortLived = await signFlowSet(FLOWS, { target: DEVICE, version: 1, prev: null }, shortLived);
    assert.ok((await verifyFlowSignature(FLOWS, byShortLived, context)).ok);
    // The caller's clock counts too (the server may pass its own).
    await expectRefused(byShortLived, 'expired-key', FLOWS, { ...context, now: () => t.clock.now() + 60_001 });
    t.clock.advance(60_001);
    await expectRefused(byShortLived, 'expired-key');
  });

  test('another target, a replayed older version and a wrong previous hash are refused', async () => {
    await expectRefused(await signFlowSet(FLOWS, { target: 'press-08', version: 1, prev: null }, trusted), 'wrong-target');
    await expectRefused(await signFlowSet(FLOWS, { target: 'group:hall-b', version: 1, prev: null }, trusted), 'wrong-target');
    // A group name is not a device id and the other way round.
    await expectRefused(await signFlowSet(FLOWS, { target: 'hall-a', version: 1, prev: null }, trusted), 'wrong-target');

    const current = { ...context, currentVersion: 5, currentHash: flowSetHash(FLOWS) };
    await expectRefused(await signFlowSet(FLOWS, { target: DEVICE, version: 4, prev: null }, trusted), 'replayed-version', FLOWS, current);
    await expectRefused(await signFlowSet(FLOWS, { target: DEVICE, version: 5, prev: current.currentHash }, trusted), 'replayed-version', FLOWS, current);
    await expectRefused(await signFlowSet(FLOWS, { target: DEVICE, version: 6, prev: null }, trusted), 'wrong-previous', FLOWS, current);
    await expectRefused(await signFlowSet(FLOWS, { target: DEVICE, version: 6, prev: 'a'.repeat(64) }, trusted), 'wrong-previous', FLOWS, current);
    assert.ok((await verifyFlowSignature(FLOWS, await signFlowSet(FLOWS, { target: DEVICE, version: 6, prev: current.currentHash }, trusted), current)).ok);
  });

  test('alg none and HS256 with the public key as HMAC secret are refused as bad algorithms', async () => {
    const none = `${b64(JSON.stringify(headerOf(trusted, { alg: 'none' })))}..`;
    await expectRefused(none, 'bad-algorithm');
    const hs256 = await new CompactSign(new TextEncoder().encode(canonicalize(FLOWS)))
      .setProtectedHeader(headerOf(trusted, { alg: 'HS256' }) as { alg: string })
      .sign(new TextEncoder().encode(trusted.publicKeyPem));
    const [protectedPart, , signaturePart] = hs256.split('.');
    await expectRefused(`${protectedPart}..${signaturePart}`, 'bad-algorithm');
  });

  test('crit, an embedded key, unknown members, a wrong typ and duplicate members are refused as bad headers', async () => {
    const privateKey = createPrivateKey(trusted.privateKeyPem);
    const payload = canonicalize(FLOWS);
    assert.match(await expectRefused(signByHand(headerOf(trusted, { crit: ['exp'], exp: 1 }), payload, privateKey), 'bad-header'), /critical/);
    const jwk = privateKey.export({ format: 'jwk' });
    await expectRefused(signByHand(headerOf(trusted, { jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x } }), payload, privateKey), 'bad-header');
    await expectRefused(signByHand(headerOf(trusted, { b64: false }), payload, privateKey), 'bad-header');
    await expectRefused(signByHand(headerOf(trusted, { note: 'hello' }), payload, privateKey), 'bad-header');
    await expectRefused(signByHand(headerOf(trusted, { typ: 'JWT' }), payload, privateKey), 'bad-header');
    await expectRefused(signByHand(headerOf(trusted, { version: 0 }), payload, privateKey), 'bad-header');
    const { kid: _kid, ...noKid } = headerOf(trusted);
    await expectRefused(signByHand(noKid, payload, privateKey), 'bad-header');

    const duplicateText = JSON.stringify(headerOf(trusted)).replace('{', `{"target":"press-99",`);
    const protectedPart = b64(duplicateText);
    const signature = edSign(null, Buffer.from(`${protectedPart}.${b64(payload)}`), privateKey);
    await expectRefused(`${protectedPart}..${b64(signature)}`, 'bad-header');
  });

  test('truncated, non-base64url and otherwise malformed JWS strings are refused as malformed, never thrown', async () => {
    const jws = await signFlowSet(FLOWS, { target: DEVICE, version: 1, prev: null }, trusted);
    const [protectedPart, , signaturePart] = jws.split('.') as [string, string, string];
    for (const bad of [
      jws.slice(0, jws.length - 10),                         // signature cut short
      jws.slice(0, Math.floor(protectedPart.length / 2)),    // cut inside the header
      `${protectedPart}..${signaturePart.slice(0, -1)}`,     // one character missing
      `${protectedPart}..${signaturePart}==`,                // padding is not base64url
      `${protectedPart}..${signaturePart.replace(/[-_]/, '+')}${/[-_]/.test(signaturePart) ? '' : '+'}`,
      `${protectedPart.replace(/^./, '*')}..${signaturePart}`,
      `${protectedPart}.${b64(canonicalize(FLOWS))}.${signaturePart}`, // attached payload
      `${protectedPart}..${signaturePart}.x`,
      `${b64('not json')}..${signaturePart}`,
      `${b64('[1,2]')}..${signaturePart}`,
      '',
      'a'.repeat(20_000),
    ]) {
      await expectRefused(bad, 'malformed');
    }
    const notAString = await verifyFlowSignature(FLOWS, undefined as unknown as string, context);
    assert.equal(notAString.ok === false && notAString.reason, 'malformed');
    // Flows JSON cannot hold (NaN) are refused, not thrown.
    const nan = [{ id: 'n1', type: 'inject', z: 't', x: Number.NaN, y: 0, wires: [] }] as unknown as FlowDocument;
    await expectRefused(jws, 'malformed', nan);
  });

  test('key files: the kid is the trust store id, and a key that is not Ed25519 is refused with what to do', async () => {
    const pair = await generateFlowSigningKeyPair();
    assert.match(pair.privateKeyPem, /BEGIN PRIVATE KEY/);
    assert.match(pair.publicKeyPem, /BEGIN PUBLIC KEY/);
    const info = t.security.trustedKeys.add({ name: 'pipeline 2', purpose: 'flows', owner: 'ci', publicKeyPem: pair.publicKeyPem }, 'alice');
    assert.equal(info.id, pair.kid);
    await assert.rejects(loadFlowSigningKey('not a key'), /Ed25519 private key as PKCS#8 PEM/);
    // Offline check against one public key file: the signature only, whatever the target or version.
    const jws = await signFlowSet(FLOWS, { target: 'group:elsewhere', version: 9, prev: 'b'.repeat(64) }, trusted);
    const offline = await verifyFlowSignatureWithPublicKey(FLOWS, jws, trusted.publicKeyPem);
    assert.ok(offline.ok && offline.header.version === 9);
    const otherKey = await verifyFlowSignatureWithPublicKey(FLOWS, jws, pair.publicKeyPem);
    assert.equal(otherKey.ok === false && otherKey.reason, 'unknown-key');
    const tampered = await verifyFlowSignatureWithPublicKey([...FLOWS].reverse(), jws, trusted.publicKeyPem);
    assert.equal(tampered.ok === false && tampered.reason, 'bad-signature');
    const notAKey = await verifyFlowSignatureWithPublicKey(FLOWS, jws, 'junk');
    assert.equal(notAKey.ok, false);
    await assert.rejects(() => signFlowSet(FLOWS, { target: DEVICE, version: 0, prev: null }, trusted), /version/);
  });
});
