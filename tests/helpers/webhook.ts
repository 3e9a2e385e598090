import { createHmac } from 'node:crypto';
import { SECRET, SHOP } from './runtime.js';

let delivery = 0;

/** A webhook request as Shopify sends it: raw JSON body, base64 HMAC-SHA256 header, topic, shop and delivery id. */
export function signedWebhook(
  topic: string,
  payload: unknown,
  options: { secret?: string; hmac?: string | null; body?: string; id?: string; shop?: string } = {},
): RequestInit {
  const json = JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-shopify-topic': topic,
    'x-shopify-shop-domain': options.shop ?? SHOP,
    'x-shopify-api-version': '2026-10',
    'x-shopify-webhook-id': options.id ?? `delivery-${process.pid}-${++delivery}`,
  };
  const hmac =
    options.hmac === undefined
      ? createHmac('sha256', options.secret ?? SECRET)
          .update(json)
          .digest('base64')
      : options.hmac;
  if (hmac !== null) headers['x-shopify-hmac-sha256'] = hmac;
  return { method: 'POST', headers, body: options.body ?? json };
}
