import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/databases.js';
import { rowCounts } from './helpers/db.js';
import { loadConfig } from '../web/server/config.js';
import { processNextComplianceRequest, purgeDeliveredPackages } from '../web/server/privacy/compliance.js';
import { createRuntime } from '../web/server/root.js';
import { SHOP, type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';
import { signedWebhook } from './helpers/webhook.js';

const lead = (over: Record<string, unknown> = {}) => ({
  email: 'camille@example.com',
  first_name: 'Camille',
  last_name: 'Martin',
  message: 'Bonjour',
  email_marketing_consent: true,
  consent_text: 'Email me news and offers.',
  locale: 'fr',
  page: '/pages/contact',
  form_id: 'contact',
  rendered_at: Date.now() - 10_000,
  ...over,
});

describe.each(ENGINES)('smaller defects on %s', (engine) => {
  let t: TestApp | null;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => t?.close());

  it('refuses a signed logged_in_customer_id that is not digits with 400 and a reason, and writes nothing', async (ctx) => {
    if (!t) return ctx.skip();
    const before = await rowCounts(t.runtime.storage.db);
    for (const customerId of ['abc', '12 OR 1=1', 'gid://shopify/Customer/1']) {
      const response = await t.proxy('/submit', { ...jsonPost(lead()), customerId });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_customer_id' });
      expect((await t.proxy('/privacy', { customerId })).status).toBe(400);
    }
    expect(await rowCounts(t.runtime.storage.db)).toEqual(before);
  });

  it.for([
    ['app/uninstalled', 'myshopify_domain', { id: 1, name: 'Other', domain: 'other.example.com' }],
    ['app/uninstalled', 'shop_domain', { id: 1 }],
    [
      'orders/create',
      'shop_domain',
      {
        id: 991,
        email: 'buyer@example.com',
        note_attributes: [
          { name: 'cc_heard_about', value: 'A friend' },
          { name: 'cc_profile_consent', value: 'yes' },
        ],
      },
    ],
    ['customers/redact', 'shop_domain', { customer: { id: 9, email: 'camille@example.com' } }],
    [
      'customers_email_marketing_consent/update',
      'shop_domain',
      { customer_id: 1, email_address: 'camille@example.com', email_marketing_consent: { state: 'unsubscribed' } },
    ],
  ] as const)('refuses a %s webhook whose payload %s names another shop than the signed header, and writes nothing', async ([topic, key, payload], ctx) => {
    if (!t) return ctx.skip();
    const db = t.runtime.storage.db;
    const snapshot = async () => ({
      ...(await rowCounts(db)),
      deliveries: (await db.selectFrom('webhook_deliveries').select('webhook_id').execute()).length,
      requests: (await db.selectFrom('compliance_requests').select('id').execute()).length,
      token: (await db.selectFrom('shops').select('access_token_encrypted').where('shop', '=', SHOP).executeTakeFirst())?.access_token_encrypted ?? null,
    });
    const before = await snapshot();
    const response = await t.runtime.app.request(`/webhooks/${topic}`, signedWebhook(topic, { ...payload, [key]: 'someone-else.myshopify.com' }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'shop_mismatch' });
    expect(await snapshot()).toEqual(before);
    // The same payload naming the header's shop is taken (the baseline: the refusal is about the shop alone).
    if (topic === 'orders/create')
      expect((await t.runtime.app.request(`/webhooks/${topic}`, signedWebhook(topic, { ...payload, [key]: SHOP }))).status).toBe(200);
  });

  it('deletes a data-request package a set time after its delivery, and only then', async (ctx) => {
    if (!t) return ctx.skip();
    const db = t.runtime.storage.db;
    expect((await t.proxy('/submit', jsonPost(lead({ email: 'package@example.com' })))).status).toBe(202);
    const request = async (id: string) => {
      const response = await t!.runtime.app.request(
        '/webhooks/customers/data_request',
        signedWebhook('customers/data_request', {
          shop_id: 1,
          shop_domain: SHOP,
          customer: { id: 1, email: 'package@example.com', phone: null },
          data_request: { id },
        }),
      );
      expect(response.status).toBe(200);
      return ((await response.json()) as { request: string }).request;
    };
    const delivered = await request('41');
    const waiting = await request('42');
    while (await processNextComplianceRequest(db, t.runtime.storage.engine, t.runtime.lookupHash));
    const owner = await t.staffToken('owner');
    const download = await t.runtime.app.request(`/api/compliance/requests/${delivered}/package`, { headers: { authorization: `Bearer ${owner}` } });
    expect(download.status).toBe(200);
    const { delivered_at } = await db.selectFrom('compliance_requests').select('delivered_at').where('id', '=', delivered).executeTakeFirstOrThrow();
    const deliveredAt = Date.parse(delivered_at!);
    const day = 86_400_000;
    const hasPackage = async (id: string) =>
      (await db.selectFrom('compliance_requests').select('package').where('id', '=', id).executeTakeFirstOrThrow()).package !== null;

    expect(await purgeDeliveredPackages(db, 30, () => deliveredAt + 30 * day - 1000)).toBe(0);
    expect(await hasPackage(delivered)).toBe(true);
    expect(await purgeDeliveredPackages(db, 30, () => deliveredAt + 30 * day + 1000)).toBe(1);
    expect(await hasPackage(delivered)).toBe(false);
    // A package nobody has downloaded yet waits for its owner.
    expect(await hasPackage(waiting)).toBe(true);
    const again = await t.runtime.app.request(`/api/compliance/requests/${delivered}/package`, { headers: { authorization: `Bearer ${owner}` } });
    expect(again.status).toBe(404);
    // The request itself stays listed, with its counts and when it was delivered.
    const listed = (await (await t.runtime.app.request('/api/compliance/requests', { headers: { authorization: `Bearer ${owner}` } })).json()) as {
      requests: Array<{ id: string; has_package: boolean; delivered_at: string | null; result: unknown }>;
    };
    expect(listed.requests.find((r) => r.id === delivered)).toMatchObject({ has_package: false, delivered_at, result: { leads: 1 } });
  });

  it('reads the package lifetime from DATA_REQUEST_PACKAGE_DAYS, 30 days unless set', () => {
    expect(loadConfig({}).dataRequestPackageDays).toBe(30);
    expect(loadConfig({ DATA_REQUEST_PACKAGE_DAYS: '7' }).dataRequestPackageDays).toBe(7);
    expect(() => loadConfig({ DATA_REQUEST_PACKAGE_DAYS: '0' })).toThrow(/DATA_REQUEST_PACKAGE_DAYS/);
  });

  const form = (fields: Record<string, string>): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  const formToken = (html: string) => /name="token" value="([0-9a-f]{64})"/.exec(html)?.[1] ?? '';

  describe("self-service matches the customer's leads by the email Shopify holds for them too", () => {
    let sender = 0;
    const submit = async (email: string, customerId: string | null, message: string) =>
      expect(
        (
          await t!.proxy('/submit', {
            ...jsonPost(lead({ email, message, email_marketing_consent: false }), { 'x-forwarded-for': `198.51.100.${++sender}` }),
            customerId,
          })
        ).status,
      ).toBe(202);
    const messages = async (customerId: string) => {
      const html = await (await t!.proxy('/privacy', { customerId })).text();
      return { html, shown: ['guest-own', 'logged-in-own', 'typed-victim', 'victim-own', 'unverified-guest'].filter((m) => html.includes(`>${m}<`)) };
    };
    const remaining = async () => (await t!.runtime.storage.db.selectFrom('leads').select('message').execute()).map((r) => r.message).sort();

    it("shows and erases the leads sent with the customer's verified Shopify email, and never a lead of an email the customer only typed", async (ctx) => {
      if (!t) return ctx.skip();
      const shop = t.emulator.shopData(SHOP)!;
      shop.addCustomer({ email: 'owner.self@example.com', firstName: 'Owner' }, 8201);
      // Sent before logging in (or from another device), with the account's email.
      await submit('Owner.Self@example.com', null, 'guest-own');
      await submit('owner.self@example.com', '8201', 'logged-in-own');
      // Logged in, the customer typed someone else's email: that lead is theirs (they sent it), the victim's own is not.
      await submit('victim.self@example.com', '8201', 'typed-victim');
      await submit('victim.self@example.com', null, 'victim-own');

      const { html, shown } = await messages('8201');
      expect(shown).toEqual(['guest-own', 'logged-in-own', 'typed-victim']);
      const token = /name="token" value="([0-9a-f]{64})"/.exec(html)![1]!;
      const deleted = await t.proxy('/privacy/delete', { ...form({ token, confirm: 'on', locale: 'en' }), customerId: '8201' });
      expect(deleted.status).toBe(200);
      expect(await remaining()).toContain('victim-own');
      for (const gone of ['guest-own', 'logged-in-own', 'typed-victim']) expect(await remaining()).not.toContain(gone);
      await t.runtime.storage.db.deleteFrom('leads').where('message', '=', 'victim-own').execute();
    });

    it('does not match by an email the customer has not verified with Shopify', async (ctx) => {
      if (!t) return ctx.skip();
      const customer = t.emulator.shopData(SHOP)!.addCustomer({ email: 'unverified.self@example.com' }, 8202);
      Object.assign(customer, { verifiedEmail: false });
      await submit('unverified.self@example.com', null, 'unverified-guest');
      expect((await messages('8202')).shown).toEqual([]);
      await t.runtime.storage.db.deleteFrom('leads').where('message', '=', 'unverified-guest').execute();
    });

    it('answers "try again" and erases nothing when Shopify cannot be asked for the email', async (ctx) => {
      if (!t) return ctx.skip();
      t.emulator.shopData(SHOP)!.addCustomer({ email: 'later.self@example.com' }, 8203);
      await submit('later.self@example.com', '8203', 'logged-in-own');
      const page = await t.proxy('/privacy', { customerId: '8203' });
      const token = /name="token" value="([0-9a-f]{64})"/.exec(await page.text())![1]!;
      t.emulator.configure({ faults: { rate: 1, kinds: ['http503'] } });
      try {
        const view = await t.proxy('/privacy', { customerId: '8203' });
        expect(view.status).toBe(503);
        expect(view.headers.get('content-type')).toContain('application/liquid');
        expect(await view.text()).toContain('Please try again in a moment.');
        const deleted = await t.proxy('/privacy/delete', { ...form({ token, confirm: 'on', locale: 'en' }), customerId: '8203' });
        expect(deleted.status).toBe(503);
        expect(await remaining()).toContain('logged-in-own');
      } finally {
        t.emulator.configure({ faults: { rate: 0, kinds: [] } });
      }
    });
  });

  it('sends Cache-Control: private, no-store on the self-service and no-JS pages', async (ctx) => {
    if (!t) return ctx.skip();
    const noStore = (response: Response) => expect(response.headers.get('cache-control'), `${response.status}`).toBe('private, no-store');
    expect((await t.proxy('/submit', { ...jsonPost(lead({ email: 'cache@example.com' })), customerId: '8101' })).status).toBe(202);
    const loggedOut = await t.proxy('/privacy');
    noStore(loggedOut);
    const page = await t.proxy('/privacy', { customerId: '8101' });
    noStore(page);
    const html = await page.text();
    expect(html).toContain('cache@example.com');
    const corrected = await t.proxy('/privacy/correct', {
      ...form({ token: formToken(html), first_name: 'Cam', last_name: 'Martin', phone: '', locale: 'en' }),
      customerId: '8101',
    });
    expect(corrected.status).toBe(200);
    noStore(corrected);
    const confirmation = await t.proxy(
      '/submit',
      form({ email: 'nojs-cache@example.com', locale: 'en', page: '/', idempotency_key: 'nojs-cache-00001', rendered_at: String(Date.now() - 10_000) }),
    );
    expect(confirmation.status).toBe(200);
    noStore(confirmation);
    const again = await t.proxy('/submit', form({ email: 'not-an-email', locale: 'en', page: '/' }));
    expect(again.status).toBe(422);
    noStore(again);
    const deleted = await t.proxy('/privacy/delete', { ...form({ token: formToken(html), confirm: 'on', locale: 'en' }), customerId: '8101' });
    expect(deleted.status).toBe(200);
    noStore(deleted);
  });
});

