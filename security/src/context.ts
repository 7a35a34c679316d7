// What every part of the package shares, passed in explicitly (no module singletons).
import type { SecretBox } from './crypto/secret-box.js';
import type { PasswordHasher } from './passwords/password-hash.js';
import type { SecurityDatabase } from './store/database.js';
import type { AuditApi, PasswordPolicyApi } from './types.js';

export interface SecurityContext {
  db: SecurityDatabase;
  dataDir: string;
  /** ms since the epoch */
  clock: () => number;
  box: SecretBox;
  hasher: PasswordHasher;
  policy: PasswordPolicyApi;
  audit: AuditApi;
}
