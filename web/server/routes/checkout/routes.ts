import type { Shopify } from '@shopify/shopify-api';
import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import * as z from 'zod';
import { MULTI_LINE, SINGLE_LINE } from '../../../../schema/rules.js';
import { syncError } from '../../../../schema/sync-errors.js';
import { HttpError, badRequest, forbidden } from '../../http/errors.js';
import { sha256Hex } from '../../core/ids.js';
import type { LeadIntake } from '../../leads/intake.js';
import { type PurchaseBuyer, purchaseIntake, readPurchaseAnswers } from '../../leads/purchase.js';
import { readCapped, unreadIncoming } from '../../http/body.js';
import { verifiedExtensionSession } from '../../shopify/session-claims.js';
import type { AdminResult } from '../../shopify/admin-client.js';
import { type BuyerClaim, type OwnerCheck, checkOrderOwner, checkoutTokenSha256, claimToText } from '../../shopify/order-owner.js';
import type { Database } from '../../storage/tables.js';
import { type CheckoutLimits, DEFAULT_CHECKOUT_LIMITS, overCheckoutLimit } from './limits.js';

/** One Admin API call for a shop, with its offline token. */
export type ShopCall = <T>(query: string, variables: Record<string, unknown>) => Promise<AdminResult<T>>;

export interface CheckoutDeps {
  shopify: Shopify;
  intake: LeadIntake;
  db: Kysely<Database>;
  /** The shop's Admin API, or null when the app holds no token for it. */
  admin: (shop: string) => Promise<ShopCall | null>;
  limits?: CheckoutLimits;
  clock?: () => number;
}

const MAX_BYTES = 16 * 1024;
const ORDER_GID = /^gid:\/\/shopify\/(Order|OrderIdentity)\/(\d{1,20})$/;

const body = z.object({
  /** shopify.orderConfirmation's order id on the thank-you page. */
  order_id: z.string().regex(ORDER_GID, 'an order GID'),
  /** shopify.checkoutToken on the thank-you page: how a guest proves they placed the order (shopify/order-owner.ts). */
  checkout_token: z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, 'a checkout token')
    .optional(),
  /** The same attribute names the checkout writes (schema/purchase-questions.ts). */
  attributes: z
    .record(z.string().max(80).regex(SINGLE_LINE, 'no control characters'), z.string().max(5000).regex(MULTI_LINE, 'no control characters'))
    .refine((a) => Object.keys(a).length <= 40, 'at most 40 attributes'),
});

/** Shown to staff on a lead whose answers could not be tied to the buyer. */
export const UNPROVEN_REASON = syncError('buyer_unproven');

/**
 * The thank-you page extension posts its answers here (all plans; before purchase only Plus checkouts can take
 * them). Extensions run in a sandbox with no cookies and an opaque origin, so CORS is open and the only credential is
 * the checkout session token: HS256 with the app secret, audience = API key, checked by @shopify/shopify-api; the shop
 * comes from `dest`, a logged-in buyer from `sub`. Neither the token nor the body says whose order it is, so the
 * answers reach a customer only once the order's owner is proven (shopify/order-owner.ts); until then they stay on
 * the lead.
 */
export function checkoutRoutes(deps: CheckoutDeps) {
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    c.res.headers.set('access-control-allow-origin', '*');
    c.res.headers.set('vary', 'origin');
  });
  app.options('/answers', (c) =>
    c.body(null, 204, {
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-max-age': '86400',
    }),
  );
  app.post('/answers', async (c) => {
    const { token, shop, customer } = await verifiedExtensionSession(deps.shopify, c.req.header('authorization'), { customer: 'optional' });
    if (!(c.req.header('content-type') ?? '').includes('application/json')) throw badRequest('unsupported_content_type');
    const tokenHash = sha256Hex(token);
    const wait = await overCheckoutLimit(deps.db, shop, tokenHash, deps.limits ?? DEFAULT_CHECKOUT_LIMITS, (deps.clock ?? Date.now)());
    if (wait !== null)
      throw new HttpError(429, 'rate_limited', 'Too many answers from this checkout or shop; try again later.', {}, { 'retry-after': String(wait) });
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(await readCapped(c.req.raw, MAX_BYTES, unreadIncoming(c.env))));
    } catch (error) {
      if (error instanceof SyntaxError) throw badRequest('malformed_json');
      throw error;
    }
    const parsed = body.safeParse(json);
    if (!parsed.success) throw badRequest('invalid_body', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const read = readPurchaseAnswers(new Map(Object.entries(parsed.data.attributes)));
    if (!read || (!read.answers.length && !read.consent)) throw badRequest('no_answers', 'No cc_ attributes with a value.');
    const orderNumber = ORDER_GID.exec(parsed.data.order_id)![2];
    const orderId = `gid://shopify/Order/${orderNumber}`;
    // session-claims.ts admits a `sub` only as a customer GID.
    const sub = customer?.gid ?? null;
    const checkoutToken = parsed.data.checkout_token;
    const claim: BuyerClaim | null = sub
      ? { kind: 'customer', customerId: sub }
      : checkoutToken
        ? { kind: 'checkout', tokenSha256: checkoutTokenSha256(checkoutToken) }
        : null;
    // The idempotency key is the poster's own: the customer, the checkout, or (with neither) this session token.
    const identity =
      claim?.kind === 'customer' ? `c${claim.customerId.replace(/\D/g, '')}` : claim ? `k${claim.tokenSha256.slice(0, 32)}` : `s${tokenHash.slice(0, 32)}`;

    let buyer: PurchaseBuyer = { proof: 'none', identity, heldReason: UNPROVEN_REASON };
    let customerId: string | null = null;
    if (claim) {
      // Before anything is written: a post for someone else's order must leave no trace, not even a lead.
      const call = await deps.admin(shop);
      const check: OwnerCheck = call
        ? await checkOrderOwner(call, orderId, claim)
        : { kind: 'unavailable', result: { ok: false, kind: 'unauthorized', detail: 'no access token' } };
      if (check.kind === 'not_owner') throw forbidden('order_not_yours', 'This order was not placed by the buyer of this checkout session.');
      if (check.kind === 'owner') {
        // The claim is kept: a guest's order with no customer is read again at sync time for its email.
        buyer = { proof: claim.kind === 'customer' ? 'customer' : 'checkout_token', claim: claimToText(claim), identity };
        customerId = check.customerId;
      } else {
        // Shopify cannot say now (an outage, or the order is still being created as the thank-you page renders): the
        // answers are kept, acknowledged, and tied to no customer until the worker has checked the claim.
        buyer = { proof: 'pending', claim: claimToText(claim), identity };
      }
    }
    // No email from the order in the lead: a repeat of this post must hash the same whether Shopify answered or not.
    const { lead, replayed } = await deps.intake.accept(purchaseIntake(shop, 'thank_you', { id: orderId, email: null, customerId }, read, buyer));
    const verdict = buyer.proof === 'none' ? 'unproven' : buyer.proof === 'pending' ? 'pending' : 'verified';
    return c.json({ id: lead.id, status: lead.status, replayed, rejected: read.rejected, buyer: verdict }, 202);
  });
  return app;
}
