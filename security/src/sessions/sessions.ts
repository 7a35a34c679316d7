// Sessions: a row per login, holding the CSRF token and the family of refresh
// tokens issued to it. Access tokens are EdDSA JWTs that live 15 minutes and are
// checked against the session row, so logout and revocation act at once.
// Refresh tokens are single use: each refresh spends the presented token and
// issues the next one; presenting a spent token means it was copied, so the
// whole session (the token family) is revoked.
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { sign as signBytes, verify as verifyBytes } from 'node:crypto';
import { SecurityError } from '../errors/security-error.js';
import { randomId, randomToken, sha256Hex } from '../crypto/random.js';
import { isRole } from '../roles/roles.js';
import { userRowById } from '../users/user-rows.js';
import type { SecurityContext } from '../context.js';
import type { SessionClaims, SessionTokens } from '../types.js';
import type { SigningKeys } from './signing-key.js';

export const ACCESS_TOKEN_TTL_MS = 15 * 60_000;
export const REFRESH_TOKEN_IDLE_MS = 24 * 60 * 60_000;
export const SESSION_MAX_MS = 7 * 24 * 60 * 60_000;
export const ENROLLMENT_TOKEN_TTL_MS = 10 * 60_000;
const ISSUER = 'loopedge';
const ACCESS_AUDIENCE = 'loopedge-admin';
const ALGORITHM = 'EdDSA';

