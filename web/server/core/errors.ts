/**
 * Expected failures of the domain, stated without HTTP: the domain says what went wrong (`kind`) and why (`reason`,
 * machine-readable and stable); http/errors.ts turns each kind into a status in one place. `detail` is for the
 * developer reading the answer, never personal data.
 */
export type FailureKind = 'invalid' | 'not_found' | 'conflict' | 'unprocessable' | 'rate_limited';

export class DomainError extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly reason: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
    /** For `rate_limited`: when the sender may try again. */
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
export const rateLimited = (reason: string, detail: string, retryAfterSeconds: number) =>
  new DomainError('rate_limited', reason, detail, {}, retryAfterSeconds);
