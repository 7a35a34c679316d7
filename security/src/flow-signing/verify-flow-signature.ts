// Verification, in the order that gives each bad input its own reason:
// parse → header allow-list → alg → key lookup → signature → target → version → prev.
// Nothing here throws on bad input: a device answers every bad deploy with a reason.
import { compactVerify } from 'jose';
import type { FlowDocument } from '@loopedge/flows';
import { ed25519Thumbprint, parseEd25519PublicKey } from '../trusted-keys/key-thumbprint.js';
import type { TrustedKeyInfo } from '../trusted-keys/trusted-key-types.js';
import { canonicalFlowBytes, hashBytes } from './flow-set-hash.js';
import { FLOW_SIGNATURE_TYPE, type FlowSignatureHeader, type FlowSignatureRefusal, type FlowVerification, type FlowVerificationContext } from './flow-signature-types.js';

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/;
const ALLOWED_MEMBERS = ['alg', 'kid', 'typ', 'target', 'version', 'prev', 'iat'] as const;
const ED25519_SIGNATURE_BYTES = 64;
/** A header is a few hundred bytes; refuse megabytes before decoding them. */
const MAX_JWS_LENGTH = 8192;

type Refusal = { ok: false; reason: FlowSignatureRefusal; message: string; kid?: string };

function refuse(reason: FlowSignatureRefusal, message: string, kid?: string): Refusal {
  return kid === undefined ? { ok: false, reason, message } : { ok: false, reason, message, kid };
}

export async function verifyFlowSignature(flows: FlowDocument, jws: string, context: FlowVerificationContext): Promise<FlowVerification> {
  try {
    return await verifyInOrder(flows, jws, context);
  } catch (error) {
    // A bug or an input nobody foresaw must still come back as a refusal, never as a crash of the deploy.
    return refuse('malformed', `The flow signature could not be checked (${error instanceof Error ? error.message : String(error)}). Sign the flows again.`);
  }
}

/**
 * Offline check of the signature alone (the CLI's `flows verify`): steps 1 to 5 with
 * one public key in place of the trust store; target, version and prev are not checked.
 */
export async function verifyFlowSignatureWithPublicKey(flows: FlowDocument, jws: string, publicKeyPem: string): Promise<FlowVerification> {
  try {
    const publicKey = parseEd25519PublicKey(publicKeyPem);
    const key: TrustedKeyInfo = {
      id: ed25519Thumbprint(publicKey), name: 'public key file', purpose: 'flows', owner: 'unknown',
      publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(), addedAt: new Date().toISOString(),
    };
    return await verifySignedPart(flows, jws, (kid) => (kid === key.id
      ? { ok: true, key }
      : refuse('unknown-key', `The flows are signed by the key ${kid}, not by the given public key (${key.id}).`, kid)));
  } catch (error) {
    return refuse('malformed', `The flow signature could not be checked (${error instanceof Error ? error.message : String(error)}).`);
  }
}

type KeyResolution = { ok: true; key: TrustedKeyInfo } | Refusal;

async function verifyInOrder(flows: FlowDocument, jws: string, context: FlowVerificationContext): Promise<FlowVerification> {
  const signed = await verifySignedPart(flows, jws, (kid) => trustedKeyFor(kid, context));
  if (!signed.ok) return signed;
  const { header } = signed;
  const kid = header.kid;

  // 6. target
  const targets = [context.deviceId, ...context.deviceGroups.map((group) => `group:${group}`)];
  if (!targets.includes(header.target)) {
    return refuse('wrong-target', `The flows are signed for "${header.target}", not for this device ("${context.deviceId}"${context.deviceGroups.length > 0 ? ` or its groups ${context.deviceGroups.join(', ')}` : ''}). Sign them for this device or one of its groups.`, kid);
  }

  // 7. version: a replay of an older signed deploy stops here
  if (header.version <= context.currentVersion) {
    return refuse('replayed-version', `The flows are signed as version ${header.version}, but this device already runs version ${context.currentVersion}: an old signed deploy cannot be replayed. Sign them as version ${context.currentVersion + 1} (a rollback is a new signed version).`, kid);
  }

  // 8. prev: the signer saw the flows that run now
  if (header.prev !== context.currentHash) {
    return refuse('wrong-previous', `The signature says it follows flows with hash ${header.prev ?? 'none (first version)'}, but this device runs ${context.currentHash ?? 'no signed version yet'}. Fetch the current flows, merge, and sign again with that hash as prev.`, kid);
  }
  return signed;
}

