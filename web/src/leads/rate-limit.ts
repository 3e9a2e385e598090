/**
 * Fixed-window request limits per client IP and per shop, counted in the database inside the intake transaction so
 * that every app process sharing the database shares the limits.
 */
export interface RateLimits {
  perIpPerMinute: number;
  perShopPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { perIpPerMinute: 10, perShopPerMinute: 600 };
export const WINDOW_MS = 60_000;

export const windowOf = (now: number): number => Math.floor(now / WINDOW_MS);

/** Seconds until the current window ends, for Retry-After. */
export const retryAfterSeconds = (now: number): number => Math.max(1, Math.ceil(((windowOf(now) + 1) * WINDOW_MS - now) / 1000));
