// The public API of @loopedge/security: what the server (routes, socket.io, CLI)
// calls. Implementations live in one folder per concept; `openSecurity` wires them.
import type { Permission, Role } from './roles/roles.js';
import type { TrustedKeysApi } from './trusted-keys/trusted-key-types.js';

// The trust store of signing keys (release packages, signed flows) lives in its own folder.
export * from './trusted-keys/index.js';

/** A user as every API returns it: never a hash, secret or recovery code. */
export interface PublicUser {
  id: string;
  username: string;
  role: Role;
  twoFactorEnabled: boolean;
  disabled: boolean;
  /** ISO 8601 */
  createdAt: string;
}

export interface SecurityOptions {
  /** Folder for security.sqlite (0600), the credential key file and the device CA key (0600). */
  dataDir: string;
  /** bcrypt cost; 12 by default, never below 10 (a lower value is raised to 10). */
  bcryptCost?: number;
  /** Milliseconds since the epoch; tests pass a fake clock to move time. */
  clock?: () => number;
  /** 32-byte AES-256-GCM key for secrets at rest; else env LOOPEDGE_CREDENTIAL_KEY (base64 or hex), else a 0600 key file. */
  credentialKey?: Buffer;
}

export interface CreateUserInput {
  username: string;
  password: string;
  role: Role;
}

export interface UserChanges {
  role?: Role;
  disabled?: boolean;
}

export interface PasswordCheck {
  ok: boolean;
  /** One sentence per broken rule, ready to show beside the password field. */
  reasons: string[];
}

export interface UsersApi {
  count(): number;
  list(): PublicUser[];
  get(id: string): PublicUser | undefined;
  /** Case-insensitive. */
  findByUsername(username: string): PublicUser | undefined;
  /** Throws PasswordPolicyError, or SecurityError ('invalid-username', 'username-taken', 'invalid-role'). */
  create(input: CreateUserInput): Promise<PublicUser>;
  /** Admin only; refuses to leave no enabled admin ('last-admin'). A disabled user's sessions are revoked. */
  update(id: string, changes: UserChanges, actor: PublicUser): PublicUser;
  /** Admin only; refuses to remove the last enabled admin. */
  remove(id: string, actor: PublicUser): void;
  /** The user themselves; checks the current password, revokes every session of the user. */
  changePassword(id: string, currentPassword: string, newPassword: string): Promise<void>;
  /** Admin only; revokes every session of the user. */
  resetPassword(id: string, newPassword: string, actor: PublicUser): Promise<void>;
}

export interface PasswordPolicyApi {
  check(password: string, username?: string): PasswordCheck;
}

export interface TwoFactorEnrollment {
  /** base32 secret, for typing into an authenticator by hand */
  secret: string;
  otpauthUrl: string;
  /** the otpauth URL as a PNG QR code, `data:image/png;base64,...` */
  qrDataUrl: string;
}

export interface TwoFactorApi {
  /** Starts (or restarts) enrollment; two-factor is not on until confirmEnrollment. */
  beginEnrollment(userId: string): Promise<TwoFactorEnrollment>;
  /** Checks a code from the authenticator, turns two-factor on, returns 10 single-use recovery codes (shown once). */
  confirmEnrollment(userId: string, code: string): Promise<{ recoveryCodes: string[] }>;
  /** The user themselves or an admin. */
  disable(userId: string, actor: PublicUser): void;
  /** When true, users without two-factor must enroll before they get a session. Persisted. */
  requireForEveryone: boolean;
}

export interface LoginInput {
  username: string;
  password: string;
  totp?: string;
  recoveryCode?: string;
  sourceIp: string;
}

export interface SessionTokens {
  /** JWT (EdDSA), 15 minutes */
  accessToken: string;
  /** opaque, single use: each refresh returns a new one */
  refreshToken: string;
  /** send back in a header on cookie-authenticated writes; also in the access token's claims */
  csrfToken: string;
  sessionId: string;
  /** ms since the epoch */
  accessExpiresAt: number;
  /** ms since the epoch */
  refreshExpiresAt: number;
}

