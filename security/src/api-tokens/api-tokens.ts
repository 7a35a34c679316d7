// API tokens for machines (CI deploys, monitoring). A token reads
// `le_<id>_<secret>`: the id finds the row, only SHA-256 of the secret is stored,
// the whole token is shown once. A token never grants more than its scopes, nor
// more than its owner's role allows now (a demoted owner's tokens shrink with them).
import { SecurityError } from '../errors/security-error.js';
import { equalHex, randomToken, sha256Hex } from '../crypto/random.js';
import { randomBytes } from 'node:crypto';
import { can, isPermission, isRole, type Permission } from '../roles/roles.js';
import { requireUserRow, userRowById } from '../users/user-rows.js';
import type { SecurityContext } from '../context.js';
import type { ApiTokenInfo, ApiTokensApi } from '../types.js';

const TOKEN_PATTERN = /^le_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const MAX_NAME_LENGTH = 100;
/** last_used_at is for people ("used 3 days ago"): writing it on every request would be wasted I/O. */
const LAST_USED_RESOLUTION_MS = 60_000;

interface ApiTokenRow {
  id: string;
  user_id: string;
  name: string;
  secret_hash: string;
  permissions: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

export function createApiTokens(ctx: SecurityContext): ApiTokensApi {
  const { db, clock, audit } = ctx;

  return {
    create(userId, input) {
      const owner = requireUserRow(db, userId);
      const name = typeof input.name === 'string' ? input.name.trim() : '';
      if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
        throw new SecurityError('invalid-permissions', `An API token needs a name of 1 to ${MAX_NAME_LENGTH} characters (what uses it, e.g. "CI deploy").`);
      }
      const permissions = [...new Set(input.permissions)];
      const unknown = permissions.filter((p) => !isPermission(p));
      if (permissions.length === 0 || unknown.length > 0) {
        throw new SecurityError('invalid-permissions', unknown.length > 0 ? `Unknown permission(s): ${unknown.join(', ')}.` : 'An API token needs at least one permission.');
      }
      const beyondRole = permissions.filter((p) => !isRole(owner.role) || !can(owner.role, p));
      if (beyondRole.length > 0) {
        throw new SecurityError('invalid-permissions', `${owner.username} (${owner.role}) cannot grant ${beyondRole.join(', ')}: a token may only carry permissions its owner has.`);
      }
      const now = clock();
      const expiresAt = input.expiresAt === undefined ? null : typeof input.expiresAt === 'number' ? input.expiresAt : Date.parse(input.expiresAt);
      if (expiresAt !== null && (Number.isNaN(expiresAt) || expiresAt <= now)) {
        throw new SecurityError('invalid-permissions', `expiresAt must be a future date-time, got ${String(input.expiresAt)}.`);
      }
      const id = randomBytes(8).toString('hex');
      const secret = randomToken(32);
      db.prepare(
        'INSERT INTO api_tokens (id, user_id, name, secret_hash, permissions, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(id, userId, name, sha256Hex(secret), JSON.stringify(permissions), now, expiresAt);
      audit.append({
        actor: owner.username,
        action: 'token.create',
        target: id,
        outcome: 'success',
        details: { name, permissions, expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString() },
      });
      return { id, token: `le_${id}_${secret}` };
    },

    verify(token) {
      const match = typeof token === 'string' ? TOKEN_PATTERN.exec(token) : null;
      if (!match) return undefined;
      const row = db.prepare('SELECT * FROM api_tokens WHERE id = ?').get(match[1]) as ApiTokenRow | undefined;
      const now = clock();
      if (!row || !equalHex(row.secret_hash, sha256Hex(match[2]!)) || row.revoked_at !== null) return undefined;
      if (row.expires_at !== null && row.expires_at <= now) return undefined;
      const owner = userRowById(db, row.user_id);
      if (!owner || owner.disabled === 1 || !isRole(owner.role)) return undefined;
      const role = owner.role;
      const permissions = (JSON.parse(row.permissions) as Permission[]).filter((p) => can(role, p));
      if (row.last_used_at === null || now - row.last_used_at >= LAST_USED_RESOLUTION_MS) {
        db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now, row.id);
      }
      return { userId: row.user_id, tokenId: row.id, permissions };
    },

    list(userId) {
      const rows = (
        userId === undefined
          ? db.prepare('SELECT * FROM api_tokens WHERE revoked_at IS NULL ORDER BY created_at').all()
          : db.prepare('SELECT * FROM api_tokens WHERE revoked_at IS NULL AND user_id = ? ORDER BY created_at').all(userId)
      ) as ApiTokenRow[];
      return rows.map(toInfo);
    },

    revoke(id, actor) {
      const row = db.prepare('SELECT * FROM api_tokens WHERE id = ?').get(id) as ApiTokenRow | undefined;
      const actorRow = userRowById(db, actor.id);
      if (!row || row.revoked_at !== null) throw new SecurityError('token-not-found', `No active API token "${id}".`);
      const isOwner = actorRow !== undefined && actorRow.id === row.user_id && actorRow.disabled === 0;
      const isAdmin = actorRow !== undefined && actorRow.disabled === 0 && isRole(actorRow.role) && can(actorRow.role, 'users:write');
      if (!isOwner && !isAdmin) {
        throw new SecurityError('forbidden', `${actor.username} may not revoke another user's API token; only its owner or an admin may.`);
      }
      db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ?').run(clock(), id);
      audit.append({ actor: actorRow!.username, action: 'token.revoke', target: id, outcome: 'success', details: { name: row.name } });
    },
  };
}

function toInfo(row: ApiTokenRow): ApiTokenInfo {
  const info: ApiTokenInfo = {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    permissions: JSON.parse(row.permissions) as Permission[],
    createdAt: new Date(row.created_at).toISOString(),
  };
  if (row.expires_at !== null) info.expiresAt = new Date(row.expires_at).toISOString();
  if (row.last_used_at !== null) info.lastUsedAt = new Date(row.last_used_at).toISOString();
  return info;
}
