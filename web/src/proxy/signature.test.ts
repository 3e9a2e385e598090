import { describe, expect, it } from 'vitest';
import { signProxyQuery } from '../dev/proxy-signer.js';
import { createShopifyApi } from '../shopify/shopify-api.js';
import { verifyProxyQuery } from './signature.js';

const SECRET = 'proxy-test-secret';
const shopify = createShopifyApi({ apiKey: 'key', apiSecret: SECRET, appUrl: 'https://app.example.com' });
const identity = { shop: 'demo.myshopify.com', loggedInCustomerId: '42', pathPrefix: '/apps/contact-capture' };
const signed = (extra: Record<string, string> = {}, timestamp?: number, secret = SECRET) =>
  signProxyQuery(new URLSearchParams(extra), { ...identity, ...(timestamp ? { timestamp } : {}) }, secret);
const now = () => Math.floor(Date.now() / 1000);

describe('app proxy signature', () => {
  it('accepts a query signed as Shopify signs it, and returns the identity from it', async () => {
    const result = await verifyProxyQuery(shopify, signed({ extra: 'x' }));
    expect(result).toEqual({ valid: true, shop: 'demo.myshopify.com', loggedInCustomerId: '42', pathPrefix: '/apps/contact-capture' });
  });

  it('treats an empty logged_in_customer_id as logged out', async () => {
    const params = signProxyQuery(new URLSearchParams(), { ...identity, loggedInCustomerId: null }, SECRET);
    expect(await verifyProxyQuery(shopify, params)).toMatchObject({ valid: true, loggedInCustomerId: null });
  });

  it('rejects a signature made with another secret', async () => {
    expect(await verifyProxyQuery(shopify, signed({}, undefined, 'wrong'))).toEqual({ valid: false, reason: 'invalid_signature' });
  });

  it('rejects a missing signature', async () => {
    const params = signed();
    params.delete('signature');
    expect(await verifyProxyQuery(shopify, params)).toEqual({ valid: false, reason: 'missing_signature' });
  });

  it('rejects a missing timestamp, which the library alone would let through', async () => {
    const params = new URLSearchParams({ shop: identity.shop, path_prefix: identity.pathPrefix, logged_in_customer_id: '' });
    const withSig = signProxyQuery(params, { ...identity }, SECRET);
    withSig.delete('timestamp');
    expect(await verifyProxyQuery(shopify, withSig)).toEqual({ valid: false, reason: 'missing_timestamp' });
  });

  it('rejects stale and future timestamps beyond 90 seconds, even when correctly signed', async () => {
    expect(await verifyProxyQuery(shopify, signed({}, now() - 120))).toEqual({ valid: false, reason: 'stale_timestamp' });
    expect(await verifyProxyQuery(shopify, signed({}, now() + 120))).toEqual({ valid: false, reason: 'stale_timestamp' });
    expect(await verifyProxyQuery(shopify, signed({}, now() - 60))).toMatchObject({ valid: true });
  });

  it.each(['signature', 'shop', 'timestamp', 'logged_in_customer_id', 'path_prefix'])('rejects a repeated %s', async (name) => {
    const params = signed();
    params.append(name, params.get(name) ?? 'x');
    expect(await verifyProxyQuery(shopify, params)).toEqual({ valid: false, reason: 'repeated_parameter' });
  });

  it('rejects a tampered parameter', async () => {
    const params = signed({ extra: 'x' });
    params.set('logged_in_customer_id', '43');
    expect(await verifyProxyQuery(shopify, params)).toEqual({ valid: false, reason: 'invalid_signature' });
    const other = signed();
    other.set('shop', 'evil.myshopify.com');
    expect(await verifyProxyQuery(shopify, other)).toEqual({ valid: false, reason: 'invalid_signature' });
  });

  it('signs repeated non-identity parameters joined by commas, as Shopify does', async () => {
    const params = signProxyQuery(new URLSearchParams([['tag', 'a'], ['tag', 'b']]), identity, SECRET);
    expect(await verifyProxyQuery(shopify, params)).toMatchObject({ valid: true });
  });

  it('rejects a signed shop that is not a myshopify domain', async () => {
    const params = signProxyQuery(new URLSearchParams(), { ...identity, shop: 'evil.example.com' }, SECRET);
    expect(await verifyProxyQuery(shopify, params)).toEqual({ valid: false, reason: 'invalid_shop' });
  });
});
