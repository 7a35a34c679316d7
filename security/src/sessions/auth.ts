// Login. The order matters:
//   1. a locked account name or address is answered 'locked' before any password work;
//   2. the password is always checked with bcrypt (a dummy hash for unknown names),
//      so known and unknown usernames cost the same time and get the same 'invalid';
//   3. only after the password: disabled accounts ('invalid'), two-factor;
//   4. a session is started and the account's failure counter cleared.
import { SecurityError } from '../errors/security-error.js';
import { readSetting } from '../store/database.js';
import { toPublicUser, userRowById, userRowByName, type UserRow } from '../users/user-rows.js';
import { totpSecretContext } from '../two-factor/two-factor.js';
import { checkTotp, claimTotpStep, consumeRecoveryCode } from '../two-factor/totp-check.js';
import type { SecurityContext } from '../context.js';
import type { AuthApi, LoginInput, LoginResult, ReauthInput, ReauthResult } from '../types.js';
import type { LoginThrottle } from './login-throttle.js';
import type { Sessions } from './sessions.js';
import { createStepUpMarks } from './step-up.js';

const REQUIRE_TWO_FACTOR_SETTING = 'require_two_factor';
/** Longer input is refused before bcrypt, so a huge body cannot cost more time than a normal one. */
const MAX_LOGIN_FIELD_LENGTH = 1024;

