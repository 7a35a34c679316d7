// Signing: a detached compact JWS (RFC 7515 appendix F) over the canonical flow
// bytes. The payload is left out of the token because the flows travel beside it;
// the device canonicalizes what it received and puts those bytes back to verify.
import { CompactSign } from 'jose';
import type { FlowDocument } from '@loopedge/flows';
import { canonicalFlowBytes } from './flow-set-hash.js';
import { FLOW_SIGNATURE_TYPE, type FlowSignatureHeader, type FlowSigningKey } from './flow-signature-types.js';

export interface FlowSignatureMeta {
  target: string;
  version: number;
  prev: string | null;
  /** seconds since the epoch; now by default */
  iat?: number;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** Returns `BASE64URL(header)..BASE64URL(signature)`. Throws on bad meta (a caller's mistake, not input from the wire). */
export async function signFlowSet(flows: FlowDocument, meta: FlowSignatureMeta, key: FlowSigningKey): Promise<string> {
  const header = buildHeader(meta, key.kid);
  const jws = await new CompactSign(canonicalFlowBytes(flows)).setProtectedHeader({ ...header }).sign(key.privateKey);
  const [protectedPart, , signature] = jws.split('.');
  return `${protectedPart ?? ''}..${signature ?? ''}`;
}

function buildHeader(meta: FlowSignatureMeta, kid: string): FlowSignatureHeader {
  if (typeof kid !== 'string' || kid.length === 0) throw new Error('The signing key has no kid; load it with loadFlowSigningKey.');
  if (typeof meta.target !== 'string' || meta.target.trim() === '') throw new Error('A flow signature needs a target: a device id or group:<name>.');
  if (!Number.isSafeInteger(meta.version) || meta.version < 1) throw new Error(`The flow version must be a whole number ≥ 1, got ${String(meta.version)}.`);
  if (meta.prev !== null && !HEX_SHA256.test(meta.prev)) throw new Error(`prev must be the hex SHA-256 of the previous flows (64 lowercase hex digits) or null, got "${String(meta.prev)}".`);
  const iat = meta.iat ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(iat) || iat < 0) throw new Error(`iat must be whole seconds since the epoch, got ${String(iat)}.`);
  return { alg: 'EdDSA', kid, typ: FLOW_SIGNATURE_TYPE, target: meta.target, version: meta.version, prev: meta.prev, iat };
}
