import { ROLE_PERMISSIONS, type Permission, type Security } from '@loopedge/security';
import { ApiError } from './errors.js';
import type { AnyRoute, Principal } from './route-types.js';

export const REAUTH_PATH = '/api/auth/reauth';

/**
 * Step-up routes need a fresh session: a stolen cookie alone must not change
 * what the device trusts. Tokens never qualify (they cannot re-enter a password).
 */
export function checkStepUp(route: AnyRoute, principal: Principal | undefined, security: Security): void {
  if (!principal) return;
  if (principal.kind !== 'session') {
    throw new ApiError('forbidden', `${route.method} ${route.path} changes what this device trusts and needs a signed-in session that confirms its password, not an API token.`);
  }
  if (security.auth.stepUpUntil(principal.sessionId) !== undefined) return;
  throw new ApiError('reauth-required', `Confirm your password to continue with "${route.summary}" (POST ${REAUTH_PATH}); a confirmation lasts 5 minutes.`, {
    details: { reauthPath: REAUTH_PATH, twoFactor: principal.user.twoFactorEnabled },
  });
}

/** Whether a route needs step-up for this (validated) body and caller. */
export function needsStepUp(route: AnyRoute, body: unknown, principal: Principal | undefined): boolean {
  if (route.stepUp === undefined || principal === undefined) return false;
  return route.stepUp === true || route.stepUp(body, principal);
}

// Permissions an editor does not hold are admin-level: a token with one of them
// could administer users, security or certificates.
const EDITOR_PERMISSIONS = new Set<Permission>(ROLE_PERMISSIONS.editor);

/**
 * For POST /api/tokens: would the token carry admin-level permissions? Only those
 * the caller holds count: asking for more than one's role is refused anyway (400).
 */
export function grantsAdminPermissions(body: { permissions: readonly Permission[] }, principal: Principal): boolean {
  return body.permissions.some((permission) => !EDITOR_PERMISSIONS.has(permission) && principal.permissions.includes(permission));
}