/** Step 4 against the device's trust store: the key comes from there only. */
function trustedKeyFor(kid: string, context: FlowVerificationContext): KeyResolution {
  const lookup = context.trustedKeys.lookup(kid, 'flows');
  if (!lookup.ok) {
    const reason: FlowSignatureRefusal = lookup.reason === 'revoked' ? 'revoked-key' : lookup.reason === 'expired' ? 'expired-key' : 'unknown-key';
    const action = reason === 'unknown-key'
      ? ' An admin must register the signer\'s public key for flow deploys before it can deploy.'
      : ' Sign with a key that is trusted now.';
    return refuse(reason, `${lookup.message}${action}`, kid);
  }
  const key = lookup.key;
  if (context.now && key.expiresAt !== undefined && Date.parse(key.expiresAt) <= context.now()) {
    return refuse('expired-key', `The signing key "${key.name}" (${kid}) expired on ${key.expiresAt}. Sign with a key that is trusted now.`, kid);
  }
  return { ok: true, key };
}

/** Steps 1 to 5: parse, header allow-list, alg, key, signature. */
async function verifySignedPart(flows: FlowDocument, jws: string, resolveKey: (kid: string) => KeyResolution): Promise<FlowVerification> {
  // 1. parse
  const parts = parseDetachedJws(jws);
  if (!parts.ok) return parts;
  const { protectedPart, signaturePart, signature, rawHeader } = parts;

  // 2. header allow-list (before alg, so a `crit` or `jwk` header is named as such)
  const checked = checkHeader(rawHeader);
  if (!checked.ok) return checked;
  const header = checked.header;
  const kid = header.kid;

  // 3. alg, the exact value only: none, HS256 (public key as HMAC secret) and friends stop here
  if (header.alg !== 'EdDSA') {
    return refuse('bad-algorithm', `The flow signature uses alg "${String(header.alg)}"; only EdDSA (Ed25519) is accepted. Sign with an Ed25519 key ("loopedge flows sign").`, kid);
  }
  if (signature.length !== ED25519_SIGNATURE_BYTES) {
    return refuse('malformed', `The signature part is ${signature.length} bytes; an Ed25519 signature is ${ED25519_SIGNATURE_BYTES} (was the JWS truncated?). A flow signature is a detached compact JWS, "<header>..<signature>" in base64url.`, kid);
  }

  // 4. the key
  const resolved = resolveKey(kid);
  if (!resolved.ok) return resolved;
  const { key } = resolved;

  // 5. signature over the canonical bytes of the flows as received
  let payload: Uint8Array;
  try {
    payload = canonicalFlowBytes(flows);
  } catch (error) {
    return refuse('malformed', `The flow set cannot be put in canonical form: ${(error as Error).message}. Fix that value and sign again.`, kid);
  }
  const attached = `${protectedPart}.${Buffer.from(payload).toString('base64url')}.${signaturePart}`;
  try {
    await compactVerify(attached, parseEd25519PublicKey(key.publicKeyPem), { algorithms: ['EdDSA'] });
  } catch {
    return refuse('bad-signature', `The flow signature does not verify with the key "${key.name}" (${kid}): the flows or the signed header were changed after signing (or were signed as non-canonical JSON). Sign the exact flows again.`, kid);
  }
  return { ok: true, header, key, hash: hashBytes(payload) };
}

type ParsedJws = { ok: true; protectedPart: string; signaturePart: string; signature: Uint8Array; rawHeader: unknown } | Refusal;

