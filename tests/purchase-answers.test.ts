import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintCheckoutToken } from '../dev/session-token.js';
import { ENGINES } from './helpers/databases.js';
import { API_KEY, SECRET, SHOP, type TestApp, startTestApp } from './helpers/runtime.js';
import { signedWebhook } from './helpers/webhook.js';

/**
 * Purchase answers end to end: an order with cart attributes (cart block or checkout extension) arrives as an
 * orders/create webhook; a thank-you page posts with a checkout session token. Both feed the intake and the sync
 * worker, against the Admin API emulator on the real 2026-10 schema.
 */
let orderNumber = 5000;

function order(customerId: number | null, attributes: Record<string, string>, extra: Record<string, unknown> = {}) {
  const id = ++orderNumber;
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    email: customerId ? `buyer${customerId}@example.com` : null,
    customer_locale: 'fr',
    customer: customerId ? { id: customerId, email: `buyer${customerId}@example.com`, first_name: 'Inès', last_name: 'Moreau' } : null,
    note_attributes: Object.entries(attributes).map(([name, value]) => ({ name, value })),
    ...extra,
  };
}

describe.each(ENGINES)('purchase answers on %s', (engine) => {
  let t: TestApp | null;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => t?.close());

  /** A customer as checkout would have made it, before the order webhook arrives. */
  const checkoutCustomer = (legacyId: number, email: string) => {
    return t!.emulator.shopData(SHOP)!.addCustomer({ firstName: 'Inès', lastName: 'Moreau', email, locale: 'fr' }, legacyId);
  };
  const metafields = (customer: { metafields: Map<string, { key: string; value: string; type: string }> }) =>
    Object.fromEntries([...customer.metafields.values()].map((m) => [m.key, m.type === 'json' ? JSON.parse(m.value) : m.value]));
  const webhook = (payload: unknown, options?: Parameters<typeof signedWebhook>[2]) =>
    t!.runtime.app.request('/webhooks/orders/create', signedWebhook('orders/create', payload, options));

  it('writes consented answers to the customer who ordered, with typed definitions, and leaves marketing consent alone', async (ctx) => {
    if (!t) return ctx.skip();
    const customer = checkoutCustomer(777001, 'buyer777001@example.com');
    const payload = order(777001, {
      cc_source: 'cart',
      cc_birthday: '1990-04-12',
      cc_heard_about: 'Instagram',
      cc_custom_shoe_size: '42',
      cc_custom_kinds: 'shoe_size:number',
      cc_consent: 'yes',
      cc_consent_text: 'Keep these answers on my customer profile.',
      cc_locale: 'fr',
      gift_message: 'not ours',
    });
    const response = await webhook(payload);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, status: 'pending', rejected: 0 });
    await t.runtime.worker.drain();
    expect(metafields(customer)).toMatchObject({
      birthday: '1990-04-12',
      heard_about: 'Instagram',
      shoe_size: '42',
      consent_proof: { text: 'Keep these answers on my customer profile.', locale: 'fr' },
    });
    expect(customer.metafields.get('app--1000.shoe_size')?.type).toBe('number_decimal');
    // The kinds list is not an answer of its own.
    expect(customer.metafields.has('app--1000.kinds')).toBe(false);
    expect(customer.emailConsent).toBeNull();
    expect(customer.tags.has('contact-capture')).toBe(true);
    const definitions = [...t.emulator.shopData(SHOP)!.definitions.values()].map((d) => `${d.key}:${d.type}`);
    expect(definitions).toEqual(
      expect.arrayContaining(['birthday:date', 'heard_about:single_line_text_field', 'shoe_size:number_decimal', 'consent_proof:json']),
    );
    const lead = await t.runtime.storage.db
      .selectFrom('leads')
      .select(['source', 'order_id', 'status', 'shopify_customer_id'])
      .where('order_id', '=', `gid://shopify/Order/${payload.id}`)
      .executeTakeFirstOrThrow();
    expect(lead).toEqual({
      source: 'cart',
      order_id: `gid://shopify/Order/${payload.id}`,
      status: 'synced',
      shopify_customer_id: 'gid://shopify/Customer/777001',
    });
    const consent = await t.runtime.storage.db
      .selectFrom('consent_records')
      .select(['channel', 'source', 'granted'])
      .where('lead_id', '=', (await t.runtime.storage.db.selectFrom('leads').select('id').where('order_id', '=', lead.order_id).executeTakeFirstOrThrow()).id)
      .execute();
    expect(consent).toEqual([{ channel: 'profile', source: 'cart_fields', granted: 1 }]);
  });

  it("an order's answers fill what the customer holding its email lacks, never overwrite what they have (attacker review)", async (ctx) => {
    if (!t) return ctx.skip();
    // A guest can check out with anyone's email; Shopify then ties the order to that customer.
    const victim = checkoutCustomer(777009, 'victim777009@example.com');
    const at = new Date().toISOString();
    victim.metafields.set('app--1000.heard_about', {
      id: 'gid://shopify/Metafield/777009',
      namespace: 'app--1000',
      key: 'heard_about',
      type: 'single_line_text_field',
      value: 'A friend',
      createdAt: at,
      updatedAt: at,
    });
    const payload = order(777009, {
      cc_source: 'cart',
      cc_heard_about: 'Forged',
      cc_birthday: '1980-01-01',
      cc_consent: 'yes',
      cc_consent_text: 'Keep these answers on my customer profile.',
      cc_locale: 'fr',
    });
    expect((await webhook(payload)).status).toBe(200);
    await t.runtime.worker.drain();
    expect(metafields(victim)).toMatchObject({ heard_about: 'A friend', birthday: '1980-01-01' });
    const lead = await t.runtime.storage.db
      .selectFrom('leads')
      .select(['status', 'proposed_changes'])
      .where('order_id', '=', `gid://shopify/Order/${payload.id}`)
      .executeTakeFirstOrThrow();
    expect(lead.status).toBe('synced');
    expect(JSON.parse(lead.proposed_changes ?? 'null')).toMatchObject({
      changes: [{ field: 'metafield:heard_about', current: 'A friend', proposed: 'Forged' }],
    });
  });

  it('without consent keeps the answers for the merchant and writes nothing to Shopify', async (ctx) => {
    if (!t) return ctx.skip();
    const customer = checkoutCustomer(777002, 'buyer777002@example.com');
    const before = t.emulator.stats.requests;
    const response = await webhook(order(777002, { cc_heard_about: 'A friend' }));
    expect(await response.json()).toMatchObject({ status: 'no_consent' });
    await t.runtime.worker.drain();
    expect(customer.metafields.size).toBe(0);
    expect(t.emulator.stats.requests).toBe(before);
  });

  it('does nothing twice for a replayed delivery or a second delivery of the same order, and ignores orders without answers', async (ctx) => {
    if (!t) return ctx.skip();
    checkoutCustomer(777003, 'buyer777003@example.com');
    const payload = order(777003, { cc_company: 'Atelier Lumière', cc_consent: 'yes' });
    const first = await webhook(payload, { id: 'replayed-delivery' });
    const again = await webhook(payload, { id: 'replayed-delivery' });
    expect(await again.json()).toEqual({ ok: true, duplicate: true });
    const second = await webhook(payload, { id: 'another-delivery-same-order' });
    expect((await second.json()).lead).toBe((await first.json()).lead);
    const rows = await t.runtime.storage.db.selectFrom('leads').select('id').where('order_id', '=', `gid://shopify/Order/${payload.id}`).execute();
    expect(rows).toHaveLength(1);
    expect(await (await webhook(order(777003, { gift_message: 'hi' }))).json()).toEqual({ ok: true, lead: null });
  });

  it('refuses a bad HMAC with 401 and writes nothing; drops a value that breaks its rule', async (ctx) => {
    if (!t) return ctx.skip();
    const payload = order(777004, { cc_birthday: '1990-04-12', cc_consent: 'yes' });
    expect((await webhook(payload, { secret: 'not-the-secret' })).status).toBe(401);
    expect((await webhook(payload, { hmac: null })).status).toBe(401);
    expect(await t.runtime.storage.db.selectFrom('leads').select('id').where('order_id', '=', `gid://shopify/Order/${payload.id}`).execute()).toEqual([]);
    const bad = await webhook(order(777005, { cc_birthday: '31/02/1990', cc_heard_about: 'Radio', cc_custom_consent_proof: 'x', cc_consent: 'yes' }));
    expect(await bad.json()).toMatchObject({ rejected: 2 });
  });

  describe('thank-you page answers', () => {
    const post = async (body: unknown, token: string | null, contentType = 'application/json') =>
      t!.runtime.app.request('/checkout/answers', {
        method: 'POST',
        headers: { 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const token = (options: { customerId?: string; expiresIn?: number; apiKey?: string; secret?: string } = {}) =>
      mintCheckoutToken({
        shop: SHOP,
        apiKey: options.apiKey ?? API_KEY,
        secret: options.secret ?? SECRET,
        ...(options.customerId ? { customerId: options.customerId } : {}),
        ...(options.expiresIn ? { expiresIn: options.expiresIn } : {}),
      });

    it("a logged-in buyer's answers reach their customer record (the token's sub, once Shopify says the order is theirs)", async (ctx) => {
      if (!t) return ctx.skip();
      const customer = checkoutCustomer(777010, 'buyer777010@example.com');
      t.emulator.shopData(SHOP)!.orders.set('gid://shopify/Order/9010', { id: 'gid://shopify/Order/9010', email: customer.email, customerId: customer.id });
      const response = await post(
        { order_id: 'gid://shopify/OrderIdentity/9010', attributes: { cc_heard_about: 'Podcast', cc_consent: 'yes', cc_consent_text: 'Keep my answers.' } },
        await token({ customerId: customer.id }),
      );
      expect(response.status).toBe(202);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      await t.runtime.worker.drain();
      expect(metafields(customer)).toMatchObject({ heard_about: 'Podcast' });
    });

    it("a logged-in buyer's answer Shopify refuses is left out with a warning; the rest of their answers are written", async (ctx) => {
      if (!t) return ctx.skip();
      // As a merchant limits the field in the admin: at most 8 characters.
      const data = t.emulator.shopData(SHOP)!;
      const namespace = [...data.definitions.values()].find((d) => d.key === 'company')?.namespace ?? 'app--1000';
      const key = `CUSTOMER/${namespace}.company`;
      const before = data.definitions.get(key);
      data.definitions.set(key, {
        id: 'gid://shopify/MetafieldDefinition/98',
        namespace,
        key: 'company',
        name: 'Company',
        type: 'single_line_text_field',
        ownerType: 'CUSTOMER',
        validations: [{ name: 'max', value: '8' }],
      });
      try {
        const customer = checkoutCustomer(777012, 'buyer777012@example.com');
        data.orders.set('gid://shopify/Order/9013', { id: 'gid://shopify/Order/9013', email: customer.email, customerId: customer.id });
        const response = await post(
          { order_id: 'gid://shopify/OrderIdentity/9013', attributes: { cc_company: 'A company name too long', cc_heard_about: 'Podcast', cc_consent: 'yes' } },
          await token({ customerId: customer.id }),
        );
        expect(response.status).toBe(202);
        const { id } = (await response.json()) as { id: string };
        await t.runtime.worker.drain();
        const row = await t.runtime.storage.db.selectFrom('leads').select(['status', 'sync_warnings']).where('id', '=', id).executeTakeFirstOrThrow();
        expect(row.status).toBe('synced');
        expect((JSON.parse(row.sync_warnings ?? '[]') as Array<{ field: string; code: string | null }>).map((w) => [w.field, w.code])).toEqual([
          ['metafield:company', 'INVALID_VALUE'],
        ]);
        expect(metafields(customer)).toMatchObject({ heard_about: 'Podcast' });
        expect(metafields(customer).company).toBeUndefined();
      } finally {
        if (before) data.definitions.set(key, before);
        else data.definitions.delete(key);
      }
    });

    it("a guest's answers find the customer through the order, proven by its checkout token", async (ctx) => {
      if (!t) return ctx.skip();
      const customer = checkoutCustomer(777011, 'buyer777011@example.com');
      t.emulator.shopData(SHOP)!.orders.set('gid://shopify/Order/9011', {
        id: 'gid://shopify/Order/9011',
        email: customer.email,
        customerId: customer.id,
        checkoutToken: 'b5f1c0de9011',
      });
      const response = await post(
        { order_id: 'gid://shopify/OrderIdentity/9011', checkout_token: 'b5f1c0de9011', attributes: { cc_company: 'Maison Moreau', cc_consent: 'yes' } },
        await token(),
      );
      expect(response.status).toBe(202);
      await t.runtime.worker.drain();
      expect(metafields(customer)).toMatchObject({ company: 'Maison Moreau' });
    });

    it('answers a CORS preflight and refuses missing, expired, foreign or forged tokens and bad bodies', async (ctx) => {
      if (!t) return ctx.skip();
      const preflight = await t.runtime.app.request('/checkout/answers', { method: 'OPTIONS' });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
      const good = { order_id: 'gid://shopify/OrderIdentity/9012', attributes: { cc_heard_about: 'TV', cc_consent: 'yes' } };
      expect((await post(good, null)).status).toBe(401);
      expect((await post(good, await token({ expiresIn: -60 }))).status).toBe(401);
      expect((await post(good, await token({ apiKey: 'another-app' }))).status).toBe(401);
      expect((await post(good, await token({ secret: 'forged' }))).status).toBe(401);
      const valid = await token();
      expect((await post({ ...good, order_id: '9012' }, valid)).status).toBe(400);
      expect((await post({ order_id: good.order_id, attributes: { gift: 'x' } }, valid)).status).toBe(400);
      expect((await post('not json', valid)).status).toBe(400);
      expect((await post(good, valid, 'text/plain')).status).toBe(400);
      expect((await post({ ...good, attributes: { cc_heard_about: 'x'.repeat(20_000) } }, valid)).status).toBe(413);
      expect(await t.runtime.storage.db.selectFrom('leads').select('id').where('order_id', '=', 'gid://shopify/Order/9012').execute()).toEqual([]);
    });
  });
});
