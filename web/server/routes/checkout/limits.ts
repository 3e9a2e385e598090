import type { Kysely } from 'kysely';
import { countRequest, retryAfterSeconds } from '../../leads/rate-limit.js';
import type { Database } from '../../storage/tables.js';

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
  const tokenKey = `checkout-token:${shop}:${tokenHash}`;
  const shopKey = `checkout-shop:${shop}`;
  const counts = await countRequest(db, [tokenKey, shopKey], now);
  const count = (key: string) => counts.get(key) ?? 0;
  return count(tokenKey) > limits.perTokenPerMinute || count(shopKey) > limits.perShopPerMinute ? retryAfterSeconds(now) : null;
}
