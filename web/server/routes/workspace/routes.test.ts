import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../../../tests/helpers/databases.js';
import { type TestApp, jsonPost, startTestApp } from '../../../../tests/helpers/runtime.js';

describe.each(ENGINES)('GET /api/leads on %s', (engine) => {
  let t: TestApp | null;
  beforeAll(async () => {
    t = await startTestApp(engine);
    if (!t) return;
    for (let i = 0; i < 5; i++) await t.proxy('/submit', jsonPost({ email: `list${i}@example.com`, email_marketing_consent: i % 2 === 0 }));
  });
  afterAll(async () => t?.close());
  const get = (path: string, token?: string) => t!.runtime.app.request(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it("lists the shop's leads, newest first, with keyset pagination", async (ctx) => {
    if (!t) return ctx.skip();
    const token = await t.sessionToken();
    const first = (await (await get('/api/leads?limit=3', token)).json()) as { leads: { email: string }[]; nextCursor: string };
    expect(first.leads.map((l) => l.email)).toEqual(['list4@example.com', 'list3@example.com', 'list2@example.com']);
    const second = (await (await get(`/api/leads?limit=3&cursor=${first.nextCursor}`, token)).json()) as {
      leads: { email: string }[];
      nextCursor: string | null;
    };
    expect(second.leads.map((l) => l.email)).toEqual(['list1@example.com', 'list0@example.com']);
    expect(second.nextCursor).toBeNull();
  });

  const cases: Array<[string, () => Promise<string | undefined>, string]> = [
    ['no token', async () => undefined, 'missing_session_token'],
    ['an expired token', async () => t!.sessionToken({ expiresIn: -60 }), 'invalid_session_token'],
    ['a token for another app', async () => t!.sessionToken({ apiKey: 'someone-else' }), 'invalid_session_token'],
    ['a token signed with another secret', async () => t!.sessionToken({ secret: 'forged' }), 'invalid_session_token'],
  ];
  it.for(cases)('answers 401 to %s', async ([, token, reason], ctx) => {
    if (!t) return ctx.skip();
    const response = await get('/api/leads', await token());
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: reason });
  });

  it('shows another shop nothing of this shop, and installs it by token exchange on first use', async (ctx) => {
    if (!t) return ctx.skip();
    const other = 'another-shop.myshopify.com';
    const response = await get('/api/leads', await t.sessionToken({ shop: other }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ leads: [], nextCursor: null });
    const row = await t.runtime.storage.db.selectFrom('shops').selectAll().where('shop', '=', other).executeTakeFirstOrThrow();
    expect(row.access_token_encrypted).toMatch(/^v3:/);
    expect(row.access_token_encrypted).not.toContain('shpat_');
    // The app's own customer metafield definitions are declared in shopify.app.toml and come with the deploy: the
    // shop has them typed in the app namespace, and installing sends no metafieldDefinitionCreate.
    const definitions = [...t.emulator.shopData(other)!.definitions.values()].map((d) => `${d.key}:${d.type}`).sort();
    expect(definitions).toEqual(
      expect.arrayContaining([
        'birthday:date',
        'company:single_line_text_field',
        'consent_proof:json',
        'heard_about:single_line_text_field',
        'delivery_notes:multi_line_text_field',
        'last_message:multi_line_text_field',
      ]),
    );
    expect(t.emulator.stats.operations.ContactCaptureMetafieldDefinitionCreate ?? 0).toBe(0);
    expect(await t.runtime.storage.db.selectFrom('metafield_definitions').select('key').where('shop', '=', other).execute()).toEqual([]);
  });

  it('rejects a bad query with 400', async (ctx) => {
    if (!t) return ctx.skip();
    const token = await t.sessionToken();
    expect((await get('/api/leads?limit=1000', token)).status).toBe(400);
    expect((await get('/api/leads?cursor=garbage', token)).status).toBe(400);
  });
});

describe('installing a shop while Shopify does not answer', () => {
  it('answers 503 with Retry-After (an outage, not a bug) and saves nothing', async (ctx) => {
    // Port 1 refuses connections: the token exchange cannot reach Shopify at all.
    const t = await startTestApp('sqlite', { SHOPIFY_ADMIN_API_ORIGIN: 'http://127.0.0.1:1' });
    if (!t) return ctx.skip();
    try {
      const response = await t.runtime.app.request('/api/leads', {
        headers: { authorization: `Bearer ${await t.sessionToken({ shop: 'unreachable-shop.myshopify.com' })}` },
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await response.json()).toMatchObject({ error: 'shopify_unavailable' });
      expect(await t.runtime.storage.db.selectFrom('shops').select('shop').where('shop', '=', 'unreachable-shop.myshopify.com').execute()).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
