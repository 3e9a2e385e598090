import * as z from 'zod';

/**
 * Shopify token exchange: trades an embedded admin session token for the shop's offline access token.
 * https://{shop}/admin/oauth/access_token (or the emulator's origin in local mode and tests).
 */
const answer = z.object({ access_token: z.string().min(1), scope: z.string().default('') });

export interface TokenExchangeOptions {
  apiKey: string;
  apiSecret: string;
  origin?: string | undefined;
  timeoutMs: number;
}

export async function exchangeForOfflineToken(options: TokenExchangeOptions, shop: string, sessionToken: string): Promise<{ accessToken: string; scope: string }> {
  const response = await fetch(`${options.origin ?? `https://${shop}`}/admin/oauth/access_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-shopify-shop-domain': shop },
    body: JSON.stringify({
      client_id: options.apiKey,
      client_secret: options.apiSecret,
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: sessionToken,
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      requested_token_type: 'urn:shopify:params:oauth:token-type:offline-access-token',
    }),
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  if (!response.ok) throw new Error(`Token exchange failed with HTTP ${response.status}`);
  const parsed = answer.parse(await response.json());
  return { accessToken: parsed.access_token, scope: parsed.scope };
}
