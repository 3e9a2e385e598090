import { randomUUID } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpError } from '../web/server/http/errors.js';
import { createShopifyApi } from '../web/server/shopify/shopify-api.js';
import { verifiedExtensionSession } from '../web/server/shopify/session-claims.js';
import { API_KEY, SECRET, SHOP, type TestApp, startTestApp } from './helpers/runtime.js';

/**
 * Session tokens are signed with the app secret, so every claim in them came from Shopify; but a claim Shopify always
 * sends can still be absent or of another shape (another Shopify surface, a future format, a token minted by a
 * holder of a leaked secret in a test shop). Each such token is a 401, never a 500 and never a session.
 */
const now = () => Math.floor(Date.now() / 1000);
const sign = (claims: JWTPayload) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(SECRET));

const staffClaims = (): JWTPayload => ({
  iss: `https://${SHOP}/admin`,
  dest: `https://${SHOP}`,
  aud: API_KEY,
  sub: '1',
  exp: now() + 60,
  nbf: now(),
  iat: now(),
  jti: randomUUID(),
  sid: randomUUID(),
});
const without = (claims: JWTPayload, name: string): JWTPayload => Object.fromEntries(Object.entries(claims).filter(([key]) => key !== name));

const STAFF_CASES: Array<[string, (c: JWTPayload) => JWTPayload]> = [
  ['no iss', (c) => without(c, 'iss')],
  ['a numeric iss', (c) => ({ ...c, iss: 42 as unknown as string })],
  ['an iss of another shop', (c) => ({ ...c, iss: 'https://other-shop.myshopify.com/admin' })],
  ['no dest', (c) => without(c, 'dest')],
  ['a dest over http', (c) => ({ ...c, dest: `http://${SHOP}` })],
  ['a bare dest domain (a checkout token, not an admin one)', (c) => ({ ...c, dest: SHOP })],
  ['a dest that is not a string', (c) => ({ ...c, dest: { host: SHOP } })],
  ['a dest with credentials', (c) => ({ ...c, dest: `https://user@${SHOP}` })],
  ['a dest of another kind of host', (c) => ({ ...c, dest: 'https://example.com' })],
  ['no sub', (c) => without(c, 'sub')],
  ['an empty sub', (c) => ({ ...c, sub: '' })],
  ['a sub that is not digits', (c) => ({ ...c, sub: 'gid://shopify/Customer/1' })],
  ['a numeric-looking sub with a sign', (c) => ({ ...c, sub: '-1' })],
  ['a sub that is a JSON number', (c) => ({ ...c, sub: 1 as unknown as string })],
  ['no exp', (c) => without(c, 'exp')],
  ['an exp that is not a number', (c) => ({ ...c, exp: String(now() + 60) as unknown as number })],
  ['no aud', (c) => without(c, 'aud')],
];

describe('session tokens with missing or malformed claims', () => {
  let t: TestApp | null;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
  });
  afterAll(async () => t?.close());

  const api = (token: string) => t!.runtime.app.request('/api/leads', { headers: { authorization: `Bearer ${token}` } });

  it('accepts a token with every claim as Shopify sends it (the baseline the cases below break one claim of)', async () => {
    expect((await api(await sign(staffClaims()))).status).toBe(200);
  });

  it.for(STAFF_CASES)('answers 401 to a staff token with %s', async ([, mutate]) => {
    const response = await api(await sign(mutate(staffClaims())));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'invalid_session_token' });
  });

  const checkoutClaims = (): JWTPayload => ({ dest: SHOP, aud: API_KEY, exp: now() + 300, nbf: now(), iat: now(), jti: randomUUID() });
  const answers = async (token: string) =>
    t!.runtime.app.request('/checkout/answers', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ order_id: 'gid://shopify/OrderIdentity/1', attributes: { cc_heard_about: 'A friend' } }),
    });

  const CHECKOUT_CASES: Array<[string, (c: JWTPayload) => JWTPayload]> = [
    ['no exp', (c) => without(c, 'exp')],
    ['no dest', (c) => without(c, 'dest')],
    ['a dest that is not a string', (c) => ({ ...c, dest: [SHOP] })],
    ['a dest of another kind of host', (c) => ({ ...c, dest: 'example.com' })],
    ['a sub that is a JSON number', (c) => ({ ...c, sub: 5 as unknown as string })],
    // A staff member's token (numeric sub) is not a buyer's (attacker review).
    ['a staff sub (digits, not a customer GID)', (c) => ({ ...c, sub: '42' })],
  ];
  it.for(CHECKOUT_CASES)('answers 401 to a checkout token with %s, and writes nothing', async ([, mutate]) => {
    const response = await answers(await sign(mutate(checkoutClaims())));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'invalid_session_token' });
    expect(await t!.runtime.storage.db.selectFrom('leads').select('id').execute()).toEqual([]);
  });
});

describe('the one extension-token verifier (checkout and customer account)', () => {
  const shopify = createShopifyApi({ apiKey: API_KEY, apiSecret: SECRET, appUrl: 'https://app.example' });
  const buyer = (): JWTPayload => ({ dest: SHOP, aud: API_KEY, sub: 'gid://shopify/Customer/77', exp: now() + 300, nbf: now(), iat: now(), jti: randomUUID() });
  const verify = async (claims: JWTPayload | null, customer: 'required' | 'optional') => {
    const header = claims ? `Bearer ${await sign(claims)}` : undefined;
    return verifiedExtensionSession(shopify, header, { customer }).then(
      (session) => ({ ok: true as const, session }),
      (error: unknown) => ({ ok: false as const, status: (error as HttpError).status, reason: (error as HttpError).reason }),
    );
  };

  it('names the shop and the signed-in customer, on both surfaces', async () => {
    for (const mode of ['required', 'optional'] as const) {
      const result = await verify(buyer(), mode);
      expect(result.ok && { shop: result.session.shop, customer: result.session.customer }).toEqual({
        shop: SHOP,
        customer: { gid: 'gid://shopify/Customer/77', id: '77' },
      });
    }
  });

  it('admits a guest (no sub) at checkout only', async () => {
    const guest = without(buyer(), 'sub');
    expect(await verify(guest, 'optional')).toMatchObject({ ok: true, session: { shop: SHOP, customer: null } });
    expect(await verify(guest, 'required')).toEqual({ ok: false, status: 401, reason: 'invalid_session_token' });
  });

  it('refuses a missing token and every malformed one alike on both surfaces', async () => {
    for (const mode of ['required', 'optional'] as const) {
      expect(await verify(null, mode)).toEqual({ ok: false, status: 401, reason: 'missing_session_token' });
      for (const claims of [
        without(buyer(), 'exp'),
        without(buyer(), 'dest'),
        { ...buyer(), dest: 'example.com' },
        { ...buyer(), sub: '42' },
        { ...buyer(), dest: `https://${SHOP}`, iss: `https://${SHOP}/admin`, sub: '1' },
      ])
        expect(await verify(claims, mode)).toEqual({ ok: false, status: 401, reason: 'invalid_session_token' });
    }
  });
});
