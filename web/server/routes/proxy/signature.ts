import { createHmac, timingSafeEqual } from 'node:crypto';
import { SHOP_DOMAIN } from '../../core/shop-domain.js';

/**
 * Verifies the query Shopify's app proxy appends (shop, logged_in_customer_id, path_prefix, timestamp, signature):
 * parameters except `signature`, repeated keys' values joined by commas, `key=value` sorted and concatenated,
 * HMAC-SHA256 with the app secret, hex, compared in constant time; the timestamp within 90 s either way.
 *
 * This is @shopify/shopify-api's `validateHmac(query, {signator: 'appProxy'})` algorithm, computed with node:crypto
 * (OpenSSL) instead of the library's WebCrypto path, which imports the key anew on every call and capped intake
 * at about 700 requests/s on this machine (bench/intake.ts). signature.test.ts checks, on thousands of generated
 * queries, that this verdict equals the library's. It also closes what the library leaves open: a missing timestamp
 * (the library compares NaN and passes) and repeated identity parameters.
 */
export const PROXY_FAILURES = [
  'missing_signature',
  'missing_timestamp',
  'repeated_parameter',
  'stale_timestamp',
  'invalid_signature',
  'invalid_shop',
  'invalid_customer_id',
] as const;
export type ProxyFailure = (typeof PROXY_FAILURES)[number];

export type ProxyVerification =
  { valid: true; shop: string; loggedInCustomerId: string | null; pathPrefix: string | null } | { valid: false; reason: ProxyFailure };

const SINGLE_VALUED = ['shop', 'signature', 'timestamp', 'path_prefix', 'logged_in_customer_id'];
export const TIMESTAMP_TOLERANCE_SECONDS = 90;

/** The string Shopify signs: every parameter but `signature`, repeated values joined by commas, sorted. */
export function proxySigningString(params: URLSearchParams): string {
  const pairs: string[] = [];
  for (const key of new Set(params.keys())) {
    if (key === 'signature') continue;
    pairs.push(`${key}=${params.getAll(key).join(',')}`);
  }
  return pairs.sort().join('');
}

export function verifyProxyQuery(secret: string, params: URLSearchParams, nowSeconds = Math.trunc(Date.now() / 1000)): ProxyVerification {
  for (const name of SINGLE_VALUED) {
    if (params.getAll(name).length > 1) return { valid: false, reason: 'repeated_parameter' };
  }
  const signature = params.get('signature');
  if (!signature) return { valid: false, reason: 'missing_signature' };
  const timestamp = params.get('timestamp') ?? '';
  if (!/^\d+$/.test(timestamp)) return { valid: false, reason: 'missing_timestamp' };
  if (Math.abs(nowSeconds - Number(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS) return { valid: false, reason: 'stale_timestamp' };

  const expected = createHmac('sha256', secret).update(proxySigningString(params)).digest();
  const given = /^[0-9a-f]{64}$/i.test(signature) ? Buffer.from(signature, 'hex') : null;
  if (!given || !timingSafeEqual(expected, given)) return { valid: false, reason: 'invalid_signature' };

  const shop = params.get('shop') ?? '';
  if (!SHOP_DOMAIN.test(shop)) return { valid: false, reason: 'invalid_shop' };
  // Shopify sends a customer id in digits, or an empty value when nobody is logged in. Anything else under a valid
  // signature means the contract is broken (a changed format, a misconfigured proxy in front of the app), and it would
  // be matched against stored ids as is: refused with its own reason rather than guessed at or read as logged out.
  const customerId = params.get('logged_in_customer_id') || null;
  if (customerId !== null && !/^\d{1,20}$/.test(customerId)) return { valid: false, reason: 'invalid_customer_id' };
  return {
    valid: true,
    shop,
    loggedInCustomerId: customerId,
    pathPrefix: params.get('path_prefix') || null,
  };
}
