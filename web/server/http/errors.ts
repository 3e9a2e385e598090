import { DomainError, type FailureKind } from '../core/errors.js';

/**
 * Expected failures of a request, turned into HTTP responses in exactly one place (`onError` in http/app.ts).
 * `reason` is machine-readable and stable; `detail` is for the developer reading the response, never personal data.
 */
export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503,
    readonly reason: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status} ${reason}${detail ? `: ${detail}` : ''}`);
    this.name = 'HttpError';
  }

  toJSON(): Record<string, unknown> {
    return { error: this.reason, ...(this.detail ? { message: this.detail } : {}), ...this.extra };
  }
}

export const badRequest = (reason: string, detail?: string) => new HttpError(400, reason, detail);
export const unauthorized = (reason: string) => new HttpError(401, reason);
export const forbidden = (reason: string, detail?: string) => new HttpError(403, reason, detail);
export const conflict = (reason: string, detail?: string) => new HttpError(409, reason, detail);
export const notFound = (reason = 'not_found') => new HttpError(404, reason);

const STATUS_OF: Record<FailureKind, HttpError['status']> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
};

/** A domain failure as the HTTP answer it gets: the one table from kinds to statuses. */
export function httpErrorOf(error: DomainError): HttpError {
  const headers: Record<string, string> = error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) };
  return new HttpError(STATUS_OF[error.kind], error.reason, error.detail, error.extra, headers);
}

/** The HTTP answer for an expected failure from either layer, or null for a fault (a bug or an outage). */
export function expectedFailure(error: unknown): HttpError | null {
  if (error instanceof HttpError) return error;
  if (error instanceof DomainError) return httpErrorOf(error);
  return null;
}
