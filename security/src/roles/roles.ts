// Roles and what each may do. The server checks every REST route and socket.io
// event against this one table, so a permission is granted in exactly one place.

export type Role = 'admin' | 'editor' | 'operator' | 'viewer';

export type Permission =
  | 'users:read'
  | 'users:write'
  | 'security:write'
  | 'certificates:write'
  | 'settings:read'
  | 'settings:write'
  | 'flows:read'
  | 'flows:write'
  | 'debug:read'
  | 'context:read'
  | 'alerts:ack'
  | 'audit:read'
  | 'metrics:read'
  | 'tokens:write'
  | 'self';

export const ROLES: readonly Role[] = ['admin', 'editor', 'operator', 'viewer'];

export const PERMISSIONS: readonly Permission[] = [
  'users:read',
  'users:write',
  'security:write',
  'certificates:write',
  'settings:read',
  'settings:write',
  'flows:read',
  'flows:write',
  'debug:read',
  'context:read',
  'alerts:ack',
  'audit:read',
  'metrics:read',
  'tokens:write',
  'self',
];

// `self` = read and change one's own account (password, two-factor, sessions).
// `tokens:write` = create and revoke one's own API tokens; a token never gets more
// than its owner's role allows. Only admins manage other users' tokens.
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = Object.freeze({
  admin: Object.freeze([...PERMISSIONS]),
  editor: Object.freeze<Permission[]>([
    'settings:read',
    'flows:read',
    'flows:write',
    'debug:read',
    'context:read',
    'alerts:ack',
    'metrics:read',
    'tokens:write',
    'self',
  ]),
  operator: Object.freeze<Permission[]>(['flows:read', 'debug:read', 'alerts:ack', 'metrics:read', 'self']),
  viewer: Object.freeze<Permission[]>(['flows:read', 'self']),
});

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role]?.includes(permission) ?? false;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && (PERMISSIONS as readonly string[]).includes(value);
}
