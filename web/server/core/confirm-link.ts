import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The double opt-in link: the lead, when it expires, and an HMAC of both with the app secret, so only the app can
 * make one and a shopper cannot stretch its life or point it at another lead. The link travels through the app proxy,
 * whose own signature (added by Shopify) says which shop it is for; the HMAC covers the shop too.
 */
export interface ConfirmLink {
  lead: string;
  /** Expiry, seconds since the epoch. */
  expires: number;
  sig: string;
}

const payload = (shop: string, lead: string, expires: number) => `contact-capture confirm v1|${shop}|${lead}|${expires}`;

export function signConfirmLink(secret: string, shop: string, lead: string, expires: number): ConfirmLink {
  return {
    lead,
    expires,
    sig: createHmac('sha256', secret)
      .update(payload(shop, lead, expires))
      .digest('hex'),
  };
}

export type ConfirmCheck = { valid: true; expired: boolean } | { valid: false };

/** Whether the link was made by the app for this shop; an expired one is still told apart (the page offers a new one). */
export function checkConfirmLink(secret: string, shop: string, link: { lead?: string; expires?: string; sig?: string }, nowMs: number): ConfirmCheck {
  const { lead, expires, sig } = link;
  if (!lead || !/^[A-Za-z0-9_-]{1,64}$/.test(lead) || !expires || !/^\d{1,12}$/.test(expires) || !sig || !/^[0-9a-f]{64}$/.test(sig)) return { valid: false };
  const expected = createHmac('sha256', secret)
    .update(payload(shop, lead, Number(expires)))
    .digest();
  if (!timingSafeEqual(expected, Buffer.from(sig, 'hex'))) return { valid: false };
  return { valid: true, expired: nowMs >= Number(expires) * 1000 };
}
