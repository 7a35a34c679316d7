import { Type } from '@sinclair/typebox';
import { ApiError } from '../errors.js';
import { IdParam, StrictObject } from '../schema-tools.js';
import { defineRoute, type AnyRoute } from '../route-types.js';
import { PublicUserSchema, RoleSchema, requirePrincipal } from './shared.js';

const UserIdParams = StrictObject({ id: IdParam });
const Password = Type.String({ minLength: 1, maxLength: 1024 });

function existingUser(services: { security: { users: { get(id: string): unknown } } }, id: string): void {
  if (!services.security.users.get(id)) throw new ApiError('user-not-found', `No user with id "${id}".`);
}

// Role and account changes are audited by the security package itself.
export const usersRoutes: AnyRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/api/users',
    permission: 'users:read',
    tag: 'users',
    summary: 'Every user (never a password hash or two-factor secret)',
    response: { status: 200, description: 'Users', schema: Type.Object({ users: Type.Array(PublicUserSchema) }) },
    handler: ({ services }) => ({ body: { users: services.security.users.list() } }),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/users',
    stepUp: true,
    permission: 'users:write',
    tag: 'users',
    summary: 'Create a user',
    body: StrictObject({ username: Type.String({ minLength: 1, maxLength: 64 }), password: Password, role: RoleSchema }),
    response: { status: 201, description: 'Created', schema: Type.Object({ user: PublicUserSchema }) },
    handler: async ({ body, services }) => ({ status: 201, body: { user: await services.security.users.create(body) } }),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/users/:id',
    permission: 'users:read',
    params: UserIdParams,
    tag: 'users',
    summary: 'One user',
    response: { status: 200, description: 'The user', schema: Type.Object({ user: PublicUserSchema }) },
    handler({ params, services }) {
      const user = services.security.users.get(params.id);
      if (!user) throw new ApiError('user-not-found', `No user with id "${params.id}".`);
      return { body: { user } };
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/api/users/:id',
    stepUp: true,
    permission: 'users:write',
    params: UserIdParams,
    tag: 'users',
    summary: 'Change a user\'s role or disable the account (disabling ends its sessions)',
    body: StrictObject({ role: Type.Optional(RoleSchema), disabled: Type.Optional(Type.Boolean()) }, { minProperties: 1 }),
    response: { status: 200, description: 'Changed', schema: Type.Object({ user: PublicUserSchema }) },
    handler({ body, params, principal, services }) {
      existingUser(services, params.id);
      return { body: { user: services.security.users.update(params.id, body, requirePrincipal(principal).user) } };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/api/users/:id',
    permission: 'users:write',
    params: UserIdParams,
    tag: 'users',
    summary: 'Remove a user (not the last administrator)',
    response: { status: 204, description: 'Removed' },
    handler({ params, principal, services }) {
      existingUser(services, params.id);
      services.security.users.remove(params.id, requirePrincipal(principal).user);
      return {};
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/users/:id/password',
    permission: 'users:write',
    // Setting another admin's password takes over their account: as sensitive as creating an admin.
    stepUp: true,
    params: UserIdParams,
    tag: 'users',
    summary: 'Set a new password for a user (ends the user\'s sessions)',
    body: StrictObject({ password: Password }),
    response: { status: 204, description: 'Set' },
    async handler({ body, params, principal, services }) {
      existingUser(services, params.id);
      await services.security.users.resetPassword(params.id, body.password, requirePrincipal(principal).user);
      return {};
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/users/:id/2fa/disable',
    stepUp: true,
    permission: 'security:write',
    params: UserIdParams,
    tag: 'users',
    summary: 'Turn off a user\'s two-factor sign-in (a lost phone)',
    response: { status: 204, description: 'Two-factor is off' },
    handler({ params, principal, services }) {
      existingUser(services, params.id);
      services.security.twoFactor.disable(params.id, requirePrincipal(principal).user);
      return {};
    },
  }),
];
