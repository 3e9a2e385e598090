import { InvalidHmacError, type Shopify } from '@shopify/shopify-api';

/**
 * Verifies the query Shopify's app proxy appends (shop, logged_in_customer_id, path_prefix, timestamp, signature).
 * The library checks the HMAC and the 90-second window; we add what it leaves open: a missing timestamp (it would
 * compare NaN and pass) and repeated identity parameters, where one reader could take the first value and another
 * the last.
 */
export const PROXY_FAILURES = [
  'missing_signature',
  'missing_timestamp',
  'repeated_parameter',
  'stale_timestamp',
  'invalid_signature',
  'invalid_shop',
] as const;
export type ProxyFailure = (typeof PROXY_FAILURES)[number];

export type ProxyVerification =
  | { valid: true; shop: string; loggedInCustomerId: string | null; pathPrefix: string | null }
  | { valid: false; reason: ProxyFailure };

const SINGLE_VALUED = ['shop', 'signature', 'timestamp', 'path_prefix', 'logged_in_customer_id'];
const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

export async function verifyProxyQuery(shopify: Shopify, params: URLSearchParams): Promise<ProxyVerification> {
  for (const name of SINGLE_VALUED) {
    if (params.getAll(name).length > 1) return { valid: false, reason: 'repeated_parameter' };
  }
  if (!params.get('signature')) return { valid: false, reason: 'missing_signature' };
  if (!/^\d+$/.test(params.get('timestamp') ?? '')) return { valid: false, reason: 'missing_timestamp' };

  // Shopify signs repeated keys with their values joined by commas.
  const query: Record<string, string> = {};
  for (const key of new Set(params.keys())) query[key] = params.getAll(key).join(',');
  let valid: boolean;
  try {
    valid = await shopify.utils.validateHmac(query, { signator: 'appProxy' });
  } catch (error) {
    if (error instanceof InvalidHmacError) return { valid: false, reason: 'stale_timestamp' };
    throw error;
  }
  if (!valid) return { valid: false, reason: 'invalid_signature' };

  const shop = params.get('shop') ?? '';
  if (!SHOP_DOMAIN.test(shop)) return { valid: false, reason: 'invalid_shop' };
  return {
    valid: true,
    shop,
    loggedInCustomerId: params.get('logged_in_customer_id') || null,
    pathPrefix: params.get('path_prefix') || null,
  };
}
