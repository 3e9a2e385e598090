import * as z from 'zod';
import type { AdminClient } from './admin-client.js';
import { SHOP_CUSTOMER_ACCOUNTS } from './operations.js';
import type { ShopTokens } from './shops.js';

/** Where a shop's new customer accounts live; null when the shop runs classic accounts or Shopify cannot tell now. */
export type CustomerAccountsLookup = (shop: string) => Promise<{ url: string } | null>;

const answer = z.object({
  shop: z.object({
    customerAccountsV2: z.object({
      customerAccountsVersion: z.enum(['NEW_CUSTOMER_ACCOUNTS', 'CLASSIC']).or(z.string()),
      // Shopify's own address, but it ends up in an href: only an absolute http(s) URL is taken.
      url: z
        .string()
        .nullable()
        .transform((u) => {
          if (!u || !URL.canParse(u)) return null;
          const parsed = new URL(u);
          return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
        }),
    }),
  }),
});

export interface CustomerAccountsOptions {
  /** How long an answer is kept per shop: merchants switch account versions rarely, and shoppers view the page often. */
  ttlMs?: number;
  /** How long a failed lookup is remembered, so a Shopify outage does not cost every page view a timeout. */
  failureTtlMs?: number;
  /** The page waits no longer than this; the lookup carries on and fills the cache for the next view. */
  waitMs?: number;
  clock?: () => number;
  /** Bounds memory when a process serves very many shops. */
  maxShops?: number;
}

type Entry = { value: { url: string } | null; until: number } | { pending: Promise<{ url: string } | null> };

/**
 * The app-proxy privacy page asks this whether to send a logged-in customer to their account. Every failure (no
 * token, throttled, down, an answer that does not parse, too slow) is `null`: the page then stays as it always was,
 * never an error for the shopper. One request per shop at a time, cached `ttlMs`.
 */
export function customerAccountsLookup(client: AdminClient, tokens: ShopTokens, options: CustomerAccountsOptions = {}): CustomerAccountsLookup {
  const { ttlMs = 10 * 60_000, failureTtlMs = 60_000, waitMs = 1_500, clock = Date.now, maxShops = 10_000 } = options;
  const cache = new Map<string, Entry>();

  const ask = async (shop: string): Promise<{ value: { url: string } | null; ok: boolean }> => {
    try {
      const token = await tokens.get(shop);
      if (!token) return { value: null, ok: false };
      const result = await client.request<unknown>(shop, token, SHOP_CUSTOMER_ACCOUNTS, {});
      if (!result.ok) return { value: null, ok: false };
      const parsed = answer.safeParse(result.data);
      if (!parsed.success) return { value: null, ok: false };
      const { customerAccountsVersion, url } = parsed.data.shop.customerAccountsV2;
      return { value: customerAccountsVersion === 'NEW_CUSTOMER_ACCOUNTS' && url ? { url } : null, ok: true };
    } catch {
      return { value: null, ok: false };
    }
  };

  return async (shop) => {
    const now = clock();
    const entry = cache.get(shop);
    if (entry && 'pending' in entry) return within(entry.pending, waitMs);
    if (entry && entry.until > now) return entry.value;
    if (!entry && cache.size >= maxShops) cache.clear();
    const pending = ask(shop).then(({ value, ok }) => {
      cache.set(shop, { value, until: clock() + (ok ? ttlMs : failureTtlMs) });
      return value;
    });
    cache.set(shop, { pending });
    return within(pending, waitMs);
  };
}

/** The answer if it comes within `ms`, else null (the page goes on without the link). */
function within<T>(promise: Promise<T | null>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
    timer.unref();
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
