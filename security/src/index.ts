export * from './types.js';
export { type Role, type Permission, ROLES, PERMISSIONS, ROLE_PERMISSIONS, can, isRole, isPermission } from './roles/roles.js';
export { SecurityError, PasswordPolicyError, SECURITY_ERROR_STATUS, type SecurityErrorCode } from './errors/security-error.js';
export { openSecurity } from './open-security.js';
export { openTestSecurity, createFakeClock, totpCodeAt, type TestSecurity, type FakeClock } from './testing/open-test-security.js';
export * from './flow-signing/index.js';
export { createPasswordHasher, type PasswordHasher } from './passwords/password-hash.js';
export { createPasswordPolicy } from './passwords/password-policy.js';
