import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../../../tests/helpers/databases.js';
import { SHOP, TOKEN, type TestApp, jsonPost, startTestApp } from '../../../../tests/helpers/runtime.js';
import { signedWebhook } from '../../../../tests/helpers/webhook.js';
import { processNextComplianceRequest } from '../../privacy/compliance.js';

const webhook = signedWebhook;

describe.each(ENGINES)('webhooks on %s', (engine) => {
  let t: TestApp | null;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => t?.close());
  const post = (topic: string, init: RequestInit) => t!.runtime.app.request(`/webhooks/${topic}`, init);
  const redactPayload = { shop_id: 1, shop_domain: SHOP, customer: { id: 9, email: 'gone@example.com', phone: null }, orders_to_redact: [] };

  it.for([
    ['a wrong secret', { secret: 'wrong' }],
    ['a missing HMAC', { hmac: null }],
    ['an altered body', { body: JSON.stringify({ ...redactPayload, shop_domain: 'x' }) }],
    ['garbage in the HMAC header', { hmac: 'not-base64!!' }],
  ] as const)('answers 401 to %s', async ([, options], ctx) => {
    if (!t) return ctx.skip();
    const response = await post('customers/redact', webhook('customers/redact', redactPayload, options));
    expect(response.status).toBe(401);
  });

  it("customers/redact erases that customer's leads, consent records and jobs, and nobody else's", async (ctx) => {
    if (!t) return ctx.skip();
    for (const email of ['gone@example.com', 'stays@example.com']) {
      expect((await t.proxy('/submit', jsonPost({ email, email_marketing_consent: true }))).status).toBe(202);
    }
    expect((await t.proxy('/submit', jsonPost({ email: 'other-shop@example.com', phone: '+33611111111' }))).status).toBe(202);
    const response = await post('customers/redact', webhook('customers/redact', redactPayload));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, request: expect.any(String) });
    while (await processNextComplianceRequest(t.runtime.storage.db, t.runtime.storage.engine, t.runtime.lookupHash));
    const db = t.runtime.storage.db;
    expect(await db.selectFrom('leads').select('email').where('email_hash', '=', t.runtime.lookupHash('gone@example.com')).execute()).toEqual([]);
    expect((await db.selectFrom('leads').select('email').execute()).map((r) => r.email).sort()).toEqual(['other-shop@example.com', 'stays@example.com']);
    const orphans = await db
      .selectFrom('consent_records')
      .leftJoin('leads', 'leads.id', 'consent_records.lead_id')
      .select('consent_records.id')
      .where('leads.id', 'is', null)
      .execute();
    expect(orphans).toEqual([]);
  });

  it('ignores a redelivery of the same webhook id', async (ctx) => {
    if (!t) return ctx.skip();
    expect((await t.proxy('/submit', jsonPost({ email: 'twice@example.com' }))).status).toBe(202);
    const first = await post(
      'customers/data_request',
      webhook(
        'customers/data_request',
        { shop_id: 1, shop_domain: SHOP, customer: { id: 1, email: 'twice@example.com' }, data_request: { id: 5 } },
        { id: 'same-id' },
      ),
    );
    expect(await first.json()).toMatchObject({ request: expect.any(String) });
    const again = await post(
      'customers/data_request',
      webhook(
        'customers/data_request',
        { shop_id: 1, shop_domain: SHOP, customer: { id: 1, email: 'twice@example.com' }, data_request: { id: 5 } },
        { id: 'same-id' },
      ),
    );
    expect(await again.json()).toEqual({ ok: true, duplicate: true });
  });

  it('rejects a payload naming another shop than the signed header', async (ctx) => {
    if (!t) return ctx.skip();
    const response = await post('shop/redact', webhook('shop/redact', { shop_id: 1, shop_domain: 'victim.myshopify.com' }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'shop_mismatch' });
  });

  it('app/uninstalled revokes the shop token at once; shop/redact then erases the shop', async (ctx) => {
    if (!t) return ctx.skip();
    const db = t.runtime.storage.db;
    expect(
      (await db.selectFrom('shops').select('access_token_encrypted').where('shop', '=', SHOP).executeTakeFirstOrThrow()).access_token_encrypted,
    ).not.toContain(TOKEN);
    expect((await post('app/uninstalled', webhook('app/uninstalled', { id: 1, domain: SHOP }))).status).toBe(200);
    const row = await db.selectFrom('shops').selectAll().where('shop', '=', SHOP).executeTakeFirstOrThrow();
    expect(row.access_token_encrypted).toBeNull();
    expect(row.uninstalled_at).not.toBeNull();
    expect((await db.selectFrom('leads').select('id').where('shop', '=', SHOP).execute()).length).toBeGreaterThan(0);
    expect((await post('shop/redact', webhook('shop/redact', { shop_id: 1, shop_domain: SHOP }))).status).toBe(200);
    while (await processNextComplianceRequest(t.runtime.storage.db, t.runtime.storage.engine, t.runtime.lookupHash));
    expect(await db.selectFrom('leads').select('id').where('shop', '=', SHOP).execute()).toEqual([]);
    expect(await db.selectFrom('shops').select('shop').where('shop', '=', SHOP).execute()).toEqual([]);
  });

  it('answers 404 for a topic it does not handle, even when signed', async (ctx) => {
    if (!t) return ctx.skip();
    expect((await post('products/create', webhook('products/create', { id: 1 }))).status).toBe(404);
  });
});
