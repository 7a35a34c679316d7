// The trust store: Ed25519 public keys allowed to sign releases (and, later, flow
// deploys). Kept in its own table of security.sqlite, created here so the store
// can be added without touching the schema version. Every change is audited;
// revocation is final because a leaked key must never come back by mistake.
import { TrustedKeyError } from './trusted-key-error.js';
import { ed25519Thumbprint, parseEd25519PublicKey } from './key-thumbprint.js';
import { TRUSTED_KEY_PURPOSES, type TrustedKeyInfo, type TrustedKeyPurpose, type TrustedKeysApi } from './trusted-key-types.js';
import type { SecurityContext } from '../context.js';

const TABLE_SQL = `
CREATE TABLE IF NOT EXISTS trusted_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  purpose TEXT NOT NULL,
  owner TEXT NOT NULL,
  public_pem TEXT NOT NULL,
  added_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked_at INTEGER,
  revoke_reason TEXT
)`;
const MAX_TEXT = 200;

interface TrustedKeyRow {
  id: string;
  name: string;
  purpose: TrustedKeyPurpose;
  owner: string;
  public_pem: string;
  added_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  revoke_reason: string | null;
}

export function createTrustedKeys(ctx: Pick<SecurityContext, 'db' | 'clock' | 'audit'>): TrustedKeysApi {
  const { db, clock, audit } = ctx;
  db.exec(TABLE_SQL);
  const byId = db.prepare('SELECT * FROM trusted_keys WHERE id = ?');

  function row(id: string): TrustedKeyRow | undefined {
    return byId.get(id) as TrustedKeyRow | undefined;
  }

  return {
    add(input, actor) {
      const name = requireText(input.name, 'name');
      const owner = requireText(input.owner, 'owner');
      if (!TRUSTED_KEY_PURPOSES.includes(input.purpose)) {
        throw new TrustedKeyError('trusted-key-invalid', `Trusted key purpose must be one of ${TRUSTED_KEY_PURPOSES.join(', ')}, got "${String(input.purpose)}".`);
      }
      let publicPem: string;
      let id: string;
      try {
        const key = parseEd25519PublicKey(input.publicKeyPem);
        publicPem = key.export({ format: 'pem', type: 'spki' }).toString();
        id = ed25519Thumbprint(key);
      } catch (error) {
        throw new TrustedKeyError('trusted-key-invalid', `The public key for "${name}" cannot be used: ${(error as Error).message}. Give an Ed25519 public key as SPKI PEM.`, { cause: error });
      }
      const expiresAt = input.expiresAt === undefined ? null : toMs(input.expiresAt);
      if (expiresAt !== null && expiresAt <= clock()) throw new TrustedKeyError('trusted-key-invalid', `The expiry of "${name}" is in the past; give a future date.`);
      const existing = row(id);
      if (existing) {
        throw new TrustedKeyError('trusted-key-exists', `This key is already in the trust store as "${existing.name}" (${existing.purpose}${existing.revoked_at ? ', revoked' : ''}); a key id has one entry.`);
      }
      const now = clock();
      db.prepare('INSERT INTO trusted_keys (id, name, purpose, owner, public_pem, added_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        id, name, input.purpose, owner, publicPem, now, expiresAt,
      );
      audit.append({ actor, action: 'trusted-key.add', target: id, outcome: 'success', details: { name, purpose: input.purpose, owner, ...(expiresAt ? { expiresAt: new Date(expiresAt).toISOString() } : {}) } });
      return toInfo(row(id) as TrustedKeyRow);
    },

    list(purpose) {
      const rows = (purpose
        ? db.prepare('SELECT * FROM trusted_keys WHERE purpose = ? ORDER BY added_at, id').all(purpose)
        : db.prepare('SELECT * FROM trusted_keys ORDER BY added_at, id').all()) as TrustedKeyRow[];
      return rows.map(toInfo);
    },

    get(id) {
      const found = row(id);
      return found ? toInfo(found) : undefined;
    },

    revoke(id, reason, actor) {
      const found = row(id);
      if (!found) throw new TrustedKeyError('trusted-key-not-found', `No trusted key has the id "${id}"; list them to find the right one.`);
      if (found.revoked_at === null) {
        db.prepare('UPDATE trusted_keys SET revoked_at = ?, revoke_reason = ? WHERE id = ?').run(clock(), reason.slice(0, MAX_TEXT), id);
        audit.append({ actor, action: 'trusted-key.revoke', target: id, outcome: 'success', details: { name: found.name, purpose: found.purpose, reason } });
      }
      return toInfo(row(id) as TrustedKeyRow);
    },

    lookup(id, purpose) {
      const found = row(id);
      if (!found) return { ok: false, reason: 'unknown', message: `The signing key ${id} is not in this device's trust store.` };
      const key = toInfo(found);
      if (found.revoked_at !== null) {
        return { ok: false, reason: 'revoked', key, message: `The signing key "${found.name}" (${id}) was revoked on ${key.revokedAt}${found.revoke_reason ? `: ${found.revoke_reason}` : ''}.` };
      }
      if (found.expires_at !== null && found.expires_at <= clock()) {
        return { ok: false, reason: 'expired', key, message: `The signing key "${found.name}" (${id}) expired on ${key.expiresAt}.` };
      }
      if (found.purpose !== purpose) {
        return { ok: false, reason: 'wrong-purpose', key, message: `The key "${found.name}" is trusted for ${found.purpose}, not for ${purpose}.` };
      }
      return { ok: true, key };
    },
  };
}

function requireText(value: unknown, field: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length === 0 || text.length > MAX_TEXT) throw new TrustedKeyError('trusted-key-invalid', `A trusted key needs a ${field} of 1 to ${MAX_TEXT} characters.`);
  return text;
}

function toMs(value: string | number): number {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new TrustedKeyError('trusted-key-invalid', `"${String(value)}" is not a date; give ISO 8601 (2027-01-31T00:00:00Z).`);
  return ms;
}

function toInfo(r: TrustedKeyRow): TrustedKeyInfo {
  return {
    id: r.id,
    name: r.name,
    purpose: r.purpose,
    owner: r.owner,
    publicKeyPem: r.public_pem,
    addedAt: new Date(r.added_at).toISOString(),
    ...(r.expires_at !== null ? { expiresAt: new Date(r.expires_at).toISOString() } : {}),
    ...(r.revoked_at !== null ? { revokedAt: new Date(r.revoked_at).toISOString() } : {}),
    ...(r.revoke_reason !== null ? { revokeReason: r.revoke_reason } : {}),
  };
}
