// Types of the trust store: Ed25519 public keys the device accepts signatures from,
// each for one purpose (release packages now, signed flow deploys later).

export type TrustedKeyPurpose = 'release' | 'flows';
export const TRUSTED_KEY_PURPOSES: readonly TrustedKeyPurpose[] = ['release', 'flows'];

export interface TrustedKeyInfo {
  /** RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key: the `kid` signers put in their JWS header. */
  id: string;
  name: string;
  purpose: TrustedKeyPurpose;
  /** who holds the private key (a person, team or build system) */
  owner: string;
  /** SPKI PEM */
  publicKeyPem: string;
  /** ISO 8601 */
  addedAt: string;
  /** ISO 8601; absent = does not expire */
  expiresAt?: string;
  /** ISO 8601; set once revoked (revocation is final) */
  revokedAt?: string;
  revokeReason?: string;
}

export interface AddTrustedKeyInput {
  name: string;
  purpose: TrustedKeyPurpose;
  owner: string;
  /** Ed25519 public key, SPKI PEM (as `openssl pkey -pubout` writes it) */
  publicKeyPem: string;
  /** ISO 8601 or ms since the epoch */
  expiresAt?: string | number;
}

/** Why a key id cannot be used: each is a different action for a person. */
export type TrustedKeyRefusal = 'unknown' | 'revoked' | 'expired' | 'wrong-purpose';

export type TrustedKeyLookup =
  | { ok: true; key: TrustedKeyInfo }
  | { ok: false; reason: TrustedKeyRefusal; message: string; key?: TrustedKeyInfo };

export interface TrustedKeysApi {
  /** Throws TrustedKeyError ('trusted-key-invalid' for a bad PEM/not Ed25519/bad input, 'trusted-key-exists'). Audited. */
  add(input: AddTrustedKeyInput, actor: string): TrustedKeyInfo;
  list(purpose?: TrustedKeyPurpose): TrustedKeyInfo[];
  get(id: string): TrustedKeyInfo | undefined;
  /** Final: a revoked key never verifies again. Throws 'trusted-key-not-found'. Audited. */
  revoke(id: string, reason: string, actor: string): TrustedKeyInfo;
  /** Whether `id` may verify a signature for `purpose` now. Not audited: the caller audits what it refused. */
  lookup(id: string, purpose: TrustedKeyPurpose): TrustedKeyLookup;
}
