import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { canonicalize, type FlowDocument } from '@loopedge/flows';
import { describePublicKey, nextDeployMeta, signFlowSetWithKey } from './flow-jws.js';

const flows: FlowDocument = [
  { id: 'tab1', type: 'tab', label: 'Flow 1' },
  { id: 'n1', type: 'inject', z: 'tab1', name: 'ü € 😀', x: 100, y: 80.5, wires: [['n2']] },
  { id: 'n2', type: 'debug', z: 'tab1', wires: [] },
];

async function keyPair() {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  return { pair, ...(await describePublicKey(pair.publicKey)) };
}

test('the detached JWS verifies over the canonical flow bytes with the exported SPKI key; the header is the allow-listed one', async () => {
  const { pair, publicKeyPem, kid } = await keyPair();
  const jws = await signFlowSetWithKey(flows, { target: 'device-1', version: 3, prev: 'ab'.repeat(32), iat: 1_700_000_000 }, { privateKey: pair.privateKey, kid });
  const [header, payload, signature] = jws.split('.');
  assert.equal(payload, '', 'the payload is detached');
  assert.deepEqual(JSON.parse(Buffer.from(header!, 'base64url').toString()), {
    alg: 'EdDSA', kid, typ: 'loopedge-flows+jws', target: 'device-1', version: 3, prev: 'ab'.repeat(32), iat: 1_700_000_000,
  });
  const signingInput = `${header}.${Buffer.from(canonicalize(flows)).toString('base64url')}`;
  const publicKey = createPublicKey(publicKeyPem);
  assert.equal(verify(null, Buffer.from(signingInput), publicKey, Buffer.from(signature!, 'base64url')), true);
  // Not over the plain JSON.stringify text: the server canonicalizes what it received.
  const plainInput = `${header}.${Buffer.from(JSON.stringify(flows)).toString('base64url')}`;
  assert.equal(verify(null, Buffer.from(plainInput), publicKey, Buffer.from(signature!, 'base64url')), false);
});

test('kid is the RFC 7638 thumbprint of the public key, as the trust store computes it', async () => {
  const { publicKeyPem, kid } = await keyPair();
  const jwk = createPublicKey(publicKeyPem).export({ format: 'jwk' }) as { crv: string; x: string };
  assert.equal(kid, createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${jwk.x}"}`).digest('base64url'));
  assert.match(publicKeyPem, /^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n$/);
});

test('the next deploy signs version + 1 over the deployed hash; a bad version is refused before signing', async () => {
  assert.deepEqual(nextDeployMeta({ deviceId: 'd1', target: 'd1', version: 4, hash: 'h' }), { target: 'd1', version: 5, prev: 'h' });
  assert.deepEqual(nextDeployMeta({ deviceId: 'd1', version: 0, hash: null }), { target: 'd1', version: 1, prev: null });
  const { pair, kid } = await keyPair();
  await assert.rejects(signFlowSetWithKey(flows, { target: 'd1', version: 0, prev: null }, { privateKey: pair.privateKey, kid }), /integer ≥ 1/);
});
