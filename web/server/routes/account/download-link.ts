import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';

/**
 * A download from the account page is a plain link the customer opens (an extension runs in a worker: it can neither
 * save a file nor hand a link its session token). So the page asks for a link with its token, and the link carries
 * its own proof: shop, customer, format and expiry, signed with the app secret, valid for two minutes.
 */
export const LINK_SECONDS = 120;
export type DownloadFormat = 'json' | 'csv';

const claims = z.object({ s: z.string(), c: z.string().regex(/^\d{1,20}$/), f: z.enum(['json', 'csv']), e: z.number().int() });

const mac = (secret: string, body: string) => createHmac('sha256', secret).update(`account-download:${body}`).digest('base64url');

export function signDownload(secret: string, shop: string, customerId: string, format: DownloadFormat, now = Date.now()): string {
  const body = Buffer.from(JSON.stringify({ s: shop, c: customerId, f: format, e: Math.floor(now / 1000) + LINK_SECONDS })).toString('base64url');
  return `${body}.${mac(secret, body)}`;
}

/** The link's shop and customer when its signature holds and it has not expired; null otherwise. */
export function openDownload(secret: string, token: string, now = Date.now()): { shop: string; customerId: string; format: DownloadFormat } | null {
  const match = /^([A-Za-z0-9_-]{1,600})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return null;
  const [, body, signature] = match;
  const expected = Buffer.from(mac(secret, body!));
  const given = Buffer.from(signature!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  let parsed: z.infer<typeof claims>;
  try {
    const result = claims.safeParse(JSON.parse(Buffer.from(body!, 'base64url').toString('utf8')));
    if (!result.success) return null;
    parsed = result.data;
  } catch {
    return null;
  }
  if (parsed.e < Math.floor(now / 1000)) return null;
  return { shop: parsed.s, customerId: parsed.c, format: parsed.f };
}
