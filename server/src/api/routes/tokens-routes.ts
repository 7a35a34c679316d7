import { Type } from '@sinclair/typebox';
import { IdParam, StrictObject } from '../schema-tools.js';
import { defineRoute, type AnyRoute } from '../route-types.js';
import { grantsAdminPermissions } from '../step-up.js';
import { PermissionSchema, requirePrincipal, requireSession } from './shared.js';

const TokenInfoSchema = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  name: Type.String(),
  permissions: Type.Array(PermissionSchema),
  createdAt: Type.String(),
  expiresAt: Type.Optional(Type.String()),
  lastUsedAt: Type.Optional(Type.String()),
});

export const tokensRoutes: AnyRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/api/tokens',
    permission: 'tokens:write',
    tag: 'tokens',
    summary: 'API tokens: one\'s own; an administrator sees everyone\'s (never the token itself)',
    response: { status: 200, description: 'Tokens', schema: Type.Object({ tokens: Type.Array(TokenInfoSchema) }) },
    handler({ principal, services }) {
      const { user } = requirePrincipal(principal);
      return { body: { tokens: services.security.apiTokens.list(user.role === 'admin' ? undefined : user.id) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/tokens',
    permission: 'tokens:write',
    // A leaked token must not be able to mint more tokens.
    sessionOnly: true,
    stepUp: grantsAdminPermissions,
    tag: 'tokens',
    summary: 'Create an API token for oneself, scoped to some of one\'s permissions; the token is shown once',
    body: StrictObject({
      name: Type.String({ minLength: 1, maxLength: 100 }),
      permissions: Type.Array(PermissionSchema, { minItems: 1, maxItems: 20, uniqueItems: true }),
      expiresAt: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
    }),
    response: { status: 201, description: 'Created: store the token now, it cannot be shown again', schema: Type.Object({ id: Type.String(), token: Type.String() }) },
    handler({ body, principal, services }) {
      const { user } = requireSession(principal);
      return { status: 201, body: services.security.apiTokens.create(user.id, body) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/api/tokens/:id',
    permission: 'tokens:write',
    params: StrictObject({ id: IdParam }),
    tag: 'tokens',
    summary: 'Revoke a token (one\'s own; an administrator any)',
    response: { status: 204, description: 'Revoked' },
    handler({ params, principal, services }) {
      services.security.apiTokens.revoke(params.id, requirePrincipal(principal).user);
      return {};
    },
  }),
];
