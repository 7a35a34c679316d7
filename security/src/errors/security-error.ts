// One coded catalogue of the package's errors. The server maps `httpStatus` to
// the response; `code` is stable for clients, `message` is for people.

export type SecurityErrorCode =
  | 'password-policy'
  | 'invalid-username'
  | 'username-taken'
  | 'invalid-role'
  | 'user-not-found'
  | 'last-admin'
  | 'forbidden'
  | 'invalid-credentials'
  | 'invalid-token'
  | 'token-expired'
  | 'token-not-found'
  | 'invalid-permissions'
  | 'setup-not-needed'
  | 'setup-token-invalid'
  | 'two-factor-not-started'
  | 'two-factor-already-enabled'
  | 'invalid-totp'
  | 'credential-key'
  | 'certificate-invalid'
  | 'certificate-key-mismatch'
  | 'certificate-expired'
  | 'certificate-chain'
  | 'certificate-not-found';

export const SECURITY_ERROR_STATUS: Record<SecurityErrorCode, number> = {
  'password-policy': 400,
  'invalid-username': 400,
  'username-taken': 409,
  'invalid-role': 400,
  'user-not-found': 404,
  'last-admin': 409,
  forbidden: 403,
  'invalid-credentials': 401,
  'invalid-token': 401,
  'token-expired': 401,
  'token-not-found': 404,
  'invalid-permissions': 400,
  'setup-not-needed': 409,
  'setup-token-invalid': 401,
  'two-factor-not-started': 409,
  'two-factor-already-enabled': 409,
  'invalid-totp': 400,
  'credential-key': 500,
  'certificate-invalid': 400,
  'certificate-key-mismatch': 400,
  'certificate-expired': 400,
  'certificate-chain': 400,
  'certificate-not-found': 404,
};

export class SecurityError extends Error {
  readonly code: SecurityErrorCode;
  readonly httpStatus: number;
  constructor(code: SecurityErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SecurityError';
    this.code = code;
    this.httpStatus = SECURITY_ERROR_STATUS[code];
  }
}

/** A password the policy rejects; `reasons` lists every rule it breaks, for the form. */
export class PasswordPolicyError extends SecurityError {
  readonly reasons: string[];
  constructor(reasons: string[]) {
    super('password-policy', `Password rejected: ${reasons.join(' ')}`);
    this.name = 'PasswordPolicyError';
    this.reasons = reasons;
  }
}
