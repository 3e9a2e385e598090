import type { Shopify } from '@shopify/shopify-api';
import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import * as z from 'zod';
import { HttpError, badRequest, unauthorized } from '../../http/errors.js';
import { nowIso } from '../../core/ids.js';
import { recordComplianceRequest } from '../../privacy/compliance.js';
import type { LookupHash } from '../../leads/erasure.js';
import { recordConsentChange } from '../../privacy/consent-ledger.js';
import { readCapped, unreadIncoming } from '../../http/body.js';
import type { ShopTokens } from '../../shopify/shops.js';
import type { Database } from '../../storage/tables.js';
import { SOURCE_ATTRIBUTE } from '../../../../schema/purchase-questions.js';
import type { LeadIntake } from '../../leads/intake.js';
import { purchaseIntake, readPurchaseAnswers } from '../../leads/purchase.js';
import { SHOP_DOMAIN } from '../../core/shop-domain.js';

export interface WebhookDeps {
  db: Kysely<Database>;
  shopify: Shopify;
  tokens: ShopTokens;
  lookupHash: LookupHash;
  /** Purchase answers from orders go through the same intake as the contact form. */
  intake: LeadIntake;
  /** Wakes the worker, which does the compliance work. */
  onComplianceRequest?: () => void;
}

const MAX_WEBHOOK_BYTES = 1024 * 1024;

// Consent states and opt-in levels are Shopify enum values (SUBSCRIBED, SINGLE_OPT_IN, ...), recorded in the ledger as
// they come: anything else is not a state, and is refused before it reaches a text column.
// Ids end up in lookups and in the order and customer GIDs stored on leads: digits only, whatever type carries them.
const shopifyId = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/, 'digits')]);
const consentEnum = z.string().regex(/^[A-Za-z_]{1,40}$/, 'a Shopify enum value');
const customerRef = z.object({ id: shopifyId.nullish(), email: z.string().nullish(), phone: z.string().nullish() });
const payloads = {
  'customers/data_request': z.object({ shop_domain: z.string(), customer: customerRef, data_request: z.object({ id: shopifyId }).optional() }),
  'customers/redact': z.object({ shop_domain: z.string(), customer: customerRef }),
  'shop/redact': z.object({ shop_domain: z.string() }),
  'app/uninstalled': z.object({}).passthrough(),
  'orders/create': z.object({
    id: shopifyId,
    email: z.string().nullish(),
    contact_email: z.string().nullish(),
    customer_locale: z.string().nullish(),
    customer: z.object({ id: shopifyId, email: z.string().nullish(), first_name: z.string().nullish(), last_name: z.string().nullish() }).nullish(),
    note_attributes: z.array(z.object({ name: z.string(), value: z.union([z.string(), z.number(), z.boolean()]).nullish() })).default([]),
  }),
  'customers_email_marketing_consent/update': z.object({
    customer_id: shopifyId.nullish(),
    email_address: z.string().nullish(),
    email_marketing_consent: z.object({ state: consentEnum, opt_in_level: consentEnum.nullish(), consent_updated_at: z.string().nullish() }),
  }),
  'customers_marketing_consent/update': z.object({
    id: shopifyId.nullish(),
    phone: z.string().nullish(),
    sms_marketing_consent: z.object({ state: consentEnum, opt_in_level: consentEnum.nullish(), consent_updated_at: z.string().nullish() }).nullish(),
    // WhatsApp consent (2026-07) is held on the phone number beside SMS. The key it arrives under in this topic is not
    // documented (UNCONFIRMED): read under the SMS key's pattern, and absent it changes nothing.
    whatsapp_marketing_consent: z.object({ state: consentEnum, opt_in_level: consentEnum.nullish(), consent_updated_at: z.string().nullish() }).nullish(),
  }),
} as const;
type Topic = keyof typeof payloads;

/**
 * Where a payload names its shop by permanent domain (`shop_domain` in compliance topics, `myshopify_domain` in the
 * shop object of app/uninstalled), it must be the shop of the signed header, whatever the topic: a payload of one shop
 * delivered under another's header is never acted on. `domain` is not compared: in a shop object it is the primary
 * domain, which is the merchant's own custom domain on most live shops.
 */
