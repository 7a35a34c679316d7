import { totpCode } from '@loopedge/server/testing';

/** The code an authenticator app shows now. */
export function currentTotp(secret: string): string {
  return totpCode(secret, Date.now());
}

/**
 * The code of the next 30 s step. The server accepts one step of drift either
 * side but never a step at or before the last one used (replay), so a sign-in
 * right after enrolling with currentTotp() uses this instead of waiting.
 */
export function nextTotp(secret: string): string {
  return totpCode(secret, Date.now() + 30_000);
}

/** The path and query of the first-start setup link the server announced (`/setup?token=…`). */
export function setupLinkOf(announced: readonly string[]): string {
  for (const text of announced) {
    const match = /https:\/\/[^/\s]+(\/setup\?token=[A-Za-z0-9_%.-]+)/.exec(text);
    if (match) return match[1]!;
  }
  throw new Error(`The server announced no setup link; it printed: ${announced.join(' | ') || '(nothing)'}`);
}
