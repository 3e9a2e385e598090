import { createHash, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import type { AdminResult } from './admin-client.js';
import { ORDER_OWNER } from './operations.js';

/**
 * Proof that whoever posts thank-you page answers placed the order they name. The checkout session token is signed by
 * Shopify but says nothing about the order (its claims are the shop, the app and, for a logged-in buyer, `sub` = the
 * customer GID), and the order id in the body is the client's word. So the order itself is asked, through the Admin
 * API, who placed it: a logged-in buyer's `sub` must be its customer; a guest must know its checkout token
 * (`shopify.checkoutToken`, which Shopify shows only to that checkout, equal to `Order.checkoutToken`).
 */
export type BuyerClaim = { kind: 'customer'; customerId: string } | { kind: 'checkout'; tokenSha256: string };

export type OwnerCheck =
  /** The claim matches the order: answers may go to its customer (or, with no customer, to its email). */
  | { kind: 'owner'; customerId: string | null; email: string | null }
  /** The order exists and is someone else's (or the checkout token is another checkout's). */
  | { kind: 'not_owner' }
  /** Shopify does not know the order (yet: the thank-you page can render before the order is created). */
  | { kind: 'order_not_found' }
  /** The Admin API could not answer now. */
  | { kind: 'unavailable'; result: Exclude<AdminResult<unknown>, { ok: true }> };

type Call = <T>(query: string, variables: Record<string, unknown>) => Promise<AdminResult<T>>;

const CUSTOMER_PREFIX = 'customer:';
const CHECKOUT_PREFIX = 'checkout:';
const CUSTOMER_GID = /^gid:\/\/shopify\/Customer\/\d{1,20}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

const orderOwner = z.object({
  order: z
    .object({ id: z.string(), email: z.string().nullish(), checkoutToken: z.string().nullish(), customer: z.object({ id: z.string() }).nullish() })
    .nullable(),
});

export const checkoutTokenSha256 = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export function claimToText(claim: BuyerClaim): string {
  return claim.kind === 'customer' ? `${CUSTOMER_PREFIX}${claim.customerId}` : `${CHECKOUT_PREFIX}${claim.tokenSha256}`;
}

export function claimFromText(text: string | null): BuyerClaim | null {
  if (text?.startsWith(CUSTOMER_PREFIX)) {
    const customerId = text.slice(CUSTOMER_PREFIX.length);
    return CUSTOMER_GID.test(customerId) ? { kind: 'customer', customerId } : null;
  }
  if (text?.startsWith(CHECKOUT_PREFIX)) {
    const tokenSha256 = text.slice(CHECKOUT_PREFIX.length);
    return SHA256_HEX.test(tokenSha256) ? { kind: 'checkout', tokenSha256 } : null;
  }
  return null;
}

const sameHash = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));

export async function checkOrderOwner(call: Call, orderId: string, claim: BuyerClaim): Promise<OwnerCheck> {
  const result = await call<unknown>(ORDER_OWNER, { id: orderId });
  if (!result.ok) return { kind: 'unavailable', result };
  const parsed = orderOwner.safeParse(result.data);
  if (!parsed.success) return { kind: 'unavailable', result: { ok: false, kind: 'graphql', detail: 'unexpected order payload' } };
  const { order } = parsed.data;
  if (!order) return { kind: 'order_not_found' };
  const customerId = order.customer?.id ?? null;
  const token = order.checkoutToken;
  const owns = claim.kind === 'customer' ? customerId === claim.customerId : !!token && sameHash(checkoutTokenSha256(token), claim.tokenSha256);
  return owns ? { kind: 'owner', customerId, email: order.email ?? null } : { kind: 'not_owner' };
}
