/**
 * Expected failures of the domain, stated without HTTP: the domain says what went wrong (`kind`) and why (`reason`,
 * machine-readable and stable); http/errors.ts turns each kind into a status in one place. `detail` is for the
 * developer reading the answer, never personal data.
 */
/** `unavailable`: a service the request needs (Shopify) did not answer; the same request may succeed later. */
export type FailureKind = 'invalid' | 'not_found' | 'conflict' | 'unprocessable' | 'rate_limited' | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly reason: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
    /** For `rate_limited` and `unavailable`: when the sender may try again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${kind} ${reason}${detail ? `: ${detail}` : ''}`);
    this.name = 'DomainError';
  }
}

export const invalid = (reason: string, detail?: string, extra?: Record<string, unknown>) => new DomainError('invalid', reason, detail, extra);
export const notFound = (reason = 'not_found') => new DomainError('not_found', reason);
export const conflict = (reason: string, detail?: string) => new DomainError('conflict', reason, detail);
export const unprocessable = (reason: string, detail?: string) => new DomainError('unprocessable', reason, detail);
export const unavailable = (reason: string, detail: string, retryAfterSeconds: number) => new DomainError('unavailable', reason, detail, {}, retryAfterSeconds);
export const rateLimited = (reason: string, detail: string, retryAfterSeconds: number) =>
  new DomainError('rate_limited', reason, detail, {}, retryAfterSeconds);
