import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../../../tests/helpers/databases.js';
import { rowCounts } from '../../../../tests/helpers/db.js';
import { type TestApp, jsonPost, startTestApp } from '../../../../tests/helpers/runtime.js';
import { PRIVACY_LINK_LIQUID } from './form-page.js';

const RENDERED_AT = Date.now() - 10_000;
const lead = (over: Record<string, unknown> = {}) => ({
  email: 'pierre@example.com',
  first_name: 'Pierre',
  last_name: 'Durand',
  phone: '+33 6 12 34 56 78',
  message: 'I have moved.',
  email_marketing_consent: true,
  consent_text: 'Email me news and offers.',
  locale: 'fr',
  page: '/pages/contact',
  form_id: 'contact',
  rendered_at: RENDERED_AT,
  ...over,
});

describe.each(ENGINES)('POST /proxy/submit on %s', (engine) => {
  let t: TestApp | null;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => t?.close());

  const counts = () => rowCounts(t!.runtime.storage.db);

  it('stores a consenting lead, its consent proof and an outbox job, and answers 202 with the id', async (ctx) => {
    if (!t) return ctx.skip();
    const before = await counts();
    const response = await t.proxy('/submit', { ...jsonPost(lead({ email: 'a1@example.com' }), { 'idempotency-key': 'key-a1-000001' }), customerId: '7001' });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { id: string; sync: string };
    expect(body.sync).toBe('pending');
    const after = await counts();
    expect(after).toEqual({ leads: before.leads + 1, consents: before.consents + 1, jobs: before.jobs + 1 });
    const db = t.runtime.storage.db;
    const stored = await db.selectFrom('leads').selectAll().where('id', '=', body.id).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({
      shop: t.config.devShop,
      email: 'a1@example.com',
      phone: '+33612345678',
      logged_in_customer_id: '7001',
      email_consent: 1,
      status: 'pending',
      locale: 'fr',
    });
    const consent = await db.selectFrom('consent_records').selectAll().where('lead_id', '=', body.id).executeTakeFirstOrThrow();
    expect(consent).toMatchObject({ granted: 1, text: 'Email me news and offers.', locale: 'fr', page: '/pages/contact', opt_in_level: 'SINGLE_OPT_IN' });
    expect(consent.text_sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps a lead without consent, records the refusal, and queues nothing for Shopify', async (ctx) => {
    if (!t) return ctx.skip();
    const before = await counts();
    const response = await t.proxy('/submit', jsonPost(lead({ email: 'a2@example.com', email_marketing_consent: false })));
    expect(response.status).toBe(202);
    expect(((await response.json()) as { sync: string }).sync).toBe('no_consent');
    expect(await counts()).toEqual({ leads: before.leads + 1, consents: before.consents + 1, jobs: before.jobs });
  });

  it('answers a replay with the same id and stores nothing new; another body with the same key is 422', async (ctx) => {
    if (!t) return ctx.skip();
    const init = () => jsonPost(lead({ email: 'a3@example.com' }), { 'idempotency-key': 'key-a3-000001' });
    const first = (await (await t.proxy('/submit', init())).json()) as { id: string };
    const before = await counts();
    const again = await t.proxy('/submit', init());
    expect(again.status).toBe(202);
    expect((await again.json()) as { id: string; replayed: boolean }).toMatchObject({ id: first.id, replayed: true });
    const other = await t.proxy('/submit', jsonPost(lead({ email: 'a3@example.com', message: 'changed' }), { 'idempotency-key': 'key-a3-000001' }));
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ error: 'idempotency_key_reused' });
    expect(await counts()).toEqual(before);
  });

  it('scopes idempotency keys per shop', async (ctx) => {
    if (!t) return ctx.skip();
    const key = { 'idempotency-key': 'key-shared-0001' };
    const a = (await (await t.proxy('/submit', jsonPost(lead({ email: 'a4@example.com' }), key))).json()) as { id: string };
    const b = await t.proxy('/submit', { ...jsonPost(lead({ email: 'a4@example.com' }), key), shop: 'other-shop.myshopify.com' });
    expect(b.status).toBe(202);
    expect(((await b.json()) as { id: string }).id).not.toBe(a.id);
  });

  it('lets exactly one of many concurrent duplicates in', async (ctx) => {
    if (!t) return ctx.skip();
    const before = await counts();
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => t!.proxy('/submit', jsonPost(lead({ email: 'a5@example.com' }), { 'idempotency-key': 'key-a5-concurrent' }))),
    );
    const ids = new Set(await Promise.all(responses.map(async (r) => ((await r.json()) as { id: string }).id)));
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(202));
    expect(ids.size).toBe(1);
    expect((await counts()).leads).toBe(before.leads + 1);
  });

  const bad: Array<[string, () => Promise<Response>, number, string]> = [
    ['an unsigned request', async () => t!.runtime.app.request('/proxy/submit', jsonPost(lead())), 401, 'missing_signature'],
    ['a body over 16 KiB', () => t!.proxy('/submit', jsonPost(lead({ message: 'x'.repeat(17_000) }))), 413, 'body_too_large'],
    [
      'a wrong content type',
      () => t!.proxy('/submit', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' }),
      415,
      'unsupported_media_type',
    ],
    ['broken JSON', () => t!.proxy('/submit', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":' }), 400, 'malformed_json'],
    ['a JSON array', () => t!.proxy('/submit', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' }), 400, 'malformed_json'],
    [
      'invalid UTF-8',
      () => t!.proxy('/submit', { method: 'POST', headers: { 'content-type': 'application/json' }, body: new Uint8Array([0x7b, 0xff, 0x7d]) }),
      400,
      'invalid_encoding',
    ],
    ['unknown fields', () => t!.proxy('/submit', jsonPost(lead({ is_admin: true }))), 400, 'unknown_fields'],
    ['a bad email', () => t!.proxy('/submit', jsonPost(lead({ email: 'not-an-email' }))), 422, 'invalid_fields'],
    ['a missing email', () => t!.proxy('/submit', jsonPost(lead({ email: undefined }))), 422, 'invalid_fields'],
    ['a shop in the body', () => t!.proxy('/submit', jsonPost(lead({ shop: 'evil.myshopify.com' }))), 400, 'unknown_fields'],
    ['a malformed idempotency key', () => t!.proxy('/submit', jsonPost(lead(), { 'idempotency-key': 'bad key!' })), 400, 'invalid_idempotency_key'],
    [
      'a repeated form field',
      () => t!.proxy('/submit', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=a@b.co&email=c@d.co' }),
      400,
      'repeated_field',
    ],
  ];
  it.for(bad.map(([name, send, status, reason]) => ({ name, send, status, reason })))(
    'rejects $name with $status $reason and writes nothing',
    async ({ send, status, reason }, ctx) => {
      if (!t) return ctx.skip();
      const before = await counts();
      const response = await send();
      expect(response.status).toBe(status);
      expect(await response.json()).toMatchObject({ error: reason });
      expect(await counts()).toEqual(before);
    },
  );

  it('gives per-field messages in the shopper language', async (ctx) => {
    if (!t) return ctx.skip();
    const response = await t.proxy('/submit', jsonPost(lead({ email: 'nope', phone: '0612', locale: 'fr' })));
    const body = (await response.json()) as { fields: Record<string, { code: string; message: string }> };
    expect(body.fields.email).toEqual({ code: 'invalid_email', message: 'Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.' });
    expect(body.fields.phone?.code).toBe('invalid_phone');
  });

  it('answers a no-JS form post with a Liquid confirmation rendered in the theme', async (ctx) => {
    if (!t) return ctx.skip();
    const form = new URLSearchParams({
      email: 'a6@example.com',
      first_name: 'Zoë',
      locale: 'fr',
      page: '/fr/',
      idempotency_key: 'nojs-form-0001',
      email_marketing_consent: 'on',
      rendered_at: String(Date.now() - 10_000),
    });
    const response = await t.proxy('/submit', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/liquid');
    const html = await response.text();
    expect(html).toContain('Merci pour votre message');
    expect(html).toContain('href="/fr/"');
    const stored = await t.runtime.storage.db
      .selectFrom('leads')
      .select(['email_consent', 'first_name'])
      .where('email_hash', '=', t.runtime.lookupHash('a6@example.com'))
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ email_consent: 1, first_name: 'Zoë' });
  });

  it('dedupes a no-JS double post, but keeps two shoppers whose cached page carried the same key', async (ctx) => {
    if (!t) return ctx.skip();
    const post = (email: string) =>
      t!.proxy('/submit', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email, idempotency_key: 'nojs-cached-page-1' }).toString(),
      });
    const before = await counts();
    expect((await post('b1@example.com')).status).toBe(200);
    expect((await post('b1@example.com')).status).toBe(200);
    expect((await post('b2@example.com')).status).toBe(200);
    expect((await counts()).leads).toBe(before.leads + 2);
  });

  it('answers a no-JS form post with errors as a Liquid page and neutralises Liquid in what it echoes', async (ctx) => {
    if (!t) return ctx.skip();
    const before = await counts();
    const form = new URLSearchParams({ email: 'bad', locale: 'en', page: '//evil.example.com/{{ shop.secret }}' });
    const response = await t.proxy('/submit', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain('Enter an email address like name@example.com.');
    expect(html).toMatch(/<input class="cc__input" type="email"[^>]*value="bad"[^>]*aria-invalid="true"/);
    expect(html).not.toContain('href="//evil.example.com');
    // The only Liquid is the page's own privacy link, fixed in form-page.ts.
    const echoed = html.replace(PRIVACY_LINK_LIQUID[0], '').replace(PRIVACY_LINK_LIQUID[1], '');
    expect(echoed).not.toContain('{{');
    expect(echoed).not.toContain('{%');
    expect(await counts()).toEqual(before);
  });
  const CONDITIONAL_SPEC = JSON.stringify([
    { key: 'subject', kind: 'select', label: 'Subject', required: true, options: ['An order', 'Other'] },
    { key: 'order_number', kind: 'text', label: 'Order number', required: true },
  ]);
  const CONDITIONS = 'order_number: subject = An order\ncompany: subject = An order';

  it('never lets a hidden required field block a submission, and stores nothing a hidden field sent', async (ctx) => {
    if (!t) return ctx.skip();
    const response = await t.proxy(
      '/submit',
      jsonPost(
        lead({
          email: 'cond1@example.com',
          custom_fields: CONDITIONAL_SPEC,
          conditions: CONDITIONS,
          required_fields: 'email,company',
          'custom.subject': 'Other',
          'custom.order_number': 'forged',
          company: 'Forged Ltd',
        }),
      ),
    );
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    const stored = await t.runtime.storage.db.selectFrom('leads').select(['company', 'answers']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(stored.company).toBeNull();
    expect(JSON.stringify(stored.answers)).not.toContain('forged');
    expect(JSON.stringify(stored.answers)).toContain('Other');
  });

  it('requires a conditional field once its condition holds, with the same code as any required field', async (ctx) => {
    if (!t) return ctx.skip();
    const before = await counts();
    const response = await t.proxy(
      '/submit',
      jsonPost(lead({ email: 'cond2@example.com', custom_fields: CONDITIONAL_SPEC, conditions: CONDITIONS, 'custom.subject': 'An order', locale: 'en' })),
    );
    expect(response.status).toBe(422);
    const body = (await response.json()) as { fields: Record<string, { code: string }> };
    expect(body.fields['custom.order_number']?.code).toBe('required');
    expect(await counts()).toEqual(before);
  });

  it('answers a no-JS post in the language the form carried, every conditional field shown with its condition, the box before its label', async (ctx) => {
    if (!t) return ctx.skip();
    const form = new URLSearchParams({
      email: 'bad',
      locale: 'de',
      custom_fields: CONDITIONAL_SPEC,
      conditions: CONDITIONS,
      'custom.subject': 'Other',
      consent_text: 'Newsletter',
    });
    const response = await t.proxy('/submit', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'fr-FR,fr;q=0.9' },
      body: form.toString(),
    });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain('lang="de"');
    expect(html).not.toContain('lang="fr"');
    expect(html).toContain('Nur wenn „Subject“ „An order“ ist.');
    // Shown (no script can hide it) but not required by the browser: the server decides with the same rule.
    expect(html).toMatch(
      /<input class="cc__input" type="text" value="" id="cc-again-custom-order_number" name="custom.order_number" aria-describedby="cc-again-custom-order_number-condition">/,
    );
    expect(html).toMatch(/name="conditions" value="order_number: subject = An order\ncompany: subject = An order"/);
    expect(html).toMatch(
      /<div class="cc__consent"><input class="cc__checkbox" type="checkbox" value="on" id="cc-again-email_marketing_consent"[^>]*><label class="cc__consent-label"/,
    );
    expect(html).toContain('{% if shop.privacy_policy %} <a href="{{ shop.privacy_policy.url }}">Datenschutzerklärung</a>{% endif %}');
  });

  it('gives the no-JS confirmation the language the form carried, not the browser one', async (ctx) => {
    if (!t) return ctx.skip();
    const form = new URLSearchParams({ email: 'cond3@example.com', locale: 'it', idempotency_key: 'nojs-lang-00001' });
    const response = await t.proxy('/submit', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'ja' },
      body: form.toString(),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/<div class="contact-capture-result page-width" lang="it"/);
  });
});
