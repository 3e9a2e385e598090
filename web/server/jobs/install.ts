import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AdminClient } from '../shopify/admin-client.js';
import { publishFormKey } from '../shopify/form-key-publisher.js';
import type { ShopTokens } from '../shopify/shops.js';
import { type TokenExchangeOptions, exchangeForOfflineToken } from '../shopify/token-exchange.js';
import type { Database } from '../storage/tables.js';

export interface InstallDeps {
  db: Kysely<Database>;
  client: AdminClient;
  tokens: ShopTokens;
  exchange: TokenExchangeOptions;
  /** Signs the form key published to the shop's metafield. */
  apiSecret: string;
  log: Logger;
}

/**
 * The install flow, run on a staff member's first request for a shop that has no offline token yet: the session token
 * is exchanged for the shop's offline token, which is saved; the form key is published. It runs inside that request,
 * so the workspace answers only once the shop can be synced.
 */
export function installer(deps: InstallDeps): (session: { shop: string; token: string }) => Promise<void> {
  const { client, tokens } = deps;
  return async (session) => {
    if (await tokens.get(session.shop)) return;
    const { accessToken, scope } = await exchangeForOfflineToken(deps.exchange, session.shop, session.token);
    await tokens.save(session.shop, accessToken, scope);
    await publishFormKey(client, session.shop, accessToken, deps.apiSecret);
    // No metafield definitions here: the app's own are declared in shopify.app.toml and come with its deploy; those
    // of keys merchants invent are made by the sync when a lead first uses one (capped per shop).
  };
}
