/** The non-HttpOnly cookie carrying the session's CSRF token (server/src/api/cookies.ts). */
export const CSRF_COOKIE = '__Host-loopedge-csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** Reads one cookie from a `document.cookie` string; undefined when absent. */
export function readCookie(cookieString: string, name: string): string | undefined {
  for (const part of cookieString.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}
