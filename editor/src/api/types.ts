// Shapes of the admin API the editor uses. The server's route table is the
// source of truth (GET /api/openapi.json); these mirror the parts we read.
// Roles and permissions are the security package's own types (type-only
// imports: nothing of that package reaches the browser bundle).
import type { Permission, Role } from '@loopedge/security';

export type { Permission, Role };

export interface PublicUser {
  id: string;
  username: string;
  role: Role;
  disabled?: boolean;
  twoFactorEnabled?: boolean;
  [extra: string]: unknown;
}

/** GET /api/auth/me */
export interface Me {
  user: PublicUser;
  kind: 'session' | 'token';
  permissions: Permission[];
}

/** POST /api/auth/login and /api/auth/refresh */
export interface SessionInfo {
  user: PublicUser;
  csrfToken: string;
  accessExpiresAt: number;
  refreshExpiresAt: number;
}

export interface TwoFactorEnrollment {
  secret: string;
  otpauthUrl: string;
  qrDataUrl: string;
}

/** One problem of a failed request (JSON pointer path; for flows the node id and field). */
export interface FieldProblem {
  path: string;
  message: string;
  nodeId?: string;
  field?: string;
}

/** The error body every failed API request carries. */
export interface ApiErrorBody {
  error: { code: string; message: string; problems?: FieldProblem[]; reasons?: string[]; details?: Record<string, unknown> };
}
