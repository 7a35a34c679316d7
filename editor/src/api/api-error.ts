import type { ApiErrorBody, FieldProblem } from './types.js';

/** A failed API call, with the server's stable error code and per-field problems. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: FieldProblem[] = [],
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const error = (value as { error?: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string';
}

/** Turns any failed response body into an ApiRequestError a page can show as is. */
export function toApiRequestError(status: number, body: unknown, what: string): ApiRequestError {
  if (isErrorBody(body)) {
    const { code, message, problems, details } = body.error;
    return new ApiRequestError(status, code, message, problems ?? [], details ?? {});
  }
  return new ApiRequestError(status, 'http-' + String(status), `${what} failed with HTTP ${status}.`);
}

/** The message to show for an error of any kind (network errors included). */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiRequestError) {
    const problems = error.problems.map((p) => (p.nodeId ? `node ${p.nodeId}: ${p.message}` : `${p.path || 'body'}: ${p.message}`));
    return [error.message, ...problems].join('\n');
  }
  if (error instanceof TypeError) return 'The server cannot be reached. Check the connection; the editor retries on its own.';
  return error instanceof Error ? error.message : String(error);
}