export type LoginFailureReason = 'invalid' | 'locked' | 'two-factor-required' | 'two-factor-setup-required';

export type LoginResult =
  | { ok: true; user: PublicUser; tokens: SessionTokens }
  | {
      ok: false;
      reason: LoginFailureReason;
      /** with 'locked': how long until the next attempt is considered */
      retryAfterMs?: number;
      /**
       * with 'two-factor-setup-required' (an admin requires two-factor and the user has none):
       * a short-lived token for twoFactor enrollment only; see auth.verifyEnrollmentToken.
       */
      enrollmentToken?: string;
    };

export interface SessionClaims {
  userId: string;
  /** the user's current role (read from the database, so a demotion applies at once) */
  role: Role;
  sessionId: string;
  csrfToken: string;
  /** ms since the epoch */
  expiresAt: number;
}

export interface AuthApi {
  login(input: LoginInput): Promise<LoginResult>;
  /** Throws SecurityError 'invalid-token' (bad signature, alg none, HS256, revoked session, disabled user) or 'token-expired'. */
  verifyAccessToken(token: string): Promise<SessionClaims>;
  /** Rotates: the old refresh token is spent. Reusing a spent one revokes the whole session. Throws 'invalid-token'. */
  refresh(refreshToken: string, sourceIp: string): Promise<SessionTokens>;
  logout(sessionId: string): void;
  revokeUserSessions(userId: string): void;
  /** For 'two-factor-setup-required': the user the enrollment token was issued to. Throws 'invalid-token'. */
  verifyEnrollmentToken(token: string): { userId: string };
  /**
   * Step-up: re-checks the password (and the second factor when the user has one) of the
   * user of this session and marks the session fresh for 5 minutes. Failures count towards
   * the login lockout; both outcomes are audited. Throws 'invalid-token' for an ended session.
   */
  reauthenticate(input: ReauthInput): Promise<ReauthResult>;
  /** Until when (ms since the epoch) the session may take step-up actions; undefined when it is not fresh. */
  stepUpUntil(sessionId: string): number | undefined;
}

export interface ReauthInput {
  sessionId: string;
  password: string;
  totp?: string;
  recoveryCode?: string;
  sourceIp: string;
}

export type ReauthResult =
  | { ok: true; freshUntil: number }
  | { ok: false; reason: 'invalid' | 'locked' | 'two-factor-required'; retryAfterMs?: number };

export interface ApiTokenInfo {
  id: string;
  userId: string;
  name: string;
  permissions: Permission[];
  /** ISO 8601 */
  createdAt: string;
  /** ISO 8601; absent = never expires */
  expiresAt?: string;
  /** ISO 8601 */
  lastUsedAt?: string;
}

export interface CreateApiTokenInput {
  name: string;
  /** must be a subset of what the owner's role allows */
  permissions: Permission[];
  /** ISO 8601 or ms since the epoch */
  expiresAt?: string | number;
}

export interface ApiTokenIdentity {
  userId: string;
  tokenId: string;
  /** the token's scopes, narrowed to what the owner's current role still allows */
  permissions: Permission[];
}

export interface ApiTokensApi {
  /** `token` is shown once; only its hash is kept. Throws 'invalid-permissions', 'user-not-found'. */
  create(userId: string, input: CreateApiTokenInput): { id: string; token: string };
  /** undefined for unknown, expired, revoked tokens and disabled owners. */
  verify(token: string): ApiTokenIdentity | undefined;
  list(userId?: string): ApiTokenInfo[];
  /** The owner or an admin. */
  revoke(id: string, actor: PublicUser): void;
}

