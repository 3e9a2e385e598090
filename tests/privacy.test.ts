import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../web/server/core/ids.js';
import { processNextComplianceRequest } from '../web/server/privacy/compliance.js';
import { purgeExpiredLeads } from '../web/server/privacy/retention.js';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../web/server/storage/tables.js';
import { ENGINES } from './helpers/databases.js';
import { SHOP, type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';
import { signedWebhook } from './helpers/webhook.js';

/** Every table the app has (a new table is checked without anyone remembering to list it here). */
async function appTables(db: Kysely<Database>): Promise<Array<keyof Database>> {
  // PostgreSQL's introspection lists every schema's tables, other test runs' too (with tables this one may not have
  // yet): only the current schema's count.
  const names =
    (
      await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(db).catch(() => null)
    )?.rows.map((r) => r.name) ?? (await db.introspection.getTables()).map((t) => t.name);
  return [...new Set(names)].filter((name): name is keyof Database => !name.startsWith('kysely_') && !name.startsWith('sqlite_'));
}
const webhook = (topic: string, payload: unknown) => signedWebhook(topic, payload);

const ANNA = { email: 'anna.redact@example.com', first_name: 'Annabelle', phone: '+33612000001', message: 'Anna secret message' };
const BOB = { email: 'bob.keep@example.com', first_name: 'Bartholomew', phone: '+33612000002', message: 'Bob message stays' };

describe.each(ENGINES)("shoppers' rights on %s", (engine) => {
  let t: TestApp | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });

  /** Every row of every table, as text: what a regulator would search. */
  async function everything(): Promise<string> {
    const db = t!.runtime.storage.db;
    const dump: unknown[] = [];
    for (const table of await appTables(db)) dump.push(await db.selectFrom(table).selectAll().execute());
    return JSON.stringify(dump);
  }
  const drainCompliance = async () => {
    while (await processNextComplianceRequest(t!.runtime.storage.db, t!.runtime.storage.engine, t!.runtime.lookupHash));
  };
  const api = async (path: string, init: RequestInit = {}) =>
    t!.runtime.app.request(path, { ...init, headers: { ...(init.headers ?? {}), authorization: `Bearer ${await t!.sessionToken()}` } });

  async function seed() {
    for (const person of [ANNA, BOB]) {
      for (const n of [1, 2]) {
        const response = await t!.proxy(
          '/submit',
          jsonPost(
            { ...person, message: `${person.message} ${n}`, email_marketing_consent: true, rendered_at: Date.now() - 10_000 },
            { 'x-forwarded-for': '198.51.100.7' },
          ),
        );
        expect(response.status).toBe(202);
      }
    }
    await t!.runtime.worker.drain();
    // A data request answered earlier: its package holds Anna's data too.
    await t!.runtime.app.request(
      '/webhooks/customers/data_request',
      webhook('customers/data_request', { shop_id: 1, shop_domain: SHOP, customer: { id: 1, email: ANNA.email, phone: null }, data_request: { id: 9 } }),
    );
    await drainCompliance();
  }

  it('customers/data_request: the owner gets everything held about that customer, as JSON and CSV, and delivery is recorded', async (ctx) => {
    t = await startTestApp(engine);
    if (!t) return ctx.skip();
    await seed();
    const { requests } = (await (await api('/api/compliance/requests')).json()) as {
      requests: Array<{ id: string; topic: string; status: string; result: { leads: number }; delivered_at: string | null; has_package: boolean }>;
    };
    const request = requests.find((r) => r.topic === 'customers/data_request')!;
    expect(request).toMatchObject({ status: 'done', result: { leads: 2, consent_records: 2 }, delivered_at: null, has_package: true });
    const json = (await (await api(`/api/compliance/requests/${request.id}/package`)).json()) as {
      leads: Array<{ email: string; message: string }>;
      consent_records: unknown[];
    };
    expect(json.leads.map((l) => l.message).sort()).toEqual(['Anna secret message 1', 'Anna secret message 2']);
    expect(JSON.stringify(json)).not.toContain(BOB.email);
    const bytes = Buffer.from(await (await api(`/api/compliance/requests/${request.id}/package?format=csv`)).arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = bytes.toString('utf8');
    expect(csv.slice(1).startsWith('id,created_at')).toBe(true);
    expect(csv.split('\r\n').filter((l) => l.includes(ANNA.email))).toHaveLength(2);
    const after = (await (await api('/api/compliance/requests')).json()) as { requests: Array<{ id: string; delivered_at: string | null }> };
    expect(after.requests.find((r) => r.id === request.id)?.delivered_at).not.toBeNull();
    // Who was asked about is not kept outside the package.
    const row = await t.runtime.storage.db.selectFrom('compliance_requests').select('customer').where('id', '=', request.id).executeTakeFirstOrThrow();
    expect(row.customer).toBeNull();
  });

  it('customers/redact: nothing of that customer is left in any table; the other customer is untouched; only counts remain', async (ctx) => {
    t = await startTestApp(engine);
    if (!t) return ctx.skip();
    await seed();
    const before = await everything();
    for (const value of Object.values(ANNA)) expect(before).toContain(value);
    const response = await t.runtime.app.request(
      '/webhooks/customers/redact',
      webhook('customers/redact', { shop_id: 1, shop_domain: SHOP, customer: { id: 77, email: ANNA.email, phone: ANNA.phone }, orders_to_redact: [] }),
    );
    expect(response.status).toBe(200);
    await drainCompliance();
    const after = await everything();
    for (const value of [...Object.values(ANNA), 'Annabelle', ANNA.phone.slice(1)]) expect(after).not.toContain(value);
    for (const value of Object.values(BOB)) expect(after).toContain(value);
    const db = t.runtime.storage.db;
    expect(await db.selectFrom('leads').select('email').where('email_hash', '=', t.runtime.lookupHash(BOB.email)).execute()).toHaveLength(2);
    const log = await db.selectFrom('erasure_log').select(['reason', 'leads_erased']).execute();
    expect(log).toEqual([{ reason: 'customer_redact', leads_erased: 2 }]);
  });

  it('shop/redact: nothing of the shop is left but anonymous counts; another shop is untouched', async (ctx) => {
    t = await startTestApp(engine);
    if (!t) return ctx.skip();
    await seed();
    const other = 'other-privacy-shop.myshopify.com';
    expect(
      (
        await t.proxy('/submit', {
          ...jsonPost({ ...BOB, email: 'other@example.com', email_marketing_consent: false, rendered_at: Date.now() - 10_000 }),
          shop: other,
        })
      ).status,
    ).toBe(202);
    expect((await t.runtime.app.request('/webhooks/shop/redact', webhook('shop/redact', { shop_id: 1, shop_domain: SHOP }))).status).toBe(200);
    await drainCompliance();
    const db = t.runtime.storage.db;
    const tables = await appTables(db);
    expect(tables.length).toBeGreaterThan(12);
    for (const table of tables) {
      const rows = (await db.selectFrom(table).selectAll().execute()) as Array<Record<string, unknown>>;
      const leftovers = rows.filter((r) => JSON.stringify(r).includes(SHOP) && table !== 'erasure_log' && table !== 'compliance_requests');
      expect(leftovers, table).toEqual([]);
    }
    const requests = await db.selectFrom('compliance_requests').select(['package', 'customer']).where('shop', '=', SHOP).execute();
    expect(requests.every((r) => r.package === null && r.customer === null)).toBe(true);
    expect(await everything()).not.toContain(ANNA.email);
    expect(await db.selectFrom('leads').select('email').where('shop', '=', other).execute()).toEqual([{ email: 'other@example.com' }]);
    expect((await db.selectFrom('erasure_log').select(['reason', 'leads_erased']).execute()).find((r) => r.reason === 'shop_redact')?.leads_erased).toBe(4);
  });

  it('an unsubscribe in Shopify is appended to the consent ledger, which keeps the original proof', async (ctx) => {
    t = await startTestApp(engine);
    if (!t) return ctx.skip();
    const { id } = (await (
      await t.proxy('/submit', jsonPost({ ...ANNA, email_marketing_consent: true, consent_text: 'Email me offers.', rendered_at: Date.now() - 10_000 }))
    ).json()) as { id: string };
    const response = await t.runtime.app.request(
      '/webhooks/customers_email_marketing_consent/update',
      webhook('customers_email_marketing_consent/update', {
        customer_id: 5,
        email_address: ANNA.email,
        email_marketing_consent: { state: 'unsubscribed', opt_in_level: 'single_opt_in', consent_updated_at: new Date(Date.now() + 1000).toISOString() },
      }),
    );
    expect(await response.json()).toMatchObject({ leads: 1 });
    const { ledger } = (await (await api(`/api/leads/${id}/consent`)).json()) as { ledger: Array<{ granted: number; source: string; text: string | null }> };
    expect(ledger.map((r) => [r.granted, r.source])).toEqual([
      [1, 'storefront_contact_form'],
      [0, 'shopify:unsubscribed'],
    ]);
    expect(ledger[0]?.text).toBe('Email me offers.');
  });

  it("erases leads older than the shop's retention period, logs the count, and keeps the rest", async (ctx) => {
    t = await startTestApp(engine);
    if (!t) return ctx.skip();
    const db = t.runtime.storage.db;
    expect((await t.proxy('/submit', jsonPost({ ...BOB, rendered_at: Date.now() - 10_000 }))).status).toBe(202);
    const old = new Date(Date.now() - 25 * 31 * 86_400_000).toISOString();
    const oldId = newId(Date.parse(old));
    await db
      .insertInto('leads')
      .values({
        id: oldId,
        shop: SHOP,
        form_id: null,
        created_at: old,
        email: 'old@example.com',
        first_name: null,
        last_name: null,
        phone: null,
        message: 'from long ago',
        locale: 'en',
        page: null,
        logged_in_customer_id: null,
        email_consent: 0,
        status: 'no_consent',
        shopify_customer_id: null,
        sync_error: null,
        synced_at: null,
        idempotency_key: 'old-key-0001',
        body_hash: 'x',
        company: null,
        birthday: null,
        address: null,
        answers: null,
        tags: null,
      })
      .execute();
    expect(await purgeExpiredLeads(db)).toContainEqual({ shop: SHOP, erased: 1 });
    expect((await db.selectFrom('leads').select('email').execute()).map((r) => r.email)).toEqual([BOB.email]);
    expect(await db.selectFrom('erasure_log').select(['reason', 'leads_erased']).execute()).toEqual([{ reason: 'retention', leads_erased: 1 }]);
    // A shorter period set by the merchant applies at once.
    expect(
      await (
        await api('/api/settings/retention', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ months: 0 }) })
      ).json(),
    ).toMatchObject({ error: 'invalid_retention' });
    expect(
      await (
        await api('/api/settings/retention', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ months: 6 }) })
      ).json(),
    ).toEqual({ months: 6 });
    expect(await (await api('/api/settings/retention')).json()).toEqual({ months: 6 });
  });
});

describe('security headers', () => {
  it('lets only the shop admin frame the app page, runs only its own script, and sends no CORS header', async () => {
    const t = (await startTestApp('sqlite'))!;
    try {
      const page = await t.runtime.app.request('/app');
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'self'");
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      expect(await page.text()).toContain(`nonce="${nonce}"`);
      expect(csp).toContain("object-src 'none'");
      const api = await t.runtime.app.request('/api/leads', { headers: { origin: 'https://evil.example', authorization: `Bearer ${await t.sessionToken()}` } });
      expect(api.headers.get('access-control-allow-origin')).toBeNull();
      expect(api.headers.get('cache-control')).toBe('no-store');
      const proxy = await t.proxy('/submit', { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
      expect(proxy.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await t.close();
    }
  });
});
