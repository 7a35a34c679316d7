// User accounts: create, change role or disabled flag, remove, passwords. Every
// change is audited; no change may leave the device without an enabled admin.
import { PasswordPolicyError, SecurityError } from '../errors/security-error.js';
import { randomId } from '../crypto/random.js';
import { isRole, type Role } from '../roles/roles.js';
import type { SecurityContext } from '../context.js';
import type { CreateUserInput, PublicUser, UserChanges, UsersApi } from '../types.js';
import {
  countEnabledAdmins,
  requireActorWith,
  requireUserRow,
  toPublicUser,
  userRowById,
  userRowByName,
  usernameKey,
  type UserRow,
} from './user-rows.js';

const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export interface UsersDependencies {
  revokeUserSessions(userId: string, reason: string): void;
}

export function createUsers(ctx: SecurityContext, deps: UsersDependencies): UsersApi & { createUnchecked(input: CreateUserInput, actor: string | undefined, source: string): Promise<PublicUser> } {
  const { db, clock, hasher, policy, audit } = ctx;

  async function createUnchecked(input: CreateUserInput, actor: string | undefined, source: string): Promise<PublicUser> {
    const username = checkUsername(input.username);
    if (!isRole(input.role)) {
      throw new SecurityError('invalid-role', `Role "${String(input.role)}" does not exist; use admin, editor, operator or viewer.`);
    }
    enforcePolicy(input.password, username);
    if (userRowByName(db, username)) throw usernameTaken(username);
    const passwordHash = await hasher.hash(input.password);
    const row: UserRow = {
      id: randomId(),
      username,
      username_key: usernameKey(username),
      role: input.role,
      password_hash: passwordHash,
      disabled: 0,
      created_at: new Date(clock()).toISOString(),
      totp_enabled: 0,
      totp_secret_sealed: null,
      totp_pending_sealed: null,
      totp_last_step: null,
    };
    try {
      db.prepare(
        `INSERT INTO users (id, username, username_key, role, password_hash, disabled, created_at, totp_enabled)
         VALUES (@id, @username, @username_key, @role, @password_hash, 0, @created_at, 0)`,
      ).run(row);
    } catch (error) {
      // Another request took the name while we were hashing.
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw usernameTaken(username);
      throw error;
    }
    audit.append({ actor, action: 'user.create', target: username, outcome: 'success', details: { role: input.role, via: source } });
    return toPublicUser(row);
  }

  function enforcePolicy(password: string, username: string): void {
    const result = policy.check(password, username);
    if (!result.ok) throw new PasswordPolicyError(result.reasons);
  }

  async function setPassword(row: UserRow, newPassword: string, actor: string, action: string): Promise<void> {
    enforcePolicy(newPassword, row.username);
    const passwordHash = await hasher.hash(newPassword);
    db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, row.id);
    deps.revokeUserSessions(row.id, action);
    audit.append({ actor, action, target: row.username, outcome: 'success' });
  }

  return {
    createUnchecked,

    count() {
      return (db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
    },

    list() {
      return (db.prepare('SELECT * FROM users ORDER BY username_key').all() as UserRow[]).map(toPublicUser);
    },

    get(id) {
      const row = userRowById(db, id);
      return row ? toPublicUser(row) : undefined;
    },

    findByUsername(username) {
      const row = userRowByName(db, username);
      return row ? toPublicUser(row) : undefined;
    },

    create(input) {
      return createUnchecked(input, undefined, 'api');
    },

    update(id, changes: UserChanges, actor: PublicUser) {
      const actorRow = requireActorWith(db, actor, 'users:write', 'change users');
      const row = requireUserRow(db, id);
      if (changes.role !== undefined && !isRole(changes.role)) {
        throw new SecurityError('invalid-role', `Role "${String(changes.role)}" does not exist; use admin, editor, operator or viewer.`);
      }
      const role: Role = changes.role ?? (row.role as Role);
      const disabled = changes.disabled ?? row.disabled === 1;
      const wasEnabledAdmin = row.role === 'admin' && row.disabled === 0;
      const staysEnabledAdmin = role === 'admin' && !disabled;
      db.transaction(() => {
        if (wasEnabledAdmin && !staysEnabledAdmin && countEnabledAdmins(db) <= 1) {
          throw new SecurityError('last-admin', `${row.username} is the last enabled admin; make another user admin first.`);
        }
        db.prepare('UPDATE users SET role = ?, disabled = ? WHERE id = ?').run(role, disabled ? 1 : 0, id);
      }).immediate();
      if (disabled && row.disabled === 0) deps.revokeUserSessions(id, 'user disabled');
      const details: Record<string, unknown> = {};
      if (role !== row.role) details.role = { from: row.role, to: role };
      if (disabled !== (row.disabled === 1)) details.disabled = disabled;
      audit.append({ actor: actorRow.username, action: 'user.update', target: row.username, outcome: 'success', details });
      return toPublicUser(requireUserRow(db, id));
    },

    remove(id, actor) {
      const actorRow = requireActorWith(db, actor, 'users:write', 'remove users');
      const row = requireUserRow(db, id);
      db.transaction(() => {
        if (row.role === 'admin' && row.disabled === 0 && countEnabledAdmins(db) <= 1) {
          throw new SecurityError('last-admin', `${row.username} is the last enabled admin and cannot be removed.`);
        }
        // Sessions, refresh tokens, API tokens and recovery codes go with the user (ON DELETE CASCADE).
        db.prepare('DELETE FROM users WHERE id = ?').run(id);
      }).immediate();
      audit.append({ actor: actorRow.username, action: 'user.remove', target: row.username, outcome: 'success' });
    },

    async changePassword(id, currentPassword, newPassword) {
      const row = requireUserRow(db, id);
      if (!(await hasher.verify(currentPassword, row.password_hash))) {
        audit.append({ actor: row.username, action: 'user.password-change', target: row.username, outcome: 'failure', details: { reason: 'wrong current password' } });
        throw new SecurityError('invalid-credentials', 'The current password is wrong.');
      }
      await setPassword(row, newPassword, row.username, 'user.password-change');
    },

    async resetPassword(id, newPassword, actor) {
      const actorRow = requireActorWith(db, actor, 'users:write', 'reset passwords');
      await setPassword(requireUserRow(db, id), newPassword, actorRow.username, 'user.password-reset');
    },
  };
}

function checkUsername(input: unknown): string {
  const username = typeof input === 'string' ? input.normalize('NFC') : '';
  if (!USERNAME_PATTERN.test(username)) {
    throw new SecurityError(
      'invalid-username',
      'A username is 1 to 64 characters: letters, digits, and . _ @ - (not first).',
    );
  }
  return username;
}

function usernameTaken(username: string): SecurityError {
  return new SecurityError('username-taken', `The username "${username}" is taken (usernames ignore case).`);
}