describe('/metrics', () => {
  const productionEnv = {
    MODE: 'production',
    PORT: '0',
    DATABASE_URL: 'sqlite::memory:',
    SHOPIFY_API_KEY: 'metrics-test-key',
    SHOPIFY_API_SECRET: 'shpss_0123456789abcdef0123456789abcdef',
    SHOPIFY_APP_URL: 'https://app.example.com',
    ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 3).toString('base64')}`,
    LOOKUP_KEYS: `l1:${Buffer.alloc(32, 5).toString('base64')}`,
    LOG_LEVEL: 'silent',
  };
  const TOKEN = 'metrics-token-0123456789abcdef';

  it('is not served in production without METRICS_TOKEN', async () => {
    const runtime = await createRuntime(loadConfig(productionEnv));
    try {
      const response = await runtime.app.request('/metrics');
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('contact_capture');
    } finally {
      await runtime.close();
    }
  });

  it('asks for the bearer token in production when METRICS_TOKEN is set', async () => {
    const runtime = await createRuntime(loadConfig({ ...productionEnv, METRICS_TOKEN: TOKEN }));
    try {
      for (const authorization of [undefined, 'Bearer wrong', `Bearer ${TOKEN}x`, TOKEN, `Basic ${TOKEN}`]) {
        const response = await runtime.app.request('/metrics', { headers: authorization ? { authorization } : {} });
        expect(response.status, String(authorization)).toBe(401);
        expect(await response.text()).not.toContain('contact_capture');
      }
      const response = await runtime.app.request('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('contact_capture_outbox_pending');
    } finally {
      await runtime.close();
    }
  });

  it('refuses a METRICS_TOKEN too short to be a secret', () => {
    expect(() => loadConfig({ ...productionEnv, METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
  });

  it('stays open in local mode', async () => {
    const t = await startTestApp('sqlite');
    try {
      expect((await t!.runtime.app.request('/metrics')).status).toBe(200);
    } finally {
      await t!.close();
    }
  });
});
