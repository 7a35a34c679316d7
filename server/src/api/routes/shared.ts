import { Type } from '@sinclair/typebox';
import { PERMISSIONS, ROLES, type AuditInput } from '@loopedge/security';
import { ApiError } from '../errors.js';
import type { Principal, RouteContext } from '../route-types.js';

export const RoleSchema = Type.Union(ROLES.map((role) => Type.Literal(role)));
export const PermissionSchema = Type.Union(PERMISSIONS.map((permission) => Type.Literal(permission)));

export const PublicUserSchema = Type.Object({
  id: Type.String(),
  username: Type.String(),
  role: RoleSchema,
  twoFactorEnabled: Type.Boolean(),
  disabled: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
});

/** Non-public routes always have a caller (the router checked); this says so to the type checker. */
export function requirePrincipal(principal: Principal | undefined): Principal {
  if (!principal) throw new ApiError('unauthenticated', 'Sign in first.');
  return principal;
}

export function requireSession(principal: Principal | undefined): Extract<Principal, { kind: 'session' }> {
  const caller = requirePrincipal(principal);
  if (caller.kind !== 'session') throw new ApiError('not-a-session', 'This needs a signed-in session, not an API token.');
  return caller;
}

/** Appends an audit entry for something the server did on a caller's behalf. */
export function audit(context: RouteContext, entry: Omit<AuditInput, 'actor' | 'sourceIp'>): void {
  const actor = context.principal?.user.username;
  context.services.security.audit.append({ ...entry, ...(actor ? { actor } : {}), sourceIp: context.sourceIp });
}
