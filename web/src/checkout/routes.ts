import type { Shopify } from '@shopify/shopify-api';
import { Hono } from 'hono';
import * as z from 'zod';
import { MULTI_LINE, SINGLE_LINE } from '../../../schema/rules.js';
import { badRequest, unauthorized } from '../http/errors.js';
import type { LeadIntake } from '../leads/intake.js';
import { purchaseIntake, readPurchaseAnswers } from '../leads/purchase.js';
import { readCapped } from '../proxy/body.js';
import { shopFromDest } from '../shopify/shop-domain.js';

export interface CheckoutDeps {
  shopify: Shopify;
  intake: LeadIntake;
  onLeadQueued?: (shop: string) => void;
}

const MAX_BYTES = 16 * 1024;
const ORDER_GID = /^gid:\/\/shopify\/(Order|OrderIdentity)\/(\d{1,20})$/;
const CUSTOMER_GID = /^gid:\/\/shopify\/Customer\/\d{1,20}$/;

const body = z.object({
  /** shopify.orderConfirmation's order id on the thank-you page. */
  order_id: z.string().regex(ORDER_GID, 'an order GID'),
  /** The same attribute names the checkout writes (schema/purchase-fields.ts). */
  attributes: z.record(z.string().max(80).regex(SINGLE_LINE, 'no control characters'), z.string().max(5000).regex(MULTI_LINE, 'no control characters')).refine((a) => Object.keys(a).length <= 40, 'at most 40 attributes'),
});

/**
 * The thank-you page extension posts its answers here (all plans; before purchase only Plus checkouts can take
 * them). Extensions run in a sandbox with no cookies and an opaque origin, so CORS is open and the only credential is
 * the checkout session token: HS256 with the app secret, audience = API key, checked by @shopify/shopify-api; the shop
 * comes from `dest`, a logged-in buyer from `sub`.
 */
export function checkoutRoutes(deps: CheckoutDeps) {
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    c.res.headers.set('access-control-allow-origin', '*');
    c.res.headers.set('vary', 'origin');
  });
  app.options('/answers', (c) =>
    c.body(null, 204, { 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'authorization, content-type', 'access-control-max-age': '86400' }),
  );
  app.post('/answers', async (c) => {
    const token = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (!token) throw unauthorized('missing_session_token');
    let claims: Awaited<ReturnType<Shopify['session']['decodeSessionToken']>>;
    try {
      claims = await deps.shopify.session.decodeSessionToken(token);
    } catch {
      throw unauthorized('invalid_session_token');
    }
    const shop = shopFromDest(claims.dest);
    if (!shop) throw unauthorized('invalid_session_token');
    if (!(c.req.header('content-type') ?? '').includes('application/json')) throw badRequest('unsupported_content_type');
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(await readCapped(c.req.raw, MAX_BYTES)));
    } catch (error) {
      if (error instanceof SyntaxError) throw badRequest('malformed_json');
      throw error;
    }
    const parsed = body.safeParse(json);
    if (!parsed.success) throw badRequest('invalid_body', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const read = readPurchaseAnswers(new Map(Object.entries(parsed.data.attributes)));
    if (!read || (!read.answers.length && !read.consent)) throw badRequest('no_answers', 'No cc_ attributes with a value.');
    const orderNumber = ORDER_GID.exec(parsed.data.order_id)![2];
    const sub = typeof claims.sub === 'string' && CUSTOMER_GID.test(claims.sub) ? claims.sub : null;
    const { lead, replayed } = await deps.intake.accept(
      purchaseIntake(shop, 'thank_you', { id: `gid://shopify/Order/${orderNumber}`, email: null, customerId: sub }, read),
    );
    if (lead.status === 'pending' && !replayed) deps.onLeadQueued?.(shop);
    return c.json({ id: lead.id, status: lead.status, replayed, rejected: read.rejected }, 202);
  });
  return app;
}
