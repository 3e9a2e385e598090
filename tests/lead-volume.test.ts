import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { mintCustomerAccountToken } from '../dev/session-token.js';
import { signConfirmLink } from '../web/server/core/confirm-link.js';
import type { LeadPage } from '../schema/workspace-api.js';
import { ENGINES } from './helpers/databases.js';
import { doubleOptInFields, formPost, withMailApp } from './helpers/mail.js';
import { API_KEY, SECRET, SHOP, type TestApp, jsonPost } from './helpers/runtime.js';

/**
 * Anyone may send the form with anyone's email, as often as the rate limits let them: a person can have thousands of
 * leads in a shop without having sent one. What is done for that person (their confirmation, their consent changes)
 * must still work, whatever the count: one statement per change would pass the database's limit on bound
 * parameters (SQLite 32,766, PostgreSQL 65,535) after a few thousand rows of a dozen columns.
 */
const MANY = 5_600; // 12 columns a consent record: past both engines' limits in one statement
const doi = doubleOptInFields(7);
const form = formPost;

describe.each(ENGINES)('a person with thousands of leads, on %s', (engine) => {
  // The double opt-in case sends its confirmation mail over SMTP, so every case starts with the local catcher.
  const startMail = withMailApp(engine);
  const start = async () => (await startMail())?.app ?? null;

  const submit = async (app: TestApp, email: string, extra: Record<string, unknown> = {}, customerId?: string) => {
    const response = await app.proxy('/submit', {
      ...jsonPost({ email, first_name: 'Vic', email_marketing_consent: true, consent_text: 'Yes', rendered_at: Date.now() - 10_000, ...extra }),
      ...(customerId ? { customerId } : {}),
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { id: string }).id;
  };

  /**
   * Copies of a stored lead (as a sender repeating the form would leave), written straight to the database in one
   * statement: inserting them from here in batches of rows took most of this file's time. The copies keep everything
   * that ties them to the person (email hash, signed-in customer, consent, confirmation state); ids and keys are new.
   */
  const copies = async (app: TestApp, id: string, count: number) => {
    const db = app.runtime.storage.db;
    const columns = Object.keys(await db.selectFrom('leads').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
    const value = (column: string) =>
      column === 'id' ? sql`${id} || '-' || n.i` : column === 'idempotency_key' ? sql`'copy-' || ${id} || '-' || n.i` : sql.ref(`leads.${column}`);
    await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${count})
      insert into leads (${sql.join(columns.map((c) => sql.ref(c)))})
      select ${sql.join(columns.map(value))} from leads, n where leads.id = ${id}`.execute(db);
  };

  it('the address owner can still confirm when thousands of pending leads carry their address, and confirms only the clicked one', async (ctx) => {
    const app = await start();
    if (!app) return ctx.skip();
    const id = await submit(app, 'victim@example.com', doi);
    await copies(app, id, MANY);
    const lead = await app.runtime.storage.db.selectFrom('leads').select('doi_expires_at').where('id', '=', id).executeTakeFirstOrThrow();
    const link = signConfirmLink(SECRET, SHOP, id, Math.floor(Date.parse(lead.doi_expires_at!) / 1000));
    const response = await app.proxy('/confirm', form({ l: link.lead, e: String(link.expires), s: link.sig }));
    expect(response.status).toBe(200);
    // The link names one lead: the others that carry the address (anyone may type it) wait for links of their own.
    const confirmed = await app.runtime.storage.db.selectFrom('leads').select('id').where('doi_state', '=', 'confirmed').execute();
    expect(confirmed).toEqual([{ id }]);
    const pending = await app.runtime.storage.db
      .selectFrom('leads')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('doi_state', '=', 'pending')
      .executeTakeFirstOrThrow();
    expect(Number(pending.n)).toBe(MANY);
  });

  it("a customer's consent change is recorded on every one of their leads, however many", async (ctx) => {
    const app = await start();
    if (!app) return ctx.skip();
    const id = await submit(app, 'many@example.com', {}, '9301');
    await copies(app, id, MANY);
    const token = await mintCustomerAccountToken({ shop: SHOP, apiKey: API_KEY, secret: SECRET, customerId: 'gid://shopify/Customer/9301' });
    const response = await app.runtime.app.request('/account/consent', {
      ...jsonPost({ channel: 'email', state: 'UNSUBSCRIBED', text: 'Email me news' }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ recorded: MANY + 1 });
  });

  // Past SQLite's 32,766 parameters in one `IN (...)` list (PostgreSQL's 65,535 would need twice as many copies).
  it("a customer's erasure removes every one of their leads, however many", async (ctx) => {
    const app = await start();
    if (!app) return ctx.skip();
    const id = await submit(app, 'erase-many@example.com', {}, '9302');
    await copies(app, id, 33_000);
    const token = await mintCustomerAccountToken({ shop: SHOP, apiKey: API_KEY, secret: SECRET, customerId: 'gid://shopify/Customer/9302' });
    const response = await app.runtime.app.request('/account/delete', {
      ...jsonPost({ confirm: true }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ leads_erased: 33_001 });
    expect(await app.runtime.storage.db.selectFrom('leads').select('id').where('logged_in_customer_id', '=', '9302').execute()).toHaveLength(0);
  }, 120_000);

  it('a customer sees every one of their leads on the account page, however many', async (ctx) => {
    const app = await start();
    if (!app) return ctx.skip();
    const id = await submit(app, 'see-many@example.com', {}, '9303');
    await copies(app, id, 33_000);
    const token = await mintCustomerAccountToken({ shop: SHOP, apiKey: API_KEY, secret: SECRET, customerId: 'gid://shopify/Customer/9303' });
    const response = await app.runtime.app.request('/account/data', { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { leads: Array<{ created_at: string }>; consent_records: unknown[] };
    expect(body.leads).toHaveLength(33_001);
    expect(body.consent_records).toHaveLength(1);
  }, 120_000);

  it("a customer's consent change past 32,766 leads is recorded on all of them", async (ctx) => {
    const app = await start();
    if (!app) return ctx.skip();
    const id = await submit(app, 'consent-very-many@example.com', {}, '9304');
    await copies(app, id, 33_000);
    const token = await mintCustomerAccountToken({ shop: SHOP, apiKey: API_KEY, secret: SECRET, customerId: 'gid://shopify/Customer/9304' });
    const response = await app.runtime.app.request('/account/consent', {
      // A real change (the leads were sent without SMS consent): the same state again would record nothing.
      ...jsonPost({ channel: 'sms', state: 'SUBSCRIBED' }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ recorded: 33_001 });
  }, 120_000);

  // SQLite's limit is the lower one: PostgreSQL's 65,535 would need twice the copies for the same proof, and time.
  it.skipIf(engine !== 'sqlite')(
    "a customer's correction past 32,766 leads reaches every one of them, and staff search finds the new name",
    async (ctx) => {
      const app = await start();
      if (!app) return ctx.skip();
      const id = await submit(app, 'correct-many@example.com', {}, '9305');
      await copies(app, id, 33_000);
      const token = await mintCustomerAccountToken({ shop: SHOP, apiKey: API_KEY, secret: SECRET, customerId: 'gid://shopify/Customer/9305' });
      const response = await app.runtime.app.request('/account/corrections', {
        ...jsonPost({ first_name: 'Victoria' }),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(202);
      expect(await response.json()).toMatchObject({ leads: 33_001 });
      const db = app.runtime.storage.db;
      const names = await db.selectFrom('leads').select('first_name').where('logged_in_customer_id', '=', '9305').execute();
      expect(names).toHaveLength(33_001);
      expect(names.filter((r) => r.first_name !== 'Victoria')).toEqual([]);
      // Every one is indexed anew (its terms rewritten), and staff search finds them by the corrected name.
      const indexed = await db
        .selectFrom('lead_terms')
        .select((eb) => eb.fn.count<number>('lead_id').distinct().as('leads'))
        .executeTakeFirstOrThrow();
      expect(Number(indexed.leads)).toBe(33_001);
      const search = await app.runtime.app.request('/api/leads?q=Victoria', { headers: { authorization: `Bearer ${await app.sessionToken()}` } });
      expect(search.status).toBe(200);
      expect(((await search.json()) as LeadPage).leads.map((l) => l.first_name)).toContain('Victoria');
    },
    120_000,
  );

  // Every data-request package naming the customer goes with their erasure: a shop that answered many requests about
  // them (each kept until the owner downloads it) has more than one `IN (...)` list may name.
  it.skipIf(engine !== 'sqlite')(
    "a customer's erasure clears every data-request package about them, past 32,766 of them",
    async (ctx) => {
      const app = await start();
      if (!app) return ctx.skip();
      await submit(app, 'packages-many@example.com', {}, '9307');
      const db = app.runtime.storage.db;
      const at = new Date().toISOString();
      const pkg = JSON.stringify({ customer: { id: '9307', email: 'packages-many@example.com' }, leads: [] });
      await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${33_000})
        insert into compliance_requests (id, shop, topic, webhook_id, customer, status, received_at, completed_at, result, package, delivered_at)
        select 'package-' || n.i, ${SHOP}, 'customers/data_request', 'webhook-' || n.i, null, 'done', ${at}, ${at}, '{}', ${pkg}, null from n`.execute(db);
      const token = await mintCustomerAccountToken({ shop: SHOP, apiKey: API_KEY, secret: SECRET, customerId: 'gid://shopify/Customer/9307' });
      const response = await app.runtime.app.request('/account/delete', {
        ...jsonPost({ confirm: true }),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ leads_erased: 1, packages_erased: 33_000 });
      const left = await db.selectFrom('compliance_requests').select('id').where('package', 'is not', null).execute();
      expect(left).toHaveLength(0);
    },
    120_000,
  );

  // The storefront's self-service page (app proxy /privacy) corrects the same leads as the account page does.
  it.skipIf(engine !== 'sqlite')(
    "a customer's correction on the storefront privacy page past 32,766 leads reaches every one of them",
    async (ctx) => {
      const app = await start();
      if (!app) return ctx.skip();
      app.emulator.shopData(SHOP)?.addCustomer({ email: 'self-many@example.com', firstName: 'Vic' }, 9306);
      const id = await submit(app, 'self-many@example.com', {}, '9306');
      // The form's token is bound to shop, customer and day: read from the page while it lists one lead.
      const page = await (await app.proxy('/privacy', { customerId: '9306' })).text();
      const token = /name="token" value="([0-9a-f]{64})"/.exec(page)?.[1];
      expect(token).toBeDefined();
      await copies(app, id, 33_000);
      const response = await app.proxy('/privacy/correct', {
        ...form({ token: token!, first_name: 'Victoria', locale: 'en' }),
        customerId: '9306',
      });
      expect(response.status).toBe(200);
      const db = app.runtime.storage.db;
      const names = await db.selectFrom('leads').select('first_name').where('logged_in_customer_id', '=', '9306').execute();
      expect(names).toHaveLength(33_001);
      expect(names.filter((r) => r.first_name !== 'Victoria')).toEqual([]);
    },
    120_000,
  );
});
