import type { Shopify } from '@shopify/shopify-api';
import * as z from 'zod';
import { verifiedSessionToken } from '../http/bearer.js';
import { unauthorized } from '../http/errors.js';
import { SHOP_DOMAIN, shopFromDest } from '../core/shop-domain.js';

/**
 * The claims the app relies on in a session token, parsed rather than trusted: @shopify/shopify-api checks the
 * signature, `aud`, and `exp`/`nbf` when present, but lets a token without `exp` (valid forever) or with any shape of
 * `iss`, `dest` and `sub` through. A token that does not have the shape Shopify mints is refused like a forged one.
 */

/** An admin session token (App Bridge): `dest` is exactly `https://{shop}`, `iss` that shop's admin, `sub` a staff user id. */
const staffClaims = z.object({
  iss: z.string(),
  dest: z.string(),
  sub: z.string().regex(/^\d{1,20}$/),
  exp: z.number(),
});

export function staffSessionClaims(payload: unknown): { shop: string; userId: string } | null {
  const parsed = staffClaims.safeParse(payload);
  if (!parsed.success) return null;
  const { iss, dest, sub } = parsed.data;
  let url: URL;
  try {
    url = new URL(dest);
  } catch {
    return null;
  }
  const bare =
    url.protocol === 'https:' && !url.username && !url.password && !url.port && (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash;
  if (!bare || !SHOP_DOMAIN.test(url.hostname) || dest.replace(/\/$/, '') !== `https://${url.hostname}`) return null;
  if (!iss.startsWith(`https://${url.hostname}/`)) return null;
  return { shop: url.hostname, userId: sub };
}

/**
 * A checkout or customer account UI extension's token: `dest` is the shop's domain, `sub` (a signed-in buyer) a
 * customer GID when present. A staff token (numeric `sub`, `dest` an https URL) is not one. Both extensions' tokens
 * have this shape; the account pages exist only for a signed-in customer, so there a token without `sub` is refused.
 */
const extensionClaims = z.object({
  dest: z.string(),
  exp: z.number(),
  sub: z
    .string()
    .regex(/^gid:\/\/shopify\/Customer\/\d{1,20}$/)
    .optional(),
});

/** The signed-in customer an extension token names. */
export interface TokenCustomer {
  gid: string;
  /** The number in the GID, as the app proxy's `logged_in_customer_id` gives it. */
  id: string;
}

export interface ExtensionSession<C extends TokenCustomer | null = TokenCustomer | null> {
  /** The token itself (checkout hashes it for its per-token limit and idempotency key). */
  token: string;
  shop: string;
  customer: C;
}

/** The claims of an extension token, or null when they are not what Shopify mints (parsed, pure: unit-testable). */
export function extensionSessionClaims(payload: unknown): { shop: string; customer: TokenCustomer | null } | null {
  const parsed = extensionClaims.safeParse(payload);
  if (!parsed.success) return null;
  const shop = shopFromDest(parsed.data.dest);
  if (!shop) return null;
  const sub = parsed.data.sub;
  return { shop, customer: sub ? { gid: sub, id: sub.slice('gid://shopify/Customer/'.length) } : null };
}

/**
 * The one check of an extension's bearer token, for checkout and the customer account alike: signature, audience and
 * expiry by @shopify/shopify-api (http/bearer.ts), then the claims above. Every failure is a 401 with the same
 * reasons: `missing_session_token` without a token, `invalid_session_token` for any other. With `customer:
 * 'required'` a token that names no signed-in customer is refused too.
 */
export async function verifiedExtensionSession(
  shopify: Shopify,
  authorization: string | undefined,
  options: { customer: 'required' },
): Promise<ExtensionSession<TokenCustomer>>;
export async function verifiedExtensionSession(
  shopify: Shopify,
  authorization: string | undefined,
  options: { customer: 'optional' },
): Promise<ExtensionSession>;
export async function verifiedExtensionSession(
  shopify: Shopify,
  authorization: string | undefined,
  options: { customer: 'required' | 'optional' },
): Promise<ExtensionSession>;
export async function verifiedExtensionSession(
  shopify: Shopify,
  authorization: string | undefined,
  options: { customer: 'required' | 'optional' },
): Promise<ExtensionSession> {
  const { token, payload } = await verifiedSessionToken(shopify, authorization);
  const claims = extensionSessionClaims(payload);
  if (!claims || (options.customer === 'required' && !claims.customer)) throw unauthorized('invalid_session_token');
  return { token, shop: claims.shop, customer: claims.customer };
}
