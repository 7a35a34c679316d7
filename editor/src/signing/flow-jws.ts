import { canonicalize, type FlowItem } from '@loopedge/flows';
import type { FlowSignatureHeader } from '@loopedge/security';
import { base64UrlEncode, toPem, utf8 } from './base64url.js';

/**
 * Detached JWS over a flow set, exactly as the server verifies it
 * (security/src/flow-signing/README.md): payload = RFC 8785 canonical JSON of
 * the whole flow set; compact serialization with the payload left out
 * (`header..signature`); Ed25519 ("EdDSA"); the header's members are a strict
 * allow-list (FlowSignatureHeader: the security package's own type, imported
 * as a type only, so nothing of that package reaches the browser bundle).
 */
export type { FlowSignatureHeader };

export interface DeploySigningMeta {
  target: string;
  version: number;
  prev: string | null;
  iat?: number;
}

/** A signing key as WebCrypto holds it: the private half may be (and in the editor is) non-extractable. */
export interface EditorSigningKey {
  privateKey: CryptoKey;
  kid: string;
}

/** RFC 7638 thumbprint of an Ed25519 public key from its 32 raw bytes: the `kid` and the trust store's key id. */
export async function ed25519Kid(rawPublicKey: Uint8Array): Promise<string> {
  const jwk = `{"crv":"Ed25519","kty":"OKP","x":"${base64UrlEncode(rawPublicKey)}"}`;
  return base64UrlEncode(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(jwk))));
}

/** The SPKI PEM and kid of a WebCrypto Ed25519 public key (public keys are always exportable). */
export async function describePublicKey(publicKey: CryptoKey): Promise<{ publicKeyPem: string; kid: string }> {
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', publicKey));
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', publicKey));
  return { publicKeyPem: toPem(spki, 'PUBLIC KEY'), kid: await ed25519Kid(raw) };
}

/** Signs a flow set with the given key; returns the detached compact JWS for POST /api/flows `signature`. */
export async function signFlowSetWithKey(flows: readonly FlowItem[], meta: DeploySigningMeta, key: EditorSigningKey): Promise<string> {
  if (!Number.isInteger(meta.version) || meta.version < 1) throw new Error(`The signed version must be an integer ≥ 1, got ${String(meta.version)}.`);
  const header: FlowSignatureHeader = {
    alg: 'EdDSA',
    kid: key.kid,
    typ: 'loopedge-flows+jws',
    target: meta.target,
    version: meta.version,
    prev: meta.prev,
    iat: meta.iat ?? Math.floor(Date.now() / 1000),
  };
  const encodedHeader = base64UrlEncode(utf8(JSON.stringify(header)));
  const signingInput = `${encodedHeader}.${base64UrlEncode(utf8(canonicalize(flows)))}`;
  const signature = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, key.privateKey, utf8(signingInput)));
  return `${encodedHeader}..${base64UrlEncode(signature)}`;
}

/** GET /api/flows `signing` → what the next deploy signs: version + 1 over the current hash. */
export function nextDeployMeta(signing: { target?: string; deviceId: string; version: number; hash: string | null }): DeploySigningMeta {
  return { target: signing.target ?? signing.deviceId, version: signing.version + 1, prev: signing.hash };
}
