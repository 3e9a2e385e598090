import type { Kysely } from 'kysely';
import { retryAfterSeconds, windowOf } from '../leads/rate-limit.js';
import type { Database } from '../storage/tables.js';

/**
 * Limits on thank-you page posts, per checkout session token and per shop, counted in the same fixed windows and
 * the same `rate_counters` table as the storefront's limits (so every process sharing the database shares them, and
 * the counters are cleared the same way). They are counted before the order is looked up in Shopify, so a flood of
 * posts costs neither Admin API calls nor leads.
 */
export interface CheckoutLimits {
  /** A thank-you page posts once, and again only if the shopper retries. */
  perTokenPerMinute: number;
  perShopPerMinute: number;
}

export const DEFAULT_CHECKOUT_LIMITS: CheckoutLimits = { perTokenPerMinute: 5, perShopPerMinute: 600 };

/** Counts one post; returns the seconds to wait when it is over a limit, else null. */
export async function overCheckoutLimit(db: Kysely<Database>, shop: string, tokenHash: string, limits: CheckoutLimits, now: number): Promise<number | null> {
  const window = windowOf(now);
  const tokenKey = `checkout-token:${shop}:${tokenHash}`;
  const shopKey = `checkout-shop:${shop}`;
  const rows = await db
    .insertInto('rate_counters')
    .values([tokenKey, shopKey].map((key) => ({ key, window, count: 1 })))
    .onConflict((oc) => oc.columns(['key', 'window']).doUpdateSet((eb) => ({ count: eb('rate_counters.count', '+', 1) })))
    .returning(['key', 'count'])
    .execute();
  const count = (key: string) => Number(rows.find((r) => r.key === key)?.count ?? 0);
  return count(tokenKey) > limits.perTokenPerMinute || count(shopKey) > limits.perShopPerMinute ? retryAfterSeconds(now) : null;
}
