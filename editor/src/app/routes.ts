import type { Permission } from '../api/types.js';

/** A page of the shell: its hash route, nav label and the permission that shows it. */
export interface PageRoute {
  path: string;
  label: string;
  /** Shown in the nav (and reachable) only with this permission. */
  permission: Permission;
  group: 'main' | 'admin';
}

export const PAGE_ROUTES: readonly PageRoute[] = [
  { path: '/flows', label: 'Flows', permission: 'flows:read', group: 'main' },
  { path: '/alerts', label: 'Alerts', permission: 'flows:read', group: 'main' },
  { path: '/account', label: 'Account', permission: 'self', group: 'main' },
  { path: '/admin/users', label: 'Users', permission: 'users:read', group: 'admin' },
  { path: '/admin/tokens', label: 'API tokens', permission: 'tokens:write', group: 'admin' },
  { path: '/admin/signing-keys', label: 'Signing keys', permission: 'flows:write', group: 'admin' },
  { path: '/admin/certificates', label: 'Certificates', permission: 'certificates:write', group: 'admin' },
  { path: '/admin/audit', label: 'Audit log', permission: 'audit:read', group: 'admin' },
  { path: '/admin/settings', label: 'Settings', permission: 'settings:read', group: 'admin' },
];

/** The route for a location hash (`#/admin/users?x=1` → `/admin/users`); unknown or empty → `/flows`. */
export function routeOfHash(hash: string): string {
  const path = hash.replace(/^#/, '').split('?')[0] ?? '';
  return PAGE_ROUTES.some((r) => r.path === path) ? path : '/flows';
}

/** The pages a user with these permissions may open, in nav order. */
export function visibleRoutes(permissions: readonly Permission[]): PageRoute[] {
  return PAGE_ROUTES.filter((r) => permissions.includes(r.permission));
}