export interface SetupApi {
  /** True while there is no user at all. */
  needsSetup(): boolean;
  /** One-time token for the setup link, valid 1 hour. */
  createSetupToken(): { token: string; expiresAt: number };
  /** Creates the first admin. Throws 'setup-token-invalid', 'setup-not-needed', PasswordPolicyError. */
  completeSetup(token: string, input: { username: string; password: string }): Promise<PublicUser>;
}

export type AuditOutcome = 'success' | 'failure';

export interface AuditInput {
  /** username or user id of who did it; absent for the system */
  actor?: string;
  /** dotted verb, e.g. 'auth.login', 'user.create', 'flows.deploy' */
  action: string;
  target?: string;
  outcome: AuditOutcome;
  sourceIp?: string;
  details?: Record<string, unknown>;
}

export interface AuditEntry extends AuditInput {
  /** 1, 2, 3 ... in order of appending */
  seq: number;
  /** ISO 8601 */
  time: string;
  /** hex SHA-256 of the previous entry ('' for the first) */
  prevHash: string;
  /** hex SHA-256 over prevHash and this entry's canonical JSON */
  hash: string;
}

export interface AuditFilter {
  /** ISO 8601, inclusive */
  since?: string;
  /** ISO 8601, exclusive */
  until?: string;
  actor?: string;
  action?: string;
  /** default 100, at most 1000 */
  limit?: number;
  offset?: number;
}

export interface AuditApi {
  append(entry: AuditInput): void;
  /** Newest first. */
  list(filter: AuditFilter): AuditEntry[];
  /** brokenAt = seq of the first entry whose hash or link does not match. */
  verifyChain(): { ok: boolean; brokenAt?: number };
}

export interface CredentialsApi {
  /** Merges: a string sets the field, '' clears it, undefined leaves it as it is. */
  set(nodeId: string, values: Record<string, string | undefined>): void;
  get(nodeId: string): Record<string, string>;
  /** Names of the fields that hold a value: what the API may tell a client. */
  fieldsSet(nodeId: string): string[];
  remove(nodeId: string): void;
}

export interface ActiveCertificate {
  id: string;
  certPem: string;
  keyPem: string;
  /** intermediates and/or the issuing CA, PEM, to send after the leaf */
  chainPem?: string;
}

export interface CertificateInfo {
  id: string;
  /** 'device' = made by the device CA; 'uploaded' = added by an admin */
  source: 'device' | 'uploaded';
  subject: string;
  issuer: string;
  /** DNS names and IP addresses from subjectAltName */
  subjectAltNames: string[];
  /** ISO 8601 */
  notBefore: string;
  /** ISO 8601 */
  notAfter: string;
  /** hex, colon-separated, as Node's X509Certificate gives it */
  fingerprint256: string;
  active: boolean;
  /** ISO 8601 */
  addedAt: string;
}

export interface CertificatesApi {
  /** Creates the device CA and a server certificate on first start; renews the server certificate when SANs change or it nears expiry. */
  ensureDevice(hostnames: string[], ips: string[]): Promise<void>;
  caCertificatePem(): string;
  /** Throws 'certificate-not-found' before ensureDevice ran. */
  active(): ActiveCertificate;
  list(): CertificateInfo[];
  /** Checks the key matches, the validity dates and the chain. Throws certificate-* errors. */
  add(certPem: string, keyPem: string, chainPem: string | undefined, actor: PublicUser): CertificateInfo;
  activate(id: string, actor: PublicUser): void;
  /** Called after the active certificate changed; returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
}

export interface Security {
  users: UsersApi;
  passwordPolicy: PasswordPolicyApi;
  twoFactor: TwoFactorApi;
  auth: AuthApi;
  apiTokens: ApiTokensApi;
  setup: SetupApi;
  audit: AuditApi;
  credentials: CredentialsApi;
  certificates: CertificatesApi;
  /** Ed25519 public keys trusted to sign releases (and signed flows), revocable. */
  trustedKeys: TrustedKeysApi;
  close(): void;
}