function payloadNamesShop(payload: unknown, shop: string): boolean {
  if (typeof payload !== 'object' || payload === null) return true;
  for (const key of ['shop_domain', 'myshopify_domain']) {
    if (key in payload && (payload as Record<string, unknown>)[key] !== shop) return false;
  }
  return true;
}
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
    const rawBody = new TextDecoder().decode(await readCapped(c.req.raw, MAX_WEBHOOK_BYTES, unreadIncoming(c.env)));
    const check = await deps.shopify.webhooks.validate({ rawBody, rawRequest: c.req.raw });
    if (!check.valid) {
      if (check.reason === 'missing_headers')
        throw badRequest('missing_headers', `Missing: ${(check as { missingHeaders?: string[] }).missingHeaders?.join(', ') ?? ''}`);
      throw unauthorized(check.reason === 'missing_body' ? 'missing_body' : 'invalid_hmac');
    }
    const headerTopic = (c.req.header('x-shopify-topic') ?? '').toLowerCase();
    if (!isTopic(routeTopic) || headerTopic !== routeTopic) throw new HttpError(404, 'unknown_topic', 'No handler for this topic at this path.');
    const shop = check.domain;
    if (!SHOP_DOMAIN.test(shop)) throw badRequest('invalid_shop');

    let payload: unknown;
    try {
      payload = JSON.parse(rawBody);
    } catch {
      throw badRequest('malformed_json');
    }
    const parsed = payloads[routeTopic].safeParse(payload);
    if (!parsed.success) throw badRequest('invalid_payload', parsed.error.issues.map((i) => i.path.join('.')).join(', '));
    if (!payloadNamesShop(payload, shop)) throw badRequest('shop_mismatch', 'The payload names another shop than the signed header.');

    const webhookId = check.webhookType === 'webhooks' ? check.webhookId : check.eventId;
    const fresh = await deps.db
      .insertInto('webhook_deliveries')
      .values({ webhook_id: `${shop}:${webhookId}`, shop, topic: routeTopic, received_at: nowIso() })
      .onConflict((oc) => oc.column('webhook_id').doNothing())
      .executeTakeFirst();
    if (Number(fresh.numInsertedOrUpdatedRows ?? 0) === 0) return c.json({ ok: true, duplicate: true });

    try {
      const result = await handle(deps, routeTopic, shop, parsed.data, webhookId);
      return c.json({ ok: true, ...result });
    } catch (error) {
      // Not done, so not delivered: Shopify's retry must find the work still to do.
      await deps.db.deleteFrom('webhook_deliveries').where('webhook_id', '=', `${shop}:${webhookId}`).execute();
      throw error;
    }
  });
  return app;
}

async function handle(deps: WebhookDeps, topic: Topic, shop: string, data: Record<string, unknown>, webhookId: string): Promise<Record<string, unknown>> {
  switch (topic) {
    case 'app/uninstalled':
      // Tokens go at once; data stays until shop/redact (48 h later) so a reinstall finds it.
      await deps.tokens.revoke(shop);
      return {};
    case 'customers/redact':
    case 'customers/data_request': {
      const { customer } = payloads[topic].parse(data);
      const id = await recordComplianceRequest(deps.db, { shop, topic, webhookId, customer });
      deps.onComplianceRequest?.();
      return { request: id };
    }
    case 'shop/redact': {
      const id = await recordComplianceRequest(deps.db, { shop, topic, webhookId, customer: null });
      deps.onComplianceRequest?.();
      return { request: id };
    }
    case 'orders/create': {
      const order = payloads[topic].parse(data);
      const attributes = new Map(order.note_attributes.filter((a) => a.value !== null && a.value !== undefined).map((a) => [a.name, String(a.value)]));
      const read = readPurchaseAnswers(attributes);
      if (!read) return { lead: null };
      const source = attributes.get(SOURCE_ATTRIBUTE) === 'cart' ? 'cart' : 'checkout';
      const customer = order.customer;
      const { lead } = await deps.intake.accept(
        purchaseIntake(
          shop,
          source,
          {
            id: `gid://shopify/Order/${order.id}`,
            email: order.email ?? order.contact_email ?? customer?.email ?? null,
            firstName: customer?.first_name ?? null,
            lastName: customer?.last_name ?? null,
            customerId: customer ? `gid://shopify/Customer/${customer.id}` : null,
            locale: order.customer_locale ?? null,
          },
          read,
          { proof: 'webhook' },
        ),
      );
      return { lead: lead.id, status: lead.status, rejected: read.rejected };
    }
    case 'customers_email_marketing_consent/update': {
      const p = payloads[topic].parse(data);
      const c = p.email_marketing_consent;
      const { recorded: leads } = await recordConsentChange(
        deps.db,
        shop,
        { id: p.customer_id ?? null, email: p.email_address ?? null },
        { channel: 'email', state: c.state, optInLevel: c.opt_in_level ?? null, at: c.consent_updated_at ?? null },
        deps.lookupHash,
      );
      return { leads };
    }
    case 'customers_marketing_consent/update': {
      const p = payloads[topic].parse(data);
      let leads = 0;
      for (const [channel, c] of [
        ['sms', p.sms_marketing_consent],
        ['whatsapp', p.whatsapp_marketing_consent],
      ] as const) {
        if (!c) continue;
        leads = Math.max(
          leads,
          await recordConsentChange(
            deps.db,
            shop,
            { id: p.id ?? null, phone: p.phone ?? null },
            { channel, state: c.state, optInLevel: c.opt_in_level ?? null, at: c.consent_updated_at ?? null },
            deps.lookupHash,
          ).then((r) => r.recorded),
        );
      }
      return { leads };
    }
  }
}
