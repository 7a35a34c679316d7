import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ROLE_PERMISSIONS, SecurityError, type Security } from '@loopedge/security';
import { ApiError } from './errors.js';
import { ACCESS_COOKIE, CSRF_COOKIE, CSRF_HEADER, parseCookies } from './cookies.js';
import type { Principal } from './route-types.js';

export interface Credentials {
  /** An API token, from `Authorization: Bearer` (REST) or the socket.io handshake's `auth.token`. */
  bearer?: string;
  /** The access JWT from the session cookie. */
  accessToken?: string;
}

/** Where a request carries its credentials. A malformed Authorization header is an error, not "anonymous". */
export function credentialsOf(headers: IncomingHttpHeaders): Credentials {
  const credentials: Credentials = {};
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw new ApiError('unauthenticated', 'The Authorization header must be "Bearer <API token>".');
    credentials.bearer = match[1]!;
  }
  const accessToken = parseCookies(headers.cookie)[ACCESS_COOKIE];
  if (accessToken) credentials.accessToken = accessToken;
  return credentials;
}

/**
 * Who is calling, or undefined for nobody. Presented but invalid credentials
 * throw 401: a client with an expired session must learn so (and refresh)
 * rather than be treated as a visitor. An API token wins over a cookie, so a
 * script run from a signed-in browser acts with the token's narrower scopes.
 */
export async function resolvePrincipal(credentials: Credentials, security: Security): Promise<Principal | undefined> {
  if (credentials.bearer !== undefined) {
    const identity = security.apiTokens.verify(credentials.bearer);
    const user = identity ? security.users.get(identity.userId) : undefined;
    if (!identity || !user || user.disabled) {
      throw new ApiError('unauthenticated', 'The API token is unknown, expired or revoked. Create a new one under /api/tokens.');
    }
    return { kind: 'token', user, permissions: identity.permissions, tokenId: identity.tokenId };
  }
  if (credentials.accessToken === undefined) return undefined;
  let claims;
  try {
    claims = await security.auth.verifyAccessToken(credentials.accessToken);
  } catch (error) {
    if (error instanceof SecurityError && error.code === 'token-expired') {
      throw new ApiError('token-expired', 'The session has expired. Refresh it with POST /api/auth/refresh or sign in again.');
    }
    if (error instanceof SecurityError) throw new ApiError('unauthenticated', 'The session is not valid. Sign in again.');
    throw error;
  }
  const user = security.users.get(claims.userId);
  if (!user || user.disabled) throw new ApiError('unauthenticated', 'The account of this session no longer exists or is disabled.');
  // The role comes from the database, not the token: a demotion applies at once.
  return {
    kind: 'session',
    user,
    permissions: ROLE_PERMISSIONS[user.role],
    sessionId: claims.sessionId,
    csrfToken: claims.csrfToken,
    expiresAt: claims.expiresAt,
  };
}

export function sameSecret(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/** Cookie-authenticated writes must echo the session's CSRF token in X-CSRF-Token. */
export function checkCsrf(principal: Principal | undefined, method: string, headers: IncomingHttpHeaders): void {
  if (principal?.kind !== 'session' || isSafeMethod(method)) return;
  const sent = headers[CSRF_HEADER];
  if (!sameSecret(typeof sent === 'string' ? sent : undefined, principal.csrfToken)) {
    throw new ApiError('csrf-failed', `A signed-in write needs the ${CSRF_HEADER} header with the session's CSRF token (the ${CSRF_COOKIE} cookie).`);
  }
}

/**
 * Defence in depth against cross-site writes: browsers send Origin (and
 * Sec-Fetch-Site) on every cross-origin request; either saying "another site"
 * refuses the write even before CSRF or cookies are looked at.
 */
export function checkOrigin(method: string, headers: IncomingHttpHeaders): void {
  if (isSafeMethod(method)) return;
  if (headers['sec-fetch-site'] === 'cross-site') throw new ApiError('origin-mismatch', 'Cross-site requests may not change anything.');
  const origin = headers.origin;
  // No Origin: not a browser's cross-origin request (curl, scripts, same-origin navigation).
  if (origin === undefined) return;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return refuseOrigin(origin);
  }
  if (originHost !== headers.host) refuseOrigin(origin);
}

function refuseOrigin(origin: string): never {
  throw new ApiError('origin-mismatch', `Requests from origin ${origin} may not change anything here; use the editor served by this device.`);
}
