import { afterEach, describe, expect, it } from 'vitest';
import { MailCatcher } from '../dev/mail-catcher.js';
import { signConfirmLink } from '../web/server/core/confirm-link.js';
import { ENGINES } from './helpers/databases.js';
import { doubleOptInFields, formPost } from './helpers/mail.js';
import { SECRET, SHOP, type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';

/**
 * Double opt-in end to end, over real SMTP and through the proxy: a consenting lead from a form with the setting
 * waits; the e-mail's link shows a button (a GET confirms nothing); the button confirms; only then does the sync write
 * CONFIRMED_OPT_IN at the confirmation time to the (emulated, schema-checked) Admin API.
 */
const doi = doubleOptInFields;
const form = formPost;

describe.each(ENGINES)('double opt-in on %s', (engine) => {
  let t: TestApp | null = null;
  let catcher: MailCatcher;
  afterEach(async () => {
    await t?.close();
    t = null;
    await catcher.stop();
  });

  async function start() {
    catcher = new MailCatcher();
    t = await startTestApp(engine, { SMTP_URL: await catcher.start(0), MAIL_RETRY_BASE_MS: '10' });
    return t;
  }

  const submit = async (app: TestApp, email: string, extra: Record<string, unknown> = doi()) => {
    const response = await app.proxy(
      '/submit',
      jsonPost({
        email,
        first_name: 'Jürgen',
        email_marketing_consent: true,
        consent_text: 'Ja, Newsletter',
        locale: 'de',
        rendered_at: Date.now() - 10_000,
        ...extra,
      }),
    );
    expect(response.status).toBe(202);
    return ((await response.json()) as { id: string }).id;
  };

  const linkOf = (text: string) => new URL(/https?:\/\/\S+\/apps\/contact-capture\/confirm\?\S+/.exec(text)![0]);

  it('confirms only on the button, then syncs CONFIRMED_OPT_IN at the confirmation time', async (ctx) => {
    const app = await start();
    if (!app) return ctx.skip();
    const db = app.runtime.storage.db;
    const id = await submit(app, 'juergen@example.com');
    expect((await db.selectFrom('leads').select('doi_state').where('id', '=', id).executeTakeFirstOrThrow()).doi_state).toBe('pending');
    // No Shopify write while pending.
    await app.runtime.worker.drain();
    expect(await app.customerByEmail('juergen@example.com')).toBeNull();
    await app.runtime.mailWorker.drain();
    const mail = await catcher.waitFor((m) => m.envelope.to.includes('juergen@example.com'));
    expect(mail.subject).toBe('Bitte bestätigen Sie Ihre Anmeldung bei Contact Capture Dev Shop');
    expect(mail.text).toContain('Hallo Jürgen,');
    const link = linkOf(mail.text);
    expect(mail.html).toContain(link.search.replace(/&/g, '&amp;'));
    const query = Object.fromEntries(link.searchParams);

    // A mail scanner opening the link confirms nothing.
    const page = await app.proxy('/confirm', { query });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Anmeldung bestätigen');
    expect(html).toMatch(/<form method="post" action="\/apps\/contact-capture\/confirm">/);
    expect((await db.selectFrom('leads').select('doi_state').where('id', '=', id).executeTakeFirstOrThrow()).doi_state).toBe('pending');

    const before = Date.now();
    const confirmed = await app.proxy('/confirm', form(query));
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('Vielen Dank, Ihre Anmeldung ist bestätigt.');
    const lead = await db.selectFrom('leads').select(['doi_state', 'doi_confirmed_at']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(lead.doi_state).toBe('confirmed');
    expect(Date.parse(lead.doi_confirmed_at!)).toBeGreaterThanOrEqual(before - 5);
    const ledger = await db.selectFrom('consent_records').selectAll().where('lead_id', '=', id).where('channel', '=', 'email').orderBy('recorded_at').execute();
    expect(ledger.map((r) => [r.source, r.opt_in_level])).toEqual([
      ['storefront_contact_form', 'PENDING_CONFIRMATION'],
      ['double_opt_in_link', 'CONFIRMED_OPT_IN'],
    ]);
    expect(ledger[1]!.recorded_at).toBe(lead.doi_confirmed_at);
    expect(ledger[1]!.text).toBe('Ja, Newsletter');

    // Confirming twice is harmless: the same page, no second record, no second sync.
    const again = await app.proxy('/confirm', form(query));
    expect(await again.text()).toContain('bereits bestätigt');
    expect(await db.selectFrom('consent_records').select('id').where('lead_id', '=', id).where('source', '=', 'double_opt_in_link').execute()).toHaveLength(1);

    await app.runtime.worker.drain();
    const customer = (await app.customerByEmail('juergen@example.com')) as { defaultEmailAddress: Record<string, string> } | null;
    expect(customer?.defaultEmailAddress).toMatchObject({
      marketingState: 'SUBSCRIBED',
      marketingOptInLevel: 'CONFIRMED_OPT_IN',
    });
    expect(Date.parse(customer!.defaultEmailAddress.marketingUpdatedAt!)).toBe(Date.parse(lead.doi_confirmed_at!));
  });

  it('refuses a changed link, says an expired one has expired in the shopper language, and sends a new one', async (ctx) => {
    const app = await start();
    if (!app) return ctx.skip();
    const id = await submit(app, 'late@example.com');
    const link = signConfirmLink(SECRET, SHOP, id, Math.floor(Date.now() / 1000) + 3600);
    const bad = await app.proxy('/confirm', form({ l: id, e: String(link.expires + 86_400 * 30), s: link.sig }));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('ungültig');
    // Another shop's link for the same lead id does not open here either.
    const foreign = signConfirmLink(SECRET, 'other-shop.myshopify.com', id, link.expires);
    expect((await app.proxy('/confirm', form({ l: id, e: String(foreign.expires), s: foreign.sig }))).status).toBe(400);

    const expired = signConfirmLink(SECRET, SHOP, id, Math.floor(Date.now() / 1000) - 10);
    const query = { l: id, e: String(expired.expires), s: expired.sig };
    const page = await app.proxy('/confirm', form(query));
    expect(page.status).toBe(410);
    const html = await page.text();
    expect(html).toContain('Dieser Bestätigungslink ist abgelaufen.');
    expect(html).toContain('action="/apps/contact-capture/confirm/resend"');
    await app.runtime.mailWorker.drain();
    const first = catcher.messages.length;
    const resent = await app.proxy('/confirm/resend', form(query));
    expect(resent.status).toBe(200);
    expect(await resent.text()).toContain('Ein neuer Link ist unterwegs');
    await app.runtime.mailWorker.drain();
    expect(catcher.messages.length).toBe(first + 1);
    // The new link confirms.
    const fresh = Object.fromEntries(linkOf(catcher.messages[0]!.text).searchParams);
    expect((await app.proxy('/confirm', form(fresh))).status).toBe(200);
  });

  it('sends one resend on a new submission, not one mail per submission', async (ctx) => {
    const app = await start();
    if (!app) return ctx.skip();
    for (let i = 0; i < 4; i++) await submit(app, 'again@example.com');
    await app.runtime.mailWorker.drain();
    expect(catcher.messages.filter((m) => m.envelope.to.includes('again@example.com'))).toHaveLength(2);
  });

  it('keeps single opt-in when the setting is off or its signature does not match', async (ctx) => {
    const app = await start();
    if (!app) return ctx.skip();
    const plain = await submit(app, 'single@example.com', {});
    const forged = await submit(app, 'forged@example.com', { double_opt_in: 'doi:7', double_opt_in_sig: 'a'.repeat(64) });
    const db = app.runtime.storage.db;
    for (const id of [plain, forged])
      expect((await db.selectFrom('leads').select('doi_state').where('id', '=', id).executeTakeFirstOrThrow()).doi_state).toBeNull();
    await app.runtime.worker.drain();
    await app.runtime.mailWorker.drain();
    expect(catcher.messages).toHaveLength(0);
    const customer = (await app.customerByEmail('single@example.com')) as { defaultEmailAddress: Record<string, string> } | null;
    expect(customer?.defaultEmailAddress.marketingOptInLevel).toBe('SINGLE_OPT_IN');
  });
});
