import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Tags come from the merchant's block settings but travel in a hidden field, where a shopper could change them (and
 * tags can grant prices or access in other apps). The block signs them in Liquid with `hmac_sha256` and a per-shop
 * form key that the app stores as an app-data metafield (readable by the block, never sent to the browser); the
 * server drops tags whose signature does not match.
 */
export const FORM_KEY_METAFIELD = { namespace: 'contact_capture', key: 'form_key' } as const;

export function formKey(apiSecret: string, shop: string): string {
  return createHmac('sha256', apiSecret).update(`contact-capture form key v1:${shop}`).digest('hex');
}

/** What Liquid's `{{ tags | hmac_sha256: key }}` computes. */
export function signTags(key: string, tags: string): string {
  return createHmac('sha256', key).update(tags).digest('hex');
}

export function tagsSignatureValid(key: string, tags: string, signature: string | undefined): boolean {
  if (!signature || !/^[0-9a-f]{64}$/.test(signature)) return false;
  return timingSafeEqual(Buffer.from(signTags(key, tags), 'hex'), Buffer.from(signature, 'hex'));
}
