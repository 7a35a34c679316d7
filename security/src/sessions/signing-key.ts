// The Ed25519 key pair that signs access tokens: made on first start, private half
// kept sealed in the database. Only EdDSA is accepted when verifying, so a token
// with `alg: none` or HS256 (keyed with the public key) is refused before any check.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { SecretBox } from '../crypto/secret-box.js';
import type { SecurityDatabase } from '../store/database.js';

const KEY_NAME = 'session-signing';

export interface SigningKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function loadOrCreateSigningKeys(db: SecurityDatabase, box: SecretBox): SigningKeys {
  const context = `secret-key:${KEY_NAME}`;
  const row = db.prepare('SELECT public_pem, private_sealed FROM secret_keys WHERE name = ?').get(KEY_NAME) as
    | { public_pem: string; private_sealed: string }
    | undefined;
  if (row) {
    return { privateKey: createPrivateKey(box.open(row.private_sealed, context)), publicKey: createPublicKey(row.public_pem) };
  }
  const pair = generateKeyPairSync('ed25519');
  const privatePem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const publicPem = pair.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  // OR IGNORE + re-read: if another process made a key at the same moment, both use the one stored.
  db.prepare('INSERT OR IGNORE INTO secret_keys (name, public_pem, private_sealed) VALUES (?, ?, ?)').run(
    KEY_NAME,
    publicPem,
    box.seal(privatePem, context),
  );
  return loadOrCreateSigningKeys(db, box);
}
