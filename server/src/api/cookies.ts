import type { Response } from 'express';
import type { SessionTokens } from '@loopedge/security';

/**
 * `__Host-` cookies are only accepted by browsers when Secure, Path=/ and
 * without Domain, so no sibling host or plain-HTTP page can plant them. The
 * refresh cookie is narrowed to the auth routes, which `__Host-` does not
 * allow, hence `__Secure-`.
 */
export const ACCESS_COOKIE = '__Host-loopedge-access';
/** Readable by the editor's script (double-submit CSRF); useless to another site, which cannot read it. */
export const CSRF_COOKIE = '__Host-loopedge-csrf';
export const REFRESH_COOKIE = '__Secure-loopedge-refresh';
export const REFRESH_COOKIE_PATH = '/api/auth';
export const CSRF_HEADER = 'x-csrf-token';

/** Parses a Cookie header; the first value of a repeated name wins, as browsers order the most specific first. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = Object.create(null) as Record<string, string>;
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (name in cookies) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      cookies[name] = decodeURIComponent(value);
    } catch {
      cookies[name] = value;
    }
  }
  return cookies;
}

/** Sets the three session cookies; lifetimes follow the tokens' own expiry. */
export function setSessionCookies(res: Response, tokens: SessionTokens, now: number): void {
  const base = { secure: true, sameSite: 'strict' as const };
  const accessMs = Math.max(0, tokens.accessExpiresAt - now);
  const refreshMs = Math.max(0, tokens.refreshExpiresAt - now);
  res.cookie(ACCESS_COOKIE, tokens.accessToken, { ...base, httpOnly: true, path: '/', maxAge: accessMs });
  res.cookie(REFRESH_COOKIE, tokens.refreshToken, { ...base, httpOnly: true, path: REFRESH_COOKIE_PATH, maxAge: refreshMs });
  res.cookie(CSRF_COOKIE, tokens.csrfToken, { ...base, httpOnly: false, path: '/', maxAge: refreshMs });
}

export function clearSessionCookies(res: Response): void {
  const base = { secure: true, sameSite: 'strict' as const };
  res.clearCookie(ACCESS_COOKIE, { ...base, httpOnly: true, path: '/' });
  res.clearCookie(REFRESH_COOKIE, { ...base, httpOnly: true, path: REFRESH_COOKIE_PATH });
  res.clearCookie(CSRF_COOKIE, { ...base, path: '/' });
}