interface SessionRow {
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

interface RefreshRow {
  token_hash: string;
  session_id: string;
  expires_at: number;
  spent_at: number | null;
}

export interface Sessions {
  start(userId: string, sourceIp: string): Promise<SessionTokens>;
  verifyAccessToken(token: string): Promise<SessionClaims>;
  refresh(refreshToken: string, sourceIp: string): Promise<SessionTokens>;
  revoke(sessionId: string, reason: string): void;
  revokeUser(userId: string, reason: string): void;
  issueEnrollmentToken(userId: string): string;
  verifyEnrollmentToken(token: string): { userId: string };
}

export function createSessions(ctx: SecurityContext, keys: SigningKeys): Sessions {
  const { db, clock, audit } = ctx;
  const sessionById = db.prepare('SELECT * FROM sessions WHERE id = ?');

  async function issueTokens(session: SessionRow): Promise<SessionTokens> {
    const now = clock();
    const issuedAt = Math.floor(now / 1000);
    const accessExpiresAt = (issuedAt * 1000) + ACCESS_TOKEN_TTL_MS;
    const accessToken = await new SignJWT({ sid: session.id, csrf: session.csrf_token })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(ACCESS_AUDIENCE)
      .setSubject(session.user_id)
      .setIssuedAt(issuedAt)
      .setExpirationTime(accessExpiresAt / 1000)
      .setJti(randomId())
      .sign(keys.privateKey);
    const refreshToken = randomToken(32);
    const refreshExpiresAt = Math.min(now + REFRESH_TOKEN_IDLE_MS, session.expires_at);
    db.prepare('INSERT INTO refresh_tokens (token_hash, session_id, issued_at, expires_at) VALUES (?, ?, ?, ?)').run(
      sha256Hex(refreshToken),
      session.id,
      now,
      refreshExpiresAt,
    );
    return { accessToken, refreshToken, csrfToken: session.csrf_token, sessionId: session.id, accessExpiresAt, refreshExpiresAt };
  }

  function revoke(sessionId: string, reason: string): void {
    db.prepare('UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL').run(clock(), reason, sessionId);
  }

  function activeSession(sessionId: string, now: number): SessionRow | undefined {
    const row = sessionById.get(sessionId) as SessionRow | undefined;
    return row && row.revoked_at === null && row.expires_at > now ? row : undefined;
  }

  async function verifyJwt(token: string, audience: string): Promise<{ sub: string; sid?: unknown; exp: number }> {
    try {
      const { payload } = await jwtVerify(token, keys.publicKey, {
        algorithms: [ALGORITHM],
        issuer: ISSUER,
        audience,
        currentDate: new Date(clock()),
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      return payload as { sub: string; sid?: unknown; exp: number };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new SecurityError('token-expired', 'The access token has expired; refresh the session or log in again.');
      throw new SecurityError('invalid-token', 'The token is not valid: log in again.', { cause: error });
    }
  }

  return {
    async start(userId, sourceIp) {
      const now = clock();
      const session: SessionRow = {
        id: randomId(),
        user_id: userId,
        csrf_token: randomToken(24),
        created_at: now,
        expires_at: now + SESSION_MAX_MS,
        revoked_at: null,
      };
      db.prepare('INSERT INTO sessions (id, user_id, csrf_token, source_ip, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)').run(
        session.id,
        userId,
        session.csrf_token,
        sourceIp,
        now,
        session.expires_at,
      );
      return issueTokens(session);
    },

    async verifyAccessToken(token) {
      const payload = await verifyJwt(token, ACCESS_AUDIENCE);
      const session = typeof payload.sid === 'string' ? activeSession(payload.sid, clock()) : undefined;
      const user = session && session.user_id === payload.sub ? userRowById(db, session.user_id) : undefined;
      if (!session || !user || user.disabled === 1 || !isRole(user.role)) {
        throw new SecurityError('invalid-token', 'The session has ended (logged out, revoked or the user changed); log in again.');
      }
      return { userId: user.id, role: user.role, sessionId: session.id, csrfToken: session.csrf_token, expiresAt: payload.exp * 1000 };
    },

    async refresh(refreshToken, sourceIp) {
      const now = clock();
      const row = typeof refreshToken === 'string'
        ? (db.prepare('SELECT * FROM refresh_tokens WHERE token_hash = ?').get(sha256Hex(refreshToken)) as RefreshRow | undefined)
        : undefined;
      if (!row) throw new SecurityError('invalid-token', 'Unknown refresh token: log in again.');
      const session = sessionById.get(row.session_id) as SessionRow;
      const user = userRowById(db, session.user_id);
      const spend = db.prepare('UPDATE refresh_tokens SET spent_at = ? WHERE token_hash = ? AND spent_at IS NULL');
      if (row.spent_at !== null || spend.run(now, row.token_hash).changes !== 1) {
        revoke(session.id, 'refresh token reused');
        audit.append({
          actor: user?.username,
          action: 'auth.refresh-reuse',
          target: session.id,
          outcome: 'failure',
          sourceIp,
          details: { reason: 'a spent refresh token was presented again; the session was revoked' },
        });
        throw new SecurityError('invalid-token', 'This refresh token was already used; the session has been ended for safety. Log in again.');
      }
      if (row.expires_at <= now || !activeSession(session.id, now) || !user || user.disabled === 1) {
        throw new SecurityError('invalid-token', 'The session has ended; log in again.');
      }
      return issueTokens(session);
    },

    revoke,

    revokeUser(userId, reason) {
      db.prepare('UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE user_id = ? AND revoked_at IS NULL').run(clock(), reason, userId);
    },

    issueEnrollmentToken(userId) {
      return signEnrollmentToken(keys, userId, clock() + ENROLLMENT_TOKEN_TTL_MS);
    },

    verifyEnrollmentToken(token) {
      const userId = openEnrollmentToken(keys, token, clock());
      const user = userId === undefined ? undefined : userRowById(db, userId);
      if (!user || user.disabled === 1) {
        throw new SecurityError('invalid-token', 'The two-factor enrollment token is not valid or has expired (10 minutes); log in again.');
      }
      return { userId: user.id };
    },
  };
}

// The enrollment token only lets a user who proved their password enroll an
// authenticator; it is never a session. Signed with the same Ed25519 key but in its
// own format, so it can never pass as an access token (and checking it is synchronous).
const ENROLLMENT_PURPOSE = 'loopedge/two-factor-enrollment';

function signEnrollmentToken(keys: SigningKeys, userId: string, expiresAt: number): string {
  const body = Buffer.from(JSON.stringify({ purpose: ENROLLMENT_PURPOSE, sub: userId, exp: expiresAt }), 'utf8').toString('base64url');
  return `${body}.${signBytes(null, Buffer.from(body, 'utf8'), keys.privateKey).toString('base64url')}`;
}

function openEnrollmentToken(keys: SigningKeys, token: string, now: number): string | undefined {
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined) return undefined;
  if (!verifyBytes(null, Buffer.from(body, 'utf8'), keys.publicKey, Buffer.from(signature, 'base64url'))) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { purpose?: unknown; sub?: unknown; exp?: unknown };
    const valid = claims.purpose === ENROLLMENT_PURPOSE && typeof claims.sub === 'string' && typeof claims.exp === 'number' && claims.exp > now;
    return valid ? (claims.sub as string) : undefined;
  } catch {
    return undefined;
  }
}
