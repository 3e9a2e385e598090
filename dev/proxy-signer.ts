import { createHmac } from 'node:crypto';
import { proxySigningString } from '../web/server/routes/proxy/signature.js';

/**
 * Signs an app-proxy query the way Shopify does before forwarding: every parameter but `signature`, repeated keys'
 * values joined by commas, `key=value` strings sorted and concatenated with no separator, HMAC-SHA256 with the app's
 * secret, hex. This is Shopify's half of the exchange, for the local emulator and tests; the app verifies with
 * @shopify/shopify-api.
 */
export function proxySignature(params: URLSearchParams, secret: string): string {
  return createHmac('sha256', secret).update(proxySigningString(params)).digest('hex');
}

export interface ProxyIdentity {
  shop: string;
  loggedInCustomerId: string | null;
  pathPrefix: string;
  timestamp?: number;
}

/** Appends what Shopify appends to a forwarded query, and the signature over all of it. */
export function signProxyQuery(original: URLSearchParams, identity: ProxyIdentity, secret: string): URLSearchParams {
  const params = new URLSearchParams(original);
  for (const name of ['shop', 'logged_in_customer_id', 'path_prefix', 'timestamp', 'signature']) params.delete(name);
  params.set('shop', identity.shop);
  params.set('logged_in_customer_id', identity.loggedInCustomerId ?? '');
  params.set('path_prefix', identity.pathPrefix);
  params.set('timestamp', String(identity.timestamp ?? Math.floor(Date.now() / 1000)));
  params.set('signature', proxySignature(params, secret));
  return params;
}
