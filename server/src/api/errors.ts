import { SecurityError, PasswordPolicyError } from '@loopedge/security';

/**
 * Every error the admin API answers with, one coded catalogue: `code` is
 * stable for clients, the HTTP status is decided here and nowhere else.
 */
export const API_ERRORS = {
  'validation-failed': 400,
  'malformed-json': 400,
  'unsupported-media-type': 415,
  'body-too-large': 413,
  unauthenticated: 401,
  'login-failed': 401,
  'two-factor-required': 401,
  'two-factor-setup-required': 403,
  'account-locked': 429,
  forbidden: 403,
  /** A step-up route called by a session that has not confirmed its password in the last 5 minutes. */
  'reauth-required': 403,
  'csrf-failed': 403,
  'origin-mismatch': 403,
  'not-found': 404,
  'stale-revision': 409,
  'flows-invalid': 400,
  'deploy-failed': 422,
  'not-a-session': 400,
  'update-refused': 422,
  'update-in-progress': 409,
  /** A deploy whose flow signature is missing or does not verify; details.reason says which check failed. */
  'flow-signature-invalid': 422,
  'trusted-key-invalid': 400,
  'trusted-key-exists': 409,
  /** The thing is in a state that does not allow this (e.g. acknowledging a cleared alert). */
  'alert-state-conflict': 409,
  /** A device or server behind a node (e.g. an OPC UA endpoint) is not reachable right now. */
  'device-unavailable': 503,
  internal: 500,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS | SecurityError['code'];

/** One problem with a request field: `path` is a JSON pointer into the body (or query/params). */
export interface FieldProblem {
  path: string;
  message: string;
  nodeId?: string;
  /** For flow problems: the node's field, e.g. `wires[0][1]`. */
  field?: string;
}

/** The JSON every failed request gets: `{ error: { code, message, problems? } }`. */
export interface ApiErrorBody {
  error: { code: string; message: string; problems?: FieldProblem[]; reasons?: string[]; details?: Record<string, unknown> };
}

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly extra: { problems?: FieldProblem[]; reasons?: string[]; retryAfterMs?: number; details?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = statusOf(code);
  }

  toBody(): ApiErrorBody {
    const body: ApiErrorBody = { error: { code: this.code, message: this.message } };
    if (this.extra.problems) body.error.problems = this.extra.problems;
    if (this.extra.reasons) body.error.reasons = this.extra.reasons;
    if (this.extra.details) body.error.details = this.extra.details;
    return body;
  }
}

function statusOf(code: ApiErrorCode): number {
  if (code in API_ERRORS) return API_ERRORS[code as keyof typeof API_ERRORS];
  return new SecurityError(code as SecurityError['code'], '').httpStatus;
}

/** Shape of the errors body-parser raises (express.json). */
interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

/**
 * Anything thrown in a route becomes an ApiError: the security package's coded
 * errors keep their code, body-parser's become 413/400, the rest is a 500 whose
 * details stay in the log (the client only learns that it failed).
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof PasswordPolicyError) return new ApiError('password-policy', error.message, { reasons: error.reasons });
  if (error instanceof SecurityError) return new ApiError(error.code, error.message);
  const parser = (error ?? {}) as BodyParserError;
  if (parser.type === 'entity.too.large') {
    return new ApiError('body-too-large', `The request body is larger than this route accepts (${parser.limit ?? '?'} bytes). Send less data.`);
  }
  if (parser.type === 'entity.parse.failed') return new ApiError('malformed-json', 'The request body is not valid JSON. Check the syntax and send it again.');
  if (parser.type === 'encoding.unsupported' || parser.type === 'charset.unsupported') {
    return new ApiError('unsupported-media-type', 'The request body must be UTF-8 JSON.');
  }
  return new ApiError('internal', 'The request failed inside the server; the details are in the server log.');
}
