import * as z from 'zod';
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

/** A checkout UI extension's token: `dest` is the shop's domain, `sub` (a logged-in buyer) a customer GID when present. */
// A checkout token's `sub`, when present, is the buyer's customer GID: a staff token (numeric sub) is not one.
const checkoutClaims = z.object({
  dest: z.string(),
  exp: z.number(),
  sub: z
    .string()
    .regex(/^gid:\/\/shopify\/Customer\/\d{1,20}$/)
    .optional(),
});

export function checkoutSessionClaims(payload: unknown): { shop: string; sub: string | undefined } | null {
  const parsed = checkoutClaims.safeParse(payload);
  if (!parsed.success) return null;
  const shop = shopFromDest(parsed.data.dest);
  return shop ? { shop, sub: parsed.data.sub } : null;
}

/**
 * A customer account UI extension's token: `dest` is the shop's domain and `sub` the signed-in customer's GID, always
 * (the account pages exist only for a signed-in customer). A token without a customer is not an account token.
 */
const accountClaims = z.object({
  dest: z.string(),
  exp: z.number(),
  sub: z.string().regex(/^gid:\/\/shopify\/Customer\/\d{1,20}$/),
});

export function accountSessionClaims(payload: unknown): { shop: string; customerGid: string; customerId: string } | null {
  const parsed = accountClaims.safeParse(payload);
  if (!parsed.success) return null;
  const shop = shopFromDest(parsed.data.dest);
  return shop ? { shop, customerGid: parsed.data.sub, customerId: parsed.data.sub.slice('gid://shopify/Customer/'.length) } : null;
}
