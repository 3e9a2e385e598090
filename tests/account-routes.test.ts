import { createHmac, randomUUID } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { mintCustomerAccountToken } from '../dev/session-token.js';
import { ENGINES } from './helpers/databases.js';
import { API_KEY, SECRET, SHOP, type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';

/**
 * The customer account page's backend (/account/*): the extension's session token is the only credential, its `sub`
 * the only customer it may see, correct or erase. Customer A's token never reaches B's data, whatever the body says.
 */
const ANNA = { id: 9101, email: 'anna.account@example.com', first_name: 'Anna', message: 'Anna asks about sizes' };
const BOB = { id: 9102, email: 'bob.account@example.com', first_name: 'Bob', message: 'Bob asks about delivery' };
const CONSENT_TEXT = 'Yes, send me news and offers by email.';
const now = () => Math.floor(Date.now() / 1000);
const sign = (claims: JWTPayload, secret = SECRET) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
const accountClaims = (customer = ANNA.id): JWTPayload => ({
  dest: SHOP,
  aud: API_KEY,
  sub: `gid://shopify/Customer/${customer}`,
  exp: now() + 300,
  nbf: now(),
  iat: now(),
  jti: randomUUID(),
});
const without = (claims: JWTPayload, name: string): JWTPayload => Object.fromEntries(Object.entries(claims).filter(([key]) => key !== name));

const BAD_TOKENS: Array<[string, () => Promise<string | null>]> = [
  ['no token', async () => null],
  ['a bad signature', () => sign(accountClaims(), 'another-secret')],
  ['an expired token', () => sign({ ...accountClaims(), exp: now() - 120, iat: now() - 400, nbf: now() - 400 })],
  ['another audience', () => sign({ ...accountClaims(), aud: 'another-app' })],
  ['no exp', () => sign(without(accountClaims(), 'exp'))],
  ['no dest', () => sign(without(accountClaims(), 'dest'))],
  ['a dest of another kind of host', () => sign({ ...accountClaims(), dest: 'example.com' })],
  ['a dest that is not a string', () => sign({ ...accountClaims(), dest: [SHOP] })],
  ['no sub (a guest checkout token)', () => sign(without(accountClaims(), 'sub'))],
  ['a staff sub (digits, not a customer GID)', () => sign({ ...accountClaims(), sub: String(ANNA.id) })],
  ['a sub of another kind of object', () => sign({ ...accountClaims(), sub: `gid://shopify/Order/${ANNA.id}` })],
  ['a sub that is a JSON number', () => sign({ ...accountClaims(), sub: ANNA.id as unknown as string })],
  ['an admin token (dest https://shop, iss)', () => sign({ ...accountClaims(), dest: `https://${SHOP}`, iss: `https://${SHOP}/admin`, sub: '1' })],
];

describe.each(ENGINES)('the customer account backend on %s', (engine) => {
  let t: TestApp | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });

  const tokenOf = (customer: number) =>
    mintCustomerAccountToken({ shop: SHOP, apiKey: API_KEY, secret: SECRET, customerId: `gid://shopify/Customer/${customer}` });
  const call = async (customer: number | string | null, path: string, init: RequestInit = {}) => {
    const token = typeof customer === 'number' ? await tokenOf(customer) : customer;
    const headers = new Headers(init.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    return t!.runtime.app.request(`/account${path}`, { ...init, headers });
  };
  const leadsOf = (email: string) =>
    t!.runtime.storage.db
      .selectFrom('leads')
      .select(['id', 'first_name', 'address', 'message'])
      .where('email_hash', '=', t!.runtime.lookupHash(email))
      .execute();

  async function start(ctx: { skip: () => void }) {
    t = await startTestApp(engine);
    if (!t) return false;
    const shop = t.emulator.shopData(SHOP)!;
    shop.addCustomer({ email: ANNA.email, firstName: ANNA.first_name }, ANNA.id);
    shop.addCustomer({ email: BOB.email, firstName: BOB.first_name }, BOB.id);
    for (const person of [ANNA, BOB]) {
      const response = await t.proxy('/submit', {
        ...jsonPost({
          email: person.email,
          first_name: person.first_name,
          message: person.message,
          email_marketing_consent: true,
          consent_text: CONSENT_TEXT,
          rendered_at: Date.now() - 10_000,
        }),
        customerId: String(person.id),
      });
      expect(response.status).toBe(202);
    }
    await t.runtime.worker.drain();
    void ctx;
    return true;
  }

  it("shows the customer what the app holds about them (leads, answers, consent with its wording), and nothing of anyone else's", async (ctx) => {
    if (!(await start(ctx))) return ctx.skip();
    const response = await call(ANNA.id, '/data');
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const body = (await response.json()) as {
      customer: { id: string };
      leads: Array<{ message: string; email: string; answers: unknown[] }>;
      consent_records: Array<{ text: string; granted: number }>;
    };
    expect(body.customer.id).toBe(`gid://shopify/Customer/${ANNA.id}`);
    expect(body.leads.map((l) => l.message)).toEqual([ANNA.message]);
    expect(Array.isArray(body.leads[0]!.answers)).toBe(true);
    expect(body.consent_records).toEqual([expect.objectContaining({ text: CONSENT_TEXT, granted: 1, channel: 'email' })]);
    expect(JSON.stringify(body)).not.toContain(BOB.email);
    expect(JSON.stringify(body)).not.toContain(BOB.message);
  });

  it.for(BAD_TOKENS)('answers 401 to %s, on every route, and changes nothing', async ([, mint], ctx) => {
    if (!(await start(ctx))) return ctx.skip();
    const token = await mint();
    for (const [path, init] of [
      ['/data', {}],
      ['/download', jsonPost({ format: 'json' })],
      ['/corrections', jsonPost({ first_name: 'Mallory' })],
      ['/delete', jsonPost({ confirm: true })],
      ['/consent', jsonPost({ channel: 'email', state: 'UNSUBSCRIBED' })],
    ] as const) {
      const response = await call(token, path, init);
      expect(response.status, path).toBe(401);
      expect(await response.json()).toEqual({ error: token ? 'invalid_session_token' : 'missing_session_token' });
    }
    expect((await leadsOf(ANNA.email)).map((l) => l.first_name)).toEqual([ANNA.first_name]);
    expect(await t!.runtime.storage.db.selectFrom('erasure_log').selectAll().execute()).toEqual([]);
  });

  it("customer A's token cannot read, correct, download or delete B's data, whatever the body names", async (ctx) => {
    if (!(await start(ctx))) return ctx.skip();
    // A body that names another customer is refused, not followed.
    const named = await call(ANNA.id, '/corrections', jsonPost({ first_name: 'Mallory', customer_id: `gid://shopify/Customer/${BOB.id}` }));
    expect(named.status).toBe(422);
    expect(await named.json()).toMatchObject({ error: 'invalid_fields', fields: { customer_id: 'unknown_field' } });
    expect((await call(ANNA.id, '/corrections', jsonPost({ first_name: 'Annie' }))).status).toBe(202);
    expect((await leadsOf(BOB.email)).map((l) => l.first_name)).toEqual([BOB.first_name]);
    expect((await leadsOf(ANNA.email)).map((l) => l.first_name)).toEqual(['Annie']);
    // A download link is Anna's; changing its payload to Bob's breaks its signature.
    const { path } = (await (await call(ANNA.id, '/download', jsonPost({ format: 'json' }))).json()) as { path: string };
    const [body, signature] = path.slice('/account/download/'.length).split('.');
    const forged = Buffer.from(Buffer.from(body!, 'base64url').toString().replace(String(ANNA.id), String(BOB.id))).toString('base64url');
    expect((await t!.runtime.app.request(`/account/download/${forged}.${signature}`)).status).toBe(401);
    const deleted = await call(ANNA.id, '/delete', jsonPost({ confirm: true }));
    expect(deleted.status).toBe(200);
    expect(await leadsOf(ANNA.email)).toEqual([]);
    expect((await leadsOf(BOB.email)).map((l) => l.message)).toEqual([BOB.message]);
  });

  it("a corrected address reaches the customer's own Shopify record through the outbox", async (ctx) => {
    if (!(await start(ctx))) return ctx.skip();
    const response = await call(
      ANNA.id,
      '/corrections',
      jsonPost({ address1: '12 rue des Lilas', city: 'Lyon', zip: '69001', country: 'FR', phone: '+33612345678' }),
    );
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ leads: 1, queued: true });
    await t!.runtime.worker.drain();
    const customer = (await t!.customerByEmail(ANNA.email)) as { id: string; defaultAddress: { address1: string; city: string; zip: string } | null };
    expect(customer.id).toBe(`gid://shopify/Customer/${ANNA.id}`);
    expect(customer.defaultAddress).toMatchObject({ address1: '12 rue des Lilas', city: 'Lyon', zip: '69001' });
    expect(JSON.parse((await leadsOf(ANNA.email))[0]!.address!)).toMatchObject({ city: 'Lyon', country: 'FR' });
    // Bob's customer is untouched.
    expect(((await t!.customerByEmail(BOB.email)) as { defaultAddress: unknown }).defaultAddress).toBeNull();
  });

  it('a partial address correction (only the city) keeps the other parts, on the lead and on the Shopify customer', async (ctx) => {
    if (!(await start(ctx))) return ctx.skip();
    const full = { address1: '12 rue des Lilas', address2: 'Bât. B', city: 'Lyon', zip: '69001', country: 'FR' };
    expect((await call(ANNA.id, '/corrections', jsonPost(full))).status).toBe(202);
    await t!.runtime.worker.drain();
    const moved = await call(ANNA.id, '/corrections', jsonPost({ city: 'Villeurbanne', address2: '' }));
    expect(moved.status).toBe(202);
    expect(await moved.json()).toEqual({ leads: 1, queued: true });
    await t!.runtime.worker.drain();
    // A part left out stays; a part sent empty is cleared.
    const kept = { address1: '12 rue des Lilas', city: 'Villeurbanne', zip: '69001', country: 'FR' };
    expect(JSON.parse((await leadsOf(ANNA.email))[0]!.address!)).toEqual(kept);
    const customer = (await t!.customerByEmail(ANNA.email)) as { defaultAddress: Record<string, unknown> | null };
    expect(customer.defaultAddress).toMatchObject({ address1: '12 rue des Lilas', city: 'Villeurbanne', zip: '69001', countryCodeV2: 'FR' });
  });

  it('refuses a correction that breaks the form rules with 422 and the field, and writes nothing', async (ctx) => {
    if (!(await start(ctx))) return ctx.skip();
    const response = await call(ANNA.id, '/corrections', jsonPost({ phone: 'not a phone', first_name: 'Changed' }));
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error: 'invalid_fields', fields: { phone: expect.any(String) } });
    expect((await call(ANNA.id, '/corrections', jsonPost({ first_name: 42 }))).status).toBe(422);
    expect((await call(ANNA.id, '/corrections', jsonPost({}))).status).toBe(400);
    expect((await leadsOf(ANNA.email)).map((l) => l.first_name)).toEqual([ANNA.first_name]);
  });

  it('deletes with the same erasure as compliance, logged as the customer account, and needs the confirmation', async (ctx) => {
    if (!(await start(ctx))) return ctx.skip();
    expect((await call(ANNA.id, '/delete', jsonPost({}))).status).toBe(400);
    expect((await call(ANNA.id, '/delete', jsonPost({ confirm: 'yes' }))).status).toBe(400);
    const response = await call(ANNA.id, '/delete', jsonPost({ confirm: true }));
    expect(await response.json()).toEqual({ leads_erased: 1, packages_erased: 0 });
    const db = t!.runtime.storage.db;
    expect(await db.selectFrom('erasure_log').select(['reason', 'leads_erased']).execute()).toEqual([{ reason: 'customer_account', leads_erased: 1 }]);
    const left = JSON.stringify([await db.selectFrom('leads').selectAll().execute(), await db.selectFrom('consent_records').selectAll().execute()]);
    expect(left).not.toContain(ANNA.message);
    expect((await (await call(ANNA.id, '/data')).json()) as { leads: unknown[] }).toMatchObject({ leads: [] });
  });

  it("records a marketing change as the customer's own, with the wording shown, appended to the ledger", async (ctx) => {
    if (!(await start(ctx))) return ctx.skip();
    const wording = 'Email me news and offers (you can stop at any time).';
    const response = await call(ANNA.id, '/consent', jsonPost({ channel: 'email', state: 'UNSUBSCRIBED', text: wording }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ recorded: 1 });
    const { consent_records } = (await (await call(ANNA.id, '/data')).json()) as {
      consent_records: Array<{ granted: number; source: string; text: string | null }>;
    };
    expect(consent_records.map((r) => [r.granted, r.source.split(':')[0], r.text])).toEqual([
      [1, expect.any(String), CONSENT_TEXT],
      [0, 'customer_account', wording],
    ]);
    expect((await call(ANNA.id, '/consent', jsonPost({ channel: 'fax', state: 'SUBSCRIBED' }))).status).toBe(400);
    expect((await call(ANNA.id, '/consent', jsonPost({ channel: 'sms', state: 'SUBSCRIBED', text: 'a\u0000b' }))).status).toBe(400);
  });

  it('records a consent change and tells Flow only when the state changes; the same state again answers 200 and adds nothing', async (ctx) => {
    if (!(await start(ctx))) return ctx.skip();
    // The shop's Flow listens to "Lead consent changed" (its signed lifecycle callback).
    const callback = JSON.stringify({
      flow_trigger_definition_id: 'lead-consent-changed',
      has_enabled_flow: true,
      shop_id: 1,
      shopify_domain: SHOP,
      timestamp: new Date().toISOString(),
    });
    const hmac = createHmac('sha256', SECRET).update(callback).digest('base64');
    const listening = await t!.runtime.app.request('/flow/lifecycle', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-hmac-sha256': hmac },
      body: callback,
    });
    expect(listening.status).toBe(200);
    const db = t!.runtime.storage.db;
    const ownRecords = async () =>
      (await db.selectFrom('consent_records').select(['granted', 'source']).where('source', 'like', 'customer_account:%').orderBy('recorded_at').execute()).map(
        (r) => r.granted,
      );
    const triggers = async () => (await db.selectFrom('flow_events').select('id').where('handle', '=', 'lead-consent-changed').execute()).length;
    const consent = async (state: string) => {
      const response = await call(ANNA.id, '/consent', jsonPost({ channel: 'email', state, text: 'Email me news' }));
      expect(response.status, state).toBe(200);
      return response.json();
    };
    // Anna subscribed with the form: subscribing again changes nothing.
    expect(await consent('SUBSCRIBED')).toEqual({ recorded: 0 });
    expect([await ownRecords(), await triggers()]).toEqual([[], 0]);
    expect(await consent('UNSUBSCRIBED')).toEqual({ recorded: 1 });
    expect(await consent('UNSUBSCRIBED')).toEqual({ recorded: 0 });
    expect([await ownRecords(), await triggers()]).toEqual([[0], 1]);
    expect(await consent('SUBSCRIBED')).toEqual({ recorded: 1 });
    expect([await ownRecords(), await triggers()]).toEqual([[0, 1], 2]);
    // Two identical changes at the same instant (two tabs, a double click): one is recorded, one Flow trigger.
    const both = await Promise.all([consent('UNSUBSCRIBED'), consent('UNSUBSCRIBED')]);
    expect(both.map((b) => (b as { recorded: number }).recorded).sort()).toEqual([0, 1]);
    expect([await ownRecords(), await triggers()]).toEqual([[0, 1, 0], 3]);
  });

  it('downloads the package as JSON and CSV through a short-lived signed link', async (ctx) => {
    if (!(await start(ctx))) return ctx.skip();
    const link = async (format: string) => ((await (await call(ANNA.id, '/download', jsonPost({ format }))).json()) as { path: string }).path;
    const json = await t!.runtime.app.request(await link('json'));
    expect(json.status).toBe(200);
    expect(json.headers.get('content-disposition')).toContain('attachment');
    const pkg = (await json.json()) as { leads: Array<{ message: string }>; consent_records: unknown[] };
    expect(pkg.leads.map((l) => l.message)).toEqual([ANNA.message]);
    const csv = await t!.runtime.app.request(await link('csv'));
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = await csv.text();
    expect(text).toContain(ANNA.email);
    expect(text).not.toContain(BOB.email);
    expect((await call(ANNA.id, '/download', jsonPost({ format: 'xml' }))).status).toBe(400);
    expect((await t!.runtime.app.request('/account/download/not-a-link')).status).toBe(401);
  });

  it('answers bad bodies precisely: 415, 400 malformed JSON, 413', async (ctx) => {
    if (!(await start(ctx))) return ctx.skip();
    expect((await call(ANNA.id, '/delete', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"confirm":true}' })).status).toBe(415);
    const malformed = await call(ANNA.id, '/delete', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"confirm":' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ error: 'malformed_json' });
    expect((await call(ANNA.id, '/corrections', jsonPost({ first_name: 'x'.repeat(20_000) }))).status).toBe(413);
    expect((await leadsOf(ANNA.email)).length).toBe(1);
  });
});
