import * as z from 'zod';
import { unavailable } from '../core/errors.js';

/**
 * Shopify token exchange: trades an embedded admin session token for the shop's offline access token, or for an
 * online token whose associated user tells who the staff member is.
 * https://{shop}/admin/oauth/access_token (or the emulator's origin in local mode and tests).
 */
const answer = z.object({ access_token: z.string().min(1), scope: z.string().default('') });

export interface TokenExchangeOptions {
  apiKey: string;
  apiSecret: string;
  origin?: string | undefined;
  timeoutMs: number;
}

// Shopify not answering (no connection, a timeout, a 5xx or 429) is an outage the staff member can wait out, not a bug.
const shopifyDown = () => unavailable('shopify_unavailable', 'Shopify did not answer; try again shortly.', 5);

async function exchange(options: TokenExchangeOptions, shop: string, sessionToken: string, requested: 'offline' | 'online'): Promise<unknown> {
  const response = await fetch(`${options.origin ?? `https://${shop}`}/admin/oauth/access_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-shopify-shop-domain': shop },
    body: JSON.stringify({
      client_id: options.apiKey,
      client_secret: options.apiSecret,
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: sessionToken,
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      requested_token_type: `urn:shopify:params:oauth:token-type:${requested}-access-token`,
    }),
    signal: AbortSignal.timeout(options.timeoutMs),
  }).catch(() => {
    throw shopifyDown();
  });
  if (response.status >= 500 || response.status === 429) throw shopifyDown();
  if (!response.ok) throw new Error(`Token exchange failed with HTTP ${response.status}`);
  return response.json();
}

export async function exchangeForOfflineToken(
  options: TokenExchangeOptions,
  shop: string,
  sessionToken: string,
): Promise<{ accessToken: string; scope: string }> {
  const parsed = answer.parse(await exchange(options, shop, sessionToken, 'offline'));
  return { accessToken: parsed.access_token, scope: parsed.scope };
}

/** An online token names its staff user; the app keeps only whether they own the shop, and their name. */
const onlineAnswer = z.object({
  associated_user: z.object({
    id: z.union([z.number(), z.string()]),
    first_name: z.string().nullish(),
    last_name: z.string().nullish(),
    account_owner: z.boolean(),
  }),
});

export async function identifyStaffUser(
  options: TokenExchangeOptions,
  shop: string,
  sessionToken: string,
): Promise<{ accountOwner: boolean; name: string | null }> {
  const { associated_user: user } = onlineAnswer.parse(await exchange(options, shop, sessionToken, 'online'));
  return { accountOwner: user.account_owner, name: [user.first_name, user.last_name].filter(Boolean).join(' ') || null };
}
