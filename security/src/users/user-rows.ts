// Reading user rows and turning them into PublicUser: the only place a users row is
// mapped, so no hash or secret column can slip into an API answer.
import { SecurityError } from '../errors/security-error.js';
import { can, isRole, type Permission, type Role } from '../roles/roles.js';
import type { SecurityDatabase } from '../store/database.js';
import type { PublicUser } from '../types.js';

export interface UserRow {
  id: string;
  username: string;
  username_key: string;
  role: string;
  password_hash: string;
  disabled: number;
  created_at: string;
  totp_enabled: number;
  totp_secret_sealed: string | null;
  totp_pending_sealed: string | null;
  totp_last_step: number | null;
}

export function toPublicUser(row: UserRow): PublicUser {
  return {
    id: row.id,
    username: row.username,
    role: isRole(row.role) ? row.role : 'viewer',
    twoFactorEnabled: row.totp_enabled === 1,
    disabled: row.disabled === 1,
    createdAt: row.created_at,
  };
}

export function usernameKey(username: string): string {
  return username.normalize('NFC').toLowerCase();
}

export function userRowById(db: SecurityDatabase, id: string): UserRow | undefined {
  return db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
}

export function userRowByName(db: SecurityDatabase, username: string): UserRow | undefined {
  return db.prepare('SELECT * FROM users WHERE username_key = ?').get(usernameKey(username)) as UserRow | undefined;
}

export function requireUserRow(db: SecurityDatabase, id: string): UserRow {
  const row = userRowById(db, id);
  if (!row) throw new SecurityError('user-not-found', `No user with id "${id}".`);
  return row;
}

/**
 * The actor as the database knows them now: a caller's PublicUser may be stale
 * (demoted, disabled, removed since the request was authenticated).
 */
export function requireActorWith(db: SecurityDatabase, actor: PublicUser, permission: Permission, action: string): UserRow {
  const row = userRowById(db, actor.id);
  if (!row || row.disabled === 1 || !isRole(row.role) || !can(row.role as Role, permission)) {
    throw new SecurityError('forbidden', `${actor.username} may not ${action}: it needs the ${permission} permission.`);
  }
  return row;
}

export function countEnabledAdmins(db: SecurityDatabase): number {
  return (db.prepare("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0").get() as { n: number }).n;
}
