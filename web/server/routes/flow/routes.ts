import type { Shopify } from '@shopify/shopify-api';
import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import * as z from 'zod';
import { SHOP_DOMAIN } from '../../core/shop-domain.js';
import { HttpError, badRequest, unauthorized } from '../../http/errors.js';
import { readCapped, unreadIncoming } from '../../http/body.js';
import { FLOW_TRIGGERS, type FlowHandle, recordLifecycle } from '../../outbox/flow-events.js';
import type { Database } from '../../storage/tables.js';

export interface FlowRouteDeps {
  db: Kysely<Database>;
  shopify: Shopify;
}

/** A lifecycle callback is a few hundred bytes; anything much larger is not one. */
const MAX_LIFECYCLE_BYTES = 4 * 1024;

/**
 * Flow names the trigger by `flow_trigger_definition_id`. Shopify's example value is the trigger's title; with CLI
 * extensions it may be the handle. Both are accepted (case-insensitive); anything else is no trigger of this app.
 */
const TRIGGER_IDS = new Map<string, FlowHandle>([
  [FLOW_TRIGGERS.leadCaptured, FLOW_TRIGGERS.leadCaptured],
  ['lead captured', FLOW_TRIGGERS.leadCaptured],
  [FLOW_TRIGGERS.consentChanged, FLOW_TRIGGERS.consentChanged],
  ['lead consent changed', FLOW_TRIGGERS.consentChanged],
]);

const lifecycle = z.object({
  flow_trigger_definition_id: z.string().min(1).max(200),
  has_enabled_flow: z.boolean(),
  shop_id: z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/)]),
  shopify_domain: z.string().regex(SHOP_DOMAIN),
  timestamp: z.iso.datetime({ offset: true }),
});

/**
 * POST /flow/lifecycle: Shopify Flow says whether a shop has an enabled workflow using one of the app's triggers.
 * Signed like Flow's other requests to apps: `X-Shopify-Hmac-Sha256`, the base64 HMAC-SHA256 of the raw body with the
 * app's client secret, checked by @shopify/shopify-api's `flow.validate`. A bad or missing signature is 401 and a body
 * that is not a lifecycle callback 4xx, both before anything is written; a callback older than the stored one is
 * answered 200 and changes nothing (Shopify: newer timestamps take precedence). The answer must be 2xx, or the
 * merchant cannot turn the workflow on.
 */
export function flowRoutes(deps: FlowRouteDeps) {
  const app = new Hono();
  app.post('/lifecycle', async (c) => {
    const rawBody = new TextDecoder().decode(await readCapped(c.req.raw, MAX_LIFECYCLE_BYTES, unreadIncoming(c.env)));
    const check = await deps.shopify.flow.validate({ rawBody, rawRequest: c.req.raw });
    if (!check.valid) throw unauthorized(check.reason === 'missing_body' ? 'missing_body' : check.reason === 'missing_hmac' ? 'missing_hmac' : 'invalid_hmac');
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      throw badRequest('malformed_json');
    }
    const parsed = lifecycle.safeParse(body);
    if (!parsed.success) throw new HttpError(422, 'invalid_payload', parsed.error.issues.map((i) => i.path.join('.')).join(', '));
    const handle = TRIGGER_IDS.get(parsed.data.flow_trigger_definition_id.trim().toLowerCase());
    if (!handle) throw new HttpError(422, 'unknown_trigger', 'Not a trigger of this app.');
    const changed = await recordLifecycle(deps.db, {
      shop: parsed.data.shopify_domain,
      handle,
      enabled: parsed.data.has_enabled_flow,
      notifiedAt: new Date(parsed.data.timestamp).toISOString(),
    });
    return c.json({ ok: true, changed });
  });
  return app;
}
