// Two-factor enrollment and removal. The secret is kept sealed (AES-256-GCM) and
// only becomes active once the user proves their authenticator has it.
import QRCode from 'qrcode';
import { SecurityError } from '../errors/security-error.js';
import { readSetting, writeSetting } from '../store/database.js';
import { requireUserRow, userRowById } from '../users/user-rows.js';
import { can, isRole } from '../roles/roles.js';
import type { SecurityContext } from '../context.js';
import type { TwoFactorApi } from '../types.js';
import { checkTotp, newRecoveryCodes, newTotpSecret, storeRecoveryCodes, totpUri } from './totp-check.js';

const REQUIRE_SETTING = 'require_two_factor';

export function totpSecretContext(userId: string): string {
  return `totp:${userId}`;
}

export function createTwoFactor(ctx: SecurityContext): TwoFactorApi {
  const { db, box, audit, clock } = ctx;

  return {
    async beginEnrollment(userId) {
      const row = requireUserRow(db, userId);
      if (row.totp_enabled === 1) {
        throw new SecurityError('two-factor-already-enabled', `${row.username} already has two-factor login; turn it off first to enroll a new authenticator.`);
      }
      const secret = newTotpSecret();
      db.prepare('UPDATE users SET totp_pending_sealed = ? WHERE id = ?').run(box.seal(secret, totpSecretContext(userId)), userId);
      const otpauthUrl = totpUri(secret, row.username);
      const qrDataUrl = await QRCode.toDataURL(otpauthUrl, { errorCorrectionLevel: 'M', margin: 2 });
      audit.append({ actor: row.username, action: 'two-factor.enroll-begin', target: row.username, outcome: 'success' });
      return { secret, otpauthUrl, qrDataUrl };
    },

    async confirmEnrollment(userId, code) {
      const row = requireUserRow(db, userId);
      if (row.totp_pending_sealed === null) {
        throw new SecurityError('two-factor-not-started', `No two-factor enrollment is in progress for ${row.username}; start one first.`);
      }
      const secret = box.open(row.totp_pending_sealed, totpSecretContext(userId));
      const step = checkTotp(secret, code, clock(), null);
      if (step === undefined) {
        audit.append({ actor: row.username, action: 'two-factor.enable', target: row.username, outcome: 'failure', details: { reason: 'wrong code' } });
        throw new SecurityError('invalid-totp', 'The code does not match: check the authenticator app shows LoopEdge and the device clock is right, then try the current code.');
      }
      const recoveryCodes = newRecoveryCodes();
      db.transaction(() => {
        db.prepare(
          `UPDATE users SET totp_enabled = 1, totp_secret_sealed = totp_pending_sealed, totp_pending_sealed = NULL, totp_last_step = ?
           WHERE id = ?`,
        ).run(step, userId);
        storeRecoveryCodes(ctx, userId, recoveryCodes);
      })();
      audit.append({ actor: row.username, action: 'two-factor.enable', target: row.username, outcome: 'success' });
      return { recoveryCodes };
    },

    disable(userId, actor) {
      const actorRow = userRowById(db, actor.id);
      const allowed =
        actorRow !== undefined && actorRow.disabled === 0 && (actorRow.id === userId || (isRole(actorRow.role) && can(actorRow.role, 'users:write')));
      if (!allowed) {
        throw new SecurityError('forbidden', `${actor.username} may not turn off two-factor login for another user; only admins may.`);
      }
      const row = requireUserRow(db, userId);
      db.transaction(() => {
        db.prepare(
          'UPDATE users SET totp_enabled = 0, totp_secret_sealed = NULL, totp_pending_sealed = NULL, totp_last_step = NULL WHERE id = ?',
        ).run(userId);
        db.prepare('DELETE FROM recovery_codes WHERE user_id = ?').run(userId);
      })();
      audit.append({ actor: actorRow.username, action: 'two-factor.disable', target: row.username, outcome: 'success' });
    },

    get requireForEveryone() {
      return readSetting(db, REQUIRE_SETTING) === 'true';
    },

    set requireForEveryone(value: boolean) {
      writeSetting(db, REQUIRE_SETTING, value ? 'true' : 'false');
      audit.append({ action: 'security.require-two-factor', outcome: 'success', details: { required: value } });
    },
  };
}
