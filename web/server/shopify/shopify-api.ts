import '@shopify/shopify-api/adapters/web-api';
import { type ApiVersion, LogSeverity, type Shopify, shopifyApi } from '@shopify/shopify-api';
import { API_VERSION } from '../../../schema/fields.js';

export interface ShopifyApiOptions {
  apiKey: string;
  apiSecret: string;
  appUrl: string;
}

/**
 * The well-kept library does signatures (app proxy, webhooks) and session tokens; we never hand-roll that crypto.
 * Its ApiVersion enum stops at 2026-04, so our pinned version is passed as a string.
 */
export function createShopifyApi({ apiKey, apiSecret, appUrl }: ShopifyApiOptions): Shopify {
  const url = new URL(appUrl);
  return shopifyApi({
    apiKey,
    apiSecretKey: apiSecret,
    hostName: url.host,
    hostScheme: url.protocol === 'http:' ? 'http' : 'https',
    apiVersion: API_VERSION as unknown as ApiVersion,
    isEmbeddedApp: true,
    scopes: ['read_customers', 'write_customers', 'read_orders', 'write_app_proxy', 'read_themes', 'write_files'],
    logger: { level: LogSeverity.Error, log: async () => {} },
  });
}
