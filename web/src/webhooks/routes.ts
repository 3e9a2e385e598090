import type { Shopify } from '@shopify/shopify-api';
import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import * as z from 'zod';
import { HttpError, badRequest, unauthorized } from '../http/errors.js';
import { nowIso } from '../leads/ids.js';
import { countCustomerLeads, eraseCustomer, eraseShop } from '../leads/erasure.js';
import { readCapped } from '../proxy/body.js';
import type { ShopTokens } from '../shopify/shops.js';
import type { Database } from '../storage/tables.js';

export interface WebhookDeps {
  db: Kysely<Database>;
  shopify: Shopify;
  tokens: ShopTokens;
}

const MAX_WEBHOOK_BYTES = 1024 * 1024;

const customerRef = z.object({ id: z.union([z.number(), z.string()]).nullish(), email: z.string().nullish(), phone: z.string().nullish() });
const payloads = {
  'customers/data_request': z.object({ shop_domain: z.string(), customer: customerRef, data_request: z.object({ id: z.union([z.number(), z.string()]) }).optional() }),
  'customers/redact': z.object({ shop_domain: z.string(), customer: customerRef }),
  'shop/redact': z.object({ shop_domain: z.string() }),
  'app/uninstalled': z.object({}).passthrough(),
} as const;
type Topic = keyof typeof payloads;
const isTopic = (topic: string): topic is Topic => topic in payloads;

/**
 * Webhooks at /webhooks/<topic>. The HMAC over the raw body is checked by @shopify/shopify-api; an invalid or missing
 * one is 401, as Shopify's compliance review requires. Deliveries are deduplicated on X-Shopify-Webhook-Id because
 * Shopify retries.
 */
export function webhookRoutes(deps: WebhookDeps) {
  const app = new Hono();
  app.post('/*', async (c) => {
    const routeTopic = c.req.path.replace(/^.*?\/webhooks\//, '');
    const rawBody = new TextDecoder().decode(await readCapped(c.req.raw, MAX_WEBHOOK_BYTES));
    const check = await deps.shopify.webhooks.validate({ rawBody, rawRequest: c.req.raw });
    if (!check.valid) {
      if (check.reason === 'missing_headers') throw badRequest('missing_headers', `Missing: ${(check as { missingHeaders?: string[] }).missingHeaders?.join(', ') ?? ''}`);
      throw unauthorized(check.reason === 'missing_body' ? 'missing_body' : 'invalid_hmac');
    }
    const headerTopic = (c.req.header('x-shopify-topic') ?? '').toLowerCase();
    if (!isTopic(routeTopic) || headerTopic !== routeTopic) throw new HttpError(404, 'unknown_topic', 'No handler for this topic at this path.');
    const shop = check.domain;
    if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shop)) throw badRequest('invalid_shop');

    let payload: unknown;
    try {
      payload = JSON.parse(rawBody);
    } catch {
      throw badRequest('malformed_json');
    }
    const parsed = payloads[routeTopic].safeParse(payload);
    if (!parsed.success) throw badRequest('invalid_payload', parsed.error.issues.map((i) => i.path.join('.')).join(', '));
    if ('shop_domain' in parsed.data && parsed.data.shop_domain !== shop) throw badRequest('shop_mismatch', 'The payload names another shop than the signed header.');

    const webhookId = check.webhookType === 'webhooks' ? check.webhookId : check.eventId;
    const fresh = await deps.db
      .insertInto('webhook_deliveries')
      .values({ webhook_id: `${shop}:${webhookId}`, shop, topic: routeTopic, received_at: nowIso() })
      .onConflict((oc) => oc.column('webhook_id').doNothing())
      .executeTakeFirst();
    if (Number(fresh.numInsertedOrUpdatedRows ?? 0) === 0) return c.json({ ok: true, duplicate: true });

    const result = await handle(deps, routeTopic, shop, parsed.data);
    return c.json({ ok: true, ...result });
  });
  return app;
}

async function handle(deps: WebhookDeps, topic: Topic, shop: string, data: Record<string, unknown>): Promise<Record<string, unknown>> {
  switch (topic) {
    case 'app/uninstalled':
      // Tokens go at once; data stays until shop/redact (48 h later) so a reinstall finds it.
      await deps.tokens.revoke(shop);
      return {};
    case 'customers/redact': {
      const { customer } = payloads['customers/redact'].parse(data);
      return { erased: await eraseCustomer(deps.db, shop, customer) };
    }
    case 'shop/redact':
      return { erased: await eraseShop(deps.db, shop) };
    case 'customers/data_request': {
      // The full package for the owner comes with the privacy work; until then the request is recorded and counted.
      const { customer } = payloads['customers/data_request'].parse(data);
      return { leads: await countCustomerLeads(deps.db, shop, customer) };
    }
  }
}
