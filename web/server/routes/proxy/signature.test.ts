import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { proxySignature, signProxyQuery } from '../../../../dev/proxy-signer.js';
import { createShopifyApi } from '../../shopify/shopify-api.js';
import { proxySigningString, verifyProxyQuery } from './signature.js';

const SECRET = 'proxy-test-secret';
const shopify = createShopifyApi({ apiKey: 'key', apiSecret: SECRET, appUrl: 'https://app.example.com' });
const identity = { shop: 'demo.myshopify.com', loggedInCustomerId: '42', pathPrefix: '/apps/contact-capture' };
const signed = (extra: Record<string, string> = {}, timestamp?: number, secret = SECRET) =>
  signProxyQuery(new URLSearchParams(extra), { ...identity, ...(timestamp ? { timestamp } : {}) }, secret);
const now = () => Math.floor(Date.now() / 1000);

describe('app proxy signature', () => {
  it('accepts a query signed as Shopify signs it, and returns the identity from it', () => {
    const result = verifyProxyQuery(SECRET, signed({ extra: 'x' }));
    expect(result).toEqual({ valid: true, shop: 'demo.myshopify.com', loggedInCustomerId: '42', pathPrefix: '/apps/contact-capture' });
  });

  it('treats an empty logged_in_customer_id as logged out', () => {
    const params = signProxyQuery(new URLSearchParams(), { ...identity, loggedInCustomerId: null }, SECRET);
    expect(verifyProxyQuery(SECRET, params)).toMatchObject({ valid: true, loggedInCustomerId: null });
  });

  it('rejects a signature made with another secret', () => {
    expect(verifyProxyQuery(SECRET, signed({}, undefined, 'wrong'))).toEqual({ valid: false, reason: 'invalid_signature' });
  });

  it('rejects a missing signature', () => {
    const params = signed();
    params.delete('signature');
    expect(verifyProxyQuery(SECRET, params)).toEqual({ valid: false, reason: 'missing_signature' });
  });

  it('rejects a missing timestamp, which the library alone would let through', () => {
    const params = new URLSearchParams({ shop: identity.shop, path_prefix: identity.pathPrefix, logged_in_customer_id: '' });
    const withSig = signProxyQuery(params, { ...identity }, SECRET);
    withSig.delete('timestamp');
    expect(verifyProxyQuery(SECRET, withSig)).toEqual({ valid: false, reason: 'missing_timestamp' });
  });

  it('rejects stale and future timestamps beyond 90 seconds, even when correctly signed', () => {
    expect(verifyProxyQuery(SECRET, signed({}, now() - 120))).toEqual({ valid: false, reason: 'stale_timestamp' });
    expect(verifyProxyQuery(SECRET, signed({}, now() + 120))).toEqual({ valid: false, reason: 'stale_timestamp' });
    expect(verifyProxyQuery(SECRET, signed({}, now() - 60))).toMatchObject({ valid: true });
  });

  it.each(['signature', 'shop', 'timestamp', 'logged_in_customer_id', 'path_prefix'])('rejects a repeated %s', async (name) => {
    const params = signed();
    params.append(name, params.get(name) ?? 'x');
    expect(verifyProxyQuery(SECRET, params)).toEqual({ valid: false, reason: 'repeated_parameter' });
  });

  it('rejects a tampered parameter', () => {
    const params = signed({ extra: 'x' });
    params.set('logged_in_customer_id', '43');
    expect(verifyProxyQuery(SECRET, params)).toEqual({ valid: false, reason: 'invalid_signature' });
    const other = signed();
    other.set('shop', 'evil.myshopify.com');
    expect(verifyProxyQuery(SECRET, other)).toEqual({ valid: false, reason: 'invalid_signature' });
  });

  it('signs repeated non-identity parameters joined by commas, as Shopify does', () => {
    const params = signProxyQuery(
      new URLSearchParams([
        ['tag', 'a'],
        ['tag', 'b'],
      ]),
      identity,
      SECRET,
    );
    expect(verifyProxyQuery(SECRET, params)).toMatchObject({ valid: true });
  });

  it('agrees with @shopify/shopify-api on thousands of generated queries, signed, tampered or forged', async () => {
    // Lower-case keys, where the library's localeCompare and Shopify's byte order agree (see the next test).
    const key = fc.constantFrom('shop', 'path_prefix', 'logged_in_customer_id', 'extra', 'a', 'z', 'tag', 'q');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(key, fc.string({ maxLength: 12 })), { maxLength: 6 }),
        fc.constantFrom('sign', 'tamper', 'forge', 'wrong-secret'),
        fc.integer({ min: -200, max: 200 }),
        async (pairs, mode, skew) => {
          const params = new URLSearchParams(pairs);
          for (const name of ['shop', 'path_prefix', 'logged_in_customer_id']) if (params.getAll(name).length > 1) params.delete(name);
          params.set('timestamp', String(now() + skew));
          params.set('signature', proxySignature(params, mode === 'wrong-secret' ? 'other' : SECRET));
          if (mode === 'tamper') params.append('extra', 'x');
          if (mode === 'forge') params.set('signature', 'ab'.repeat(32));
          const ours = verifyProxyQuery(SECRET, params);
          const query: Record<string, string> = {};
          for (const k of new Set(params.keys())) query[k] = params.getAll(k).join(',');
          let theirs: boolean;
          try {
            theirs = await shopify.utils.validateHmac(query, { signator: 'appProxy' });
          } catch {
            theirs = false;
          }
          const oursValid = ours.valid || ours.reason === 'invalid_shop';
          expect(oursValid).toBe(theirs);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("sorts as Shopify documents (byte order), where the library's localeCompare differs for mixed-case keys", () => {
    const params = new URLSearchParams([
      ['Zeta', '1'],
      ['alpha', '2'],
    ]);
    expect(proxySigningString(params)).toBe('Zeta=1alpha=2');
    const signedQuery = signProxyQuery(params, identity, SECRET);
    expect(verifyProxyQuery(SECRET, signedQuery)).toMatchObject({ valid: true });
  });

  it('rejects a signed shop that is not a myshopify domain', () => {
    const params = signProxyQuery(new URLSearchParams(), { ...identity, shop: 'evil.example.com' }, SECRET);
    expect(verifyProxyQuery(SECRET, params)).toEqual({ valid: false, reason: 'invalid_shop' });
  });
});

describe('logged_in_customer_id', () => {
  it.for(['abc', '12a', ' 12', '1.5', '-3', 'gid://shopify/Customer/1', '1'.repeat(21), '１２'])(
    'refuses %j in a correctly signed query (Shopify sends digits or nothing)',
    (id) => {
      const params = signProxyQuery(new URLSearchParams(), { ...identity, loggedInCustomerId: id }, SECRET);
      expect(verifyProxyQuery(SECRET, params)).toEqual({ valid: false, reason: 'invalid_customer_id' });
    },
  );

  it('accepts a customer id of digits', () => {
    const params = signProxyQuery(new URLSearchParams(), { ...identity, loggedInCustomerId: '7362837463' }, SECRET);
    expect(verifyProxyQuery(SECRET, params)).toMatchObject({ valid: true, loggedInCustomerId: '7362837463' });
  });
});
