import { SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintCheckoutToken } from '../dev/session-token.js';
import { API_KEY, SECRET, SHOP, type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';

/**
 * The one bearer check (http/bearer.ts) as an attacker presents it: the scheme in any case and spacing is still the
 * token; two headers, no scheme, an unsigned or differently signed token, one not yet valid or expired, one for
 * another app, and a token of the other surface (a checkout token on the workspace API, a staff token on checkout)
 * are all 401.
 */
const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const staff = (header: Record<string, unknown>, claims: JWTPayload = {}) =>
  new SignJWT({ iss: `https://${SHOP}/admin`, dest: `https://${SHOP}`, sub: '1', ...claims })
    .setProtectedHeader(header as { alg: string })
    .setAudience(API_KEY)
    .setExpirationTime(typeof claims.exp === 'number' ? claims.exp : now() + 60)
    .sign(new TextEncoder().encode(SECRET));

describe('the bearer check on the workspace API and checkout', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = (await startTestApp('sqlite', { SYNC_WORKER: 'off' }))!;
  });
  afterAll(async () => t?.close());
  const api = async (authorization: string) => (await t.runtime.app.request('/api/leads', { headers: { authorization } })).status;
  const answers = async (authorization: string) =>
    (await t.runtime.app.request('/checkout/answers', jsonPost({ order_id: 'gid://shopify/Order/1', attributes: { cc_x: 'y' } }, { authorization }))).status;

  it('reads the scheme case-insensitively and with any spacing', async () => {
    const token = await t.sessionToken();
    for (const header of [`Bearer ${token}`, `bearer ${token}`, `BEARER ${token}`, `Bearer  ${token}`, `Bearer\t${token}`])
      expect(await api(header), header.slice(0, 8)).toBe(200);
  });

  it('refuses two tokens, no scheme, alg none, another algorithm, another app, expired and not-yet-valid tokens', async () => {
    const token = await t.sessionToken();
    const payload = token.split('.')[1]!;
    const refused = {
      'two headers': `Bearer ${token}, Bearer ${token}`,
      'no scheme': token,
      basic: `Basic ${token}`,
      'alg none': `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      HS512: `Bearer ${await staff({ alg: 'HS512' })}`,
      'another app': `Bearer ${await t.sessionToken({ apiKey: 'another-app' })}`,
      'another secret': `Bearer ${await t.sessionToken({ secret: 'another-secret-0123456789' })}`,
      expired: `Bearer ${await t.sessionToken({ expiresIn: -120 })}`,
      'not yet valid': `Bearer ${await staff({ alg: 'HS256' }, { nbf: now() + 600, exp: now() + 900 })}`,
    };
    for (const [name, header] of Object.entries(refused)) expect(await api(header), name).toBe(401);
  });

  it('keeps checkout tokens off the workspace API and staff tokens off checkout', async () => {
    const checkout = await mintCheckoutToken({ shop: SHOP, apiKey: API_KEY, secret: SECRET });
    const buyer = await mintCheckoutToken({ shop: SHOP, apiKey: API_KEY, secret: SECRET, customerId: 'gid://shopify/Customer/1' });
    expect(await api(`Bearer ${checkout}`)).toBe(401);
    expect(await api(`Bearer ${buyer}`)).toBe(401);
    expect(await answers(`Bearer ${await t.sessionToken()}`)).toBe(401);
    // The checkout token itself passes the bearer check (then the body is judged): the refusal above is the token's kind.
    expect(await answers(`bearer ${checkout}`)).not.toBe(401);
  });
});