export function createAuth(ctx: SecurityContext, sessions: Sessions, throttle: LoginThrottle): AuthApi {
  const { db, clock, hasher, audit, box } = ctx;
  const stepUp = createStepUpMarks(db);

  function fail(input: LoginInput, reason: string, result: LoginResult, countsAsFailure: boolean): LoginResult {
    if (countsAsFailure) throttle.recordFailure(input.username, input.sourceIp, clock());
    audit.append({ actor: input.username, action: 'auth.login', outcome: 'failure', sourceIp: input.sourceIp, details: { reason } });
    return result;
  }

  /** 'ok', or why the second factor was not accepted. */
  function checkSecondFactor(row: UserRow, input: Pick<LoginInput, 'totp' | 'recoveryCode'>): 'ok' | 'missing' | 'wrong' {
    if (input.totp) {
      const secret = box.open(row.totp_secret_sealed ?? '', totpSecretContext(row.id));
      const step = checkTotp(secret, input.totp, clock(), row.totp_last_step);
      return step !== undefined && claimTotpStep(ctx, row.id, step) ? 'ok' : 'wrong';
    }
    if (input.recoveryCode) return consumeRecoveryCode(ctx, row.id, input.recoveryCode) ? 'ok' : 'wrong';
    return 'missing';
  }

  return {
    async login(input) {
      const username = typeof input.username === 'string' ? input.username.slice(0, MAX_LOGIN_FIELD_LENGTH) : '';
      const password = typeof input.password === 'string' ? input.password : '';
      // No stored password is this long (the policy caps at 128): hash a short stand-in, never match.
      const passwordTooLong = password.length > MAX_LOGIN_FIELD_LENGTH;
      const sourceIp = typeof input.sourceIp === 'string' && input.sourceIp ? input.sourceIp : 'unknown';
      const request: LoginInput = { ...input, username, password: '', sourceIp };

      const retryAfterMs = throttle.retryAfter(username, sourceIp, clock());
      if (retryAfterMs > 0) return fail(request, 'locked', { ok: false, reason: 'locked', retryAfterMs }, false);

      const row = username ? userRowByName(db, username) : undefined;
      const passwordMatches = (await hasher.verify(passwordTooLong ? '' : password, row?.password_hash)) && !passwordTooLong;
      if (!row || !passwordMatches || row.disabled === 1) {
        const reason = !row ? 'unknown user' : !passwordMatches ? 'wrong password' : 'user disabled';
        return fail(request, reason, { ok: false, reason: 'invalid' }, true);
      }

      if (row.totp_enabled === 1) {
        const second = checkSecondFactor(row, request);
        // The password was right: asking for the code is not a failed attempt.
        if (second === 'missing') return { ok: false, reason: 'two-factor-required' };
        if (second === 'wrong') return fail(request, 'wrong two-factor code', { ok: false, reason: 'invalid' }, true);
        if (request.recoveryCode) {
          audit.append({ actor: row.username, action: 'two-factor.recovery-code-used', target: row.username, outcome: 'success', sourceIp });
        }
      } else if (readSetting(db, REQUIRE_TWO_FACTOR_SETTING) === 'true') {
        audit.append({ actor: row.username, action: 'auth.login', outcome: 'failure', sourceIp, details: { reason: 'two-factor setup required' } });
        return { ok: false, reason: 'two-factor-setup-required', enrollmentToken: sessions.issueEnrollmentToken(row.id) };
      }

      throttle.recordSuccess(username);
      const tokens = await sessions.start(row.id, sourceIp);
      audit.append({ actor: row.username, action: 'auth.login', outcome: 'success', sourceIp, details: { sessionId: tokens.sessionId } });
      return { ok: true, user: toPublicUser(row), tokens };
    },

    verifyAccessToken(token) {
      return sessions.verifyAccessToken(token);
    },

    refresh(refreshToken, sourceIp) {
      return sessions.refresh(refreshToken, sourceIp);
    },

    logout(sessionId) {
      const row = db.prepare('SELECT s.id, u.username FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?').get(sessionId) as
        | { id: string; username: string }
        | undefined;
      if (!row) throw new SecurityError('invalid-token', `No session "${sessionId}".`);
      sessions.revoke(sessionId, 'logout');
      audit.append({ actor: row.username, action: 'auth.logout', target: sessionId, outcome: 'success' });
    },

    revokeUserSessions(userId) {
      sessions.revokeUser(userId, 'revoked');
      audit.append({ action: 'auth.sessions-revoked', target: userId, outcome: 'success' });
    },

    verifyEnrollmentToken(token) {
      return sessions.verifyEnrollmentToken(token);
    },

    async reauthenticate(input: ReauthInput): Promise<ReauthResult> {
      const session = db.prepare('SELECT user_id FROM sessions WHERE id = ? AND revoked_at IS NULL AND expires_at > ?').get(input.sessionId, clock()) as
        | { user_id: string }
        | undefined;
      const row = session ? userRowById(db, session.user_id) : undefined;
      if (!row || row.disabled === 1) throw new SecurityError('invalid-token', 'The session has ended; sign in again.');
      const password = typeof input.password === 'string' && input.password.length <= MAX_LOGIN_FIELD_LENGTH ? input.password : '';
      const sourceIp = input.sourceIp || 'unknown';
      const failure = (reason: string, result: ReauthResult, counts: boolean): ReauthResult => {
        if (counts) throttle.recordFailure(row.username, sourceIp, clock());
        audit.append({ actor: row.username, action: 'auth.reauth', target: input.sessionId, outcome: 'failure', sourceIp, details: { reason } });
        return result;
      };
      // The same lockout as sign-in: a stolen session must not become a password-guessing oracle.
      const retryAfterMs = throttle.retryAfter(row.username, sourceIp, clock());
      if (retryAfterMs > 0) return failure('locked', { ok: false, reason: 'locked', retryAfterMs }, false);
      if (!password || !(await hasher.verify(password, row.password_hash))) return failure('wrong password', { ok: false, reason: 'invalid' }, true);
      if (row.totp_enabled === 1) {
        const second = checkSecondFactor(row, input);
        if (second === 'missing') return { ok: false, reason: 'two-factor-required' };
        if (second === 'wrong') return failure('wrong two-factor code', { ok: false, reason: 'invalid' }, true);
      }
      throttle.recordSuccess(row.username);
      const freshUntil = stepUp.mark(input.sessionId, clock());
      audit.append({ actor: row.username, action: 'auth.reauth', target: input.sessionId, outcome: 'success', sourceIp, details: { freshUntil: new Date(freshUntil).toISOString() } });
      return { ok: true, freshUntil };
    },

    stepUpUntil(sessionId) {
      return stepUp.freshUntil(sessionId, clock());
    },
  };
}
