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
