import type { Kysely } from 'kysely';
import type { Database } from '../storage/tables.js';

/**
 * Fixed-window request limits per client IP and per shop, counted in the database inside the intake transaction so
 * that every app process sharing the database shares the limits. A counter's key holds a keyed hash of the client's
 * address bucket (proxy/client-ip.ts), never the address, and is deleted once its window is over.
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

/** Counts one request against each key's current window; returns each key's count, this request included. */
export async function countRequest(db: Kysely<Database>, keys: string[], now: number): Promise<Map<string, number>> {
  const rows = await db
    .insertInto('rate_counters')
    .values(keys.map((key) => ({ key, window: windowOf(now), count: 1 })))
    .onConflict((oc) => oc.columns(['key', 'window']).doUpdateSet((eb) => ({ count: eb('rate_counters.count', '+', 1) })))
    .returning(['key', 'count'])
    .execute();
  return new Map(rows.map((r) => [r.key, Number(r.count)]));
}

/** Counts one request against `key`'s current window; true when it is over `limit` (it is counted either way). */
export async function overLimitOnce(db: Kysely<Database>, key: string, limit: number, now: number): Promise<boolean> {
  return ((await countRequest(db, [key], now)).get(key) ?? 0) > limit;
}

/**
 * Deletes the counters of windows that are over. The window before the current one is kept, so that a process whose
 * clock runs a little behind still finds its counter; nothing older than two minutes remains.
 */
export async function deleteExpiredCounters(db: Kysely<Database>, now: number): Promise<number> {
  const result = await db
    .deleteFrom('rate_counters')
    .where('window', '<', windowOf(now) - 1)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
