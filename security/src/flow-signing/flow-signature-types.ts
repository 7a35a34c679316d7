// Types of signed flow deploys: the protected header every flow signature carries,
// the verification context a device supplies, and the refusal reasons (each one a
// different action for a person, so the server can audit and report it as is).
import type { KeyObject, webcrypto } from 'node:crypto';
import type { TrustedKeyInfo, TrustedKeysApi } from '../trusted-keys/trusted-key-types.js';

/** The JWS `typ` of a flow signature: keeps a release or session JWS from being replayed as one. */
export const FLOW_SIGNATURE_TYPE = 'loopedge-flows+jws';

/** Every protected header member, all required, none other allowed (strict allow-list). */
export interface FlowSignatureHeader {
  alg: 'EdDSA';
  /** RFC 7638 thumbprint of the signer's Ed25519 public key (the trust store's key id). */
  kid: string;
  typ: 'loopedge-flows+jws';
  /** a device id, or `group:<name>` for every device in that fleet group */
  target: string;
  /** integer ≥ 1, strictly greater than the device's current version */
  version: number;
  /** hex SHA-256 of the canonical bytes of the previous version's flows; null for the first signed version */
  prev: string | null;
  /** seconds since the epoch, when it was signed */
  iat: number;
}

export interface FlowSigningKey {
  privateKey: KeyObject | webcrypto.CryptoKey;
  kid: string;
}

export type FlowSignatureRefusal =
  | 'malformed'
  | 'bad-algorithm'
  | 'bad-header'
  | 'unknown-key'
  | 'revoked-key'
  | 'expired-key'
  | 'bad-signature'
  | 'wrong-target'
  | 'replayed-version'
  | 'wrong-previous';

export const FLOW_SIGNATURE_REFUSALS: readonly FlowSignatureRefusal[] = [
  'malformed', 'bad-algorithm', 'bad-header', 'unknown-key', 'revoked-key', 'expired-key',
  'bad-signature', 'wrong-target', 'replayed-version', 'wrong-previous',
];

export interface FlowVerificationContext {
  trustedKeys: TrustedKeysApi;
  deviceId: string;
  deviceGroups: readonly string[];
  /** 0 = no signed version yet */
  currentVersion: number;
  /** flowSetHash of the flows running now as the current version; null before the first signed version */
  currentHash: string | null;
  /** ms since the epoch; when given, a key past its expiry by this clock is refused too (the trust store checks its own clock). */
  now?: () => number;
}

export type FlowVerification =
  | { ok: true; header: FlowSignatureHeader; key: TrustedKeyInfo; hash: string }
  | { ok: false; reason: FlowSignatureRefusal; message: string; kid?: string };
