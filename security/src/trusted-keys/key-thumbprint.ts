// The key id everyone agrees on: the RFC 7638 thumbprint of an Ed25519 public key,
// computed from the raw key bytes so it needs no async JOSE call.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

/** base64url SHA-256 of the JWK `{"crv":"Ed25519","kty":"OKP","x":...}` (members in lexicographic order). */
export function ed25519Thumbprint(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' }) as { crv?: string; x?: string };
  const canonical = `{"crv":"${jwk.crv ?? ''}","kty":"OKP","x":"${jwk.x ?? ''}"}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

/** Parses an Ed25519 public key from SPKI PEM (or the public half of a private key PEM); throws with a reason. */
export function parseEd25519PublicKey(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`the key is ${key.asymmetricKeyType ?? 'not asymmetric'}, not Ed25519`);
  return key;
}