function parseDetachedJws(jws: unknown): ParsedJws {
  const hint = 'A flow signature is a detached compact JWS, "<header>..<signature>" in base64url.';
  if (typeof jws !== 'string' || jws.length === 0) return refuse('malformed', `No flow signature was given. ${hint}`);
  if (jws.length > MAX_JWS_LENGTH) return refuse('malformed', `The flow signature is ${jws.length} characters long, more than a flow signature can be. ${hint}`);
  const parts = jws.split('.');
  if (parts.length !== 3) return refuse('malformed', `The flow signature has ${parts.length} parts, not 3. ${hint}`);
  const [protectedPart, payloadPart, signaturePart] = parts as [string, string, string];
  if (payloadPart !== '') return refuse('malformed', `The flow signature carries a payload; it must be detached (the flows travel beside it). ${hint}`);
  const headerBytes = strictBase64url(protectedPart);
  // The signature's length is checked after alg, so `alg: none` (empty signature) is named as a bad algorithm.
  const signature = signaturePart === '' ? new Uint8Array(0) : strictBase64url(signaturePart);
  if (!headerBytes || !signature) return refuse('malformed', `The flow signature is not base64url (or was cut short). ${hint}`);
  let text: string;
  let rawHeader: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
    rawHeader = JSON.parse(text);
  } catch {
    return refuse('malformed', `The protected header of the flow signature is not UTF-8 JSON. ${hint}`);
  }
  if (typeof rawHeader !== 'object' || rawHeader === null || Array.isArray(rawHeader)) {
    return refuse('malformed', `The protected header of the flow signature is not a JSON object. ${hint}`);
  }
  // Compact JSON without duplicate members: two parsers must never read two different headers.
  if (JSON.stringify(rawHeader) !== text) {
    return refuse('bad-header', 'The protected header holds duplicate members or extra whitespace; it must be compact JSON (as jose writes it). Sign again.', kidOf(rawHeader));
  }
  return { ok: true, protectedPart, signaturePart, signature, rawHeader };
}

/** base64url without padding, in its one canonical spelling; undefined otherwise. */
function strictBase64url(text: string): Uint8Array | undefined {
  if (!BASE64URL.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

function kidOf(raw: unknown): string | undefined {
  const kid = (raw as { kid?: unknown }).kid;
  return typeof kid === 'string' && kid.length > 0 ? kid : undefined;
}

type CheckedHeader = { ok: true; header: FlowSignatureHeader } | Refusal;

function checkHeader(raw: unknown): CheckedHeader {
  const members = raw as Record<string, unknown>;
  const kid = kidOf(raw);
  const extra = Object.keys(members).filter((name) => !(ALLOWED_MEMBERS as readonly string[]).includes(name));
  if (extra.length > 0) {
    const named = extra.map((name) => `"${name}"`).join(', ');
    const why = extra.includes('crit') ? ' (critical extensions are never accepted)' : extra.some((n) => ['jwk', 'jku', 'x5u', 'x5c'].includes(n)) ? ' (the key comes from the trust store only)' : '';
    return refuse('bad-header', `The flow signature header has member(s) ${named} that a flow signature may not carry${why}. Allowed: ${ALLOWED_MEMBERS.join(', ')}. Sign with "loopedge flows sign" or the editor.`, kid);
  }
  const problem = headerProblem(members);
  if (problem) return refuse('bad-header', `The flow signature header is invalid: ${problem}. Sign again with "loopedge flows sign" or the editor.`, kid);
  return { ok: true, header: members as unknown as FlowSignatureHeader };
}

function headerProblem(h: Record<string, unknown>): string | undefined {
  if (typeof h.alg !== 'string') return 'alg is missing';
  if (typeof h.kid !== 'string' || h.kid.length === 0) return 'kid (the signer\'s key id) is missing';
  if (h.typ !== FLOW_SIGNATURE_TYPE) return `typ is ${JSON.stringify(h.typ) ?? 'missing'}, not "${FLOW_SIGNATURE_TYPE}"`;
  if (typeof h.target !== 'string' || h.target.length === 0) return 'target (a device id or group:<name>) is missing';
  if (typeof h.version !== 'number' || !Number.isSafeInteger(h.version) || h.version < 1) return `version must be a whole number ≥ 1, got ${JSON.stringify(h.version) ?? 'nothing'}`;
  if (h.prev !== null && (typeof h.prev !== 'string' || !HEX_SHA256.test(h.prev))) return 'prev must be null or the hex SHA-256 of the previous flows';
  if (typeof h.iat !== 'number' || !Number.isSafeInteger(h.iat) || h.iat < 0) return 'iat must be whole seconds since the epoch';
  return undefined;
}
