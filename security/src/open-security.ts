// Opens the security package over a data folder: the database (0600), the
// credential key, the signing key, then each part wired to what it needs.
import { createAuditLog } from './audit/audit-log.js';
import { createApiTokens } from './api-tokens/api-tokens.js';
import { createCertificateStore } from './certificates/certificate-store.js';
import { resolveCredentialKey } from './crypto/credential-key.js';
import { createSecretBox } from './crypto/secret-box.js';
import { createCredentialStore } from './credentials/credential-store.js';
import { createPasswordHasher } from './passwords/password-hash.js';
import { createPasswordPolicy } from './passwords/password-policy.js';
import { createAuth } from './sessions/auth.js';
import { createLoginThrottle } from './sessions/login-throttle.js';
import { createSessions } from './sessions/sessions.js';
import { loadOrCreateSigningKeys } from './sessions/signing-key.js';
import { createSetup } from './setup/setup.js';
import { openSecurityDatabase } from './store/database.js';
import { createTrustedKeys } from './trusted-keys/trusted-keys.js';
import { createTwoFactor } from './two-factor/two-factor.js';
import { createUsers } from './users/users.js';
import type { SecurityContext } from './context.js';
import type { Security, SecurityOptions } from './types.js';

export async function openSecurity(options: SecurityOptions): Promise<Security> {
  const clock = options.clock ?? Date.now;
  const db = openSecurityDatabase(options.dataDir);
  try {
    const box = createSecretBox(resolveCredentialKey(options.dataDir, options.credentialKey));
    const ctx: SecurityContext = {
      db,
      dataDir: options.dataDir,
      clock,
      box,
      hasher: await createPasswordHasher(options.bcryptCost),
      policy: createPasswordPolicy(),
      audit: createAuditLog(db, clock),
    };
    const sessions = createSessions(ctx, loadOrCreateSigningKeys(db, box));
    const users = createUsers(ctx, { revokeUserSessions: (userId, reason) => sessions.revokeUser(userId, reason) });
    const { createUnchecked, ...usersApi } = users;
    return {
      users: usersApi,
      passwordPolicy: ctx.policy,
      twoFactor: createTwoFactor(ctx),
      auth: createAuth(ctx, sessions, createLoginThrottle(db)),
      apiTokens: createApiTokens(ctx),
      setup: createSetup(ctx, { countUsers: () => users.count(), createUser: createUnchecked }),
      audit: ctx.audit,
      credentials: createCredentialStore(ctx),
      certificates: createCertificateStore(ctx),
      trustedKeys: createTrustedKeys(ctx),
      close: () => db.close(),
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
