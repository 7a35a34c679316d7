// Errors of the trust store, coded like SecurityError so the server can map them.
export type TrustedKeyErrorCode = 'trusted-key-invalid' | 'trusted-key-exists' | 'trusted-key-not-found';

export const TRUSTED_KEY_ERROR_STATUS: Record<TrustedKeyErrorCode, number> = {
  'trusted-key-invalid': 400,
  'trusted-key-exists': 409,
  'trusted-key-not-found': 404,
};

export class TrustedKeyError extends Error {
  readonly code: TrustedKeyErrorCode;
  readonly httpStatus: number;
  constructor(code: TrustedKeyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TrustedKeyError';
    this.code = code;
    this.httpStatus = TRUSTED_KEY_ERROR_STATUS[code];
  }
}
