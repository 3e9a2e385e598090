import type { LeadPage } from '../schema/workspace-api.js';
import { describe, expect, it } from 'vitest';
import type { MailCatcher } from '../dev/mail-catcher.js';
import { signConfirmLink } from '../web/server/core/confirm-link.js';
import { formKey, signOptIn, signTags } from '../web/server/core/form-key.js';
import { ENGINES } from './helpers/databases.js';
import { doubleOptInFields, formPost, withMailApp } from './helpers/mail.js';
import { SECRET, SHOP, type TestApp, jsonPost } from './helpers/runtime.js';

/**
 * Double opt-in end to end, over real SMTP and through the proxy: a consenting lead from a form with the setting
 * waits; the e-mail's link shows a button (a GET confirms nothing); the button confirms; only then does the sync write
 * CONFIRMED_OPT_IN at the confirmation time to the (emulated, schema-checked) Admin API.
 */
const doi = doubleOptInFields;
const form = formPost;

describe.each(ENGINES)('double opt-in on %s', (engine) => {
  const startMailApp = withMailApp(engine);
  let catcher: MailCatcher;

  async function start(): Promise<TestApp | null> {
    const started = await startMailApp({ MAIL_RETRY_BASE_MS: '10' });
    if (!started) return null;
    catcher = started.catcher;
    return started.app;
  }

  const submit = async (app: TestApp, email: string, extra: Record<string, unknown> = doi(), asBlock = true) => {
    const response = await app.proxy('/submit', {
      asBlock,
      ...jsonPost({
        email,
        first_name: 'Jürgen',
        email_marketing_consent: true,
        consent_text: 'Ja, Newsletter',
        locale: 'de',
        rendered_at: Date.now() - 10_000,
        ...extra,
      }),
    });
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

  it('keeps single opt-in only where the block signed doi:0 for this form; unsigned, forged or foreign fails safe to double opt-in', async (ctx) => {
    const app = await start();
    if (!app) return ctx.skip();
    const db = app.runtime.storage.db;
    const key = formKey(SECRET, SHOP);
    const plain = await submit(app, 'single@example.com', {
      form_id: 'newsletter',
      double_opt_in: 'doi:0',
      double_opt_in_sig: signOptIn(key, 'newsletter', 'doi:0'),
    });
    // The same signed doi:0, made for another form, posted with this one.
    const foreign = await submit(app, 'foreign@example.com', {
      form_id: 'contact',
      double_opt_in: 'doi:0',
      double_opt_in_sig: signOptIn(key, 'newsletter', 'doi:0'),
    });
    // The old, unbound signature (before it named the form).
    const unbound = await submit(app, 'unbound@example.com', { form_id: 'contact', double_opt_in: 'doi:0', double_opt_in_sig: signTags(key, 'opt-in:doi:0') });
    const forged = await submit(app, 'forged@example.com', { double_opt_in: 'doi:0', double_opt_in_sig: 'a'.repeat(64) });
    const missing = await submit(app, 'missing@example.com', {}, false);
    const state = async (id: string) =>
      db.selectFrom('leads').select(['doi_state', 'doi_expires_at', 'created_at']).where('id', '=', id).executeTakeFirstOrThrow();
    expect((await state(plain)).doi_state).toBeNull();
    for (const id of [foreign, unbound, forged, missing]) {
      const lead = await state(id);
      expect(lead.doi_state).toBe('pending');
      // The default validity, 7 days.
      expect(Math.round((Date.parse(lead.doi_expires_at!) - Date.parse(lead.created_at)) / 86_400_000)).toBe(7);
    }
    await app.runtime.worker.drain();
    // What was queued is read from the outbox: the background mail worker may be mid-send when a drain returns.
    const queued = await db.selectFrom('mail_messages').select('lead_id').where('template', '=', 'confirm_optin').execute();
    expect(new Set(queued.map((m) => m.lead_id))).toEqual(new Set([foreign, unbound, forged, missing]));
    await app.runtime.mailWorker.drain();
    for (const email of ['foreign@example.com', 'unbound@example.com', 'forged@example.com', 'missing@example.com'])
      await catcher.waitFor((m) => m.envelope.to.includes(email));
    const customer = (await app.customerByEmail('single@example.com')) as { defaultEmailAddress: Record<string, string> } | null;
    expect(customer?.defaultEmailAddress.marketingOptInLevel).toBe('SINGLE_OPT_IN');
    for (const email of ['foreign@example.com', 'forged@example.com', 'missing@example.com']) expect(await app.customerByEmail(email)).toBeNull();
  });

  it('enforces the shop setting whatever the post says: on for all forms, off again for one form, with its link validity', async (ctx) => {
    const app = await start();
    if (!app) return ctx.skip();
    const db = app.runtime.storage.db;
    const owner = { authorization: `Bearer ${await app.staffToken('owner')}`, 'content-type': 'application/json' };
    const put = (body: unknown, headers: Record<string, string> = owner) =>
      app.runtime.app.request('/api/settings/opt-in', { method: 'PUT', headers, body: JSON.stringify(body) });
    expect(await (await app.runtime.app.request('/api/settings/opt-in', { headers: owner })).json()).toEqual({
      all: { requireDoubleOptIn: false, linkDays: 7, keepContact: false },
      forms: [],
    });
    expect((await put({ requireDoubleOptIn: true, linkDays: 3, keepContact: false })).status).toBe(200);
    expect((await put({ form: 'wholesale', requireDoubleOptIn: false, linkDays: 7, keepContact: false })).status).toBe(200);
    const key = formKey(SECRET, SHOP);
    const signedOff = (form: string) => ({ form_id: form, double_opt_in: 'doi:0', double_opt_in_sig: signOptIn(key, form, 'doi:0') });
    // A page signed doi:0 before the merchant turned double opt-in on: the server setting wins.
    const replayed = await submit(app, 'replay@example.com', signedOff('newsletter'));
    const wholesale = await submit(app, 'wholesale@example.com', signedOff('wholesale'));
    // The block may still ask for more than the server: on for a form the server leaves off.
    const blockOn = await submit(app, 'block-on@example.com', { form_id: 'wholesale', ...doubleOptInFields(12, 'wholesale') });
    const lead = (id: string) => db.selectFrom('leads').select(['doi_state', 'doi_expires_at', 'created_at']).where('id', '=', id).executeTakeFirstOrThrow();
    const days = (l: { doi_expires_at: string | null; created_at: string }) =>
      Math.round((Date.parse(l.doi_expires_at!) - Date.parse(l.created_at)) / 86_400_000);
    expect((await lead(replayed)).doi_state).toBe('pending');
    expect(days(await lead(replayed))).toBe(3);
    expect((await lead(wholesale)).doi_state).toBeNull();
    expect(days(await lead(blockOn))).toBe(12);
    await app.runtime.worker.drain();
    expect(await app.customerByEmail('replay@example.com')).toBeNull();

    // The settings as stored, a form's own setting cleared, and every change in the audit log.
    const read = (await (await put({ form: 'wholesale', clear: true })).json()) as { forms: unknown[] };
    expect(read.forms).toEqual([]);
    const audited = await db.selectFrom('audit_log').select(['action', 'detail']).where('action', '=', 'opt_in_settings').orderBy('at').execute();
    expect(audited.map((a) => JSON.parse(a.detail!) as unknown)).toEqual([
      { form: '*', requireDoubleOptIn: true, linkDays: 3, keepContact: false },
      { form: 'wholesale', requireDoubleOptIn: false, linkDays: 7, keepContact: false },
      { form: 'wholesale', clear: true },
    ]);
  });

  it('answers bad settings with a 400 that says why, lets only the owner change them, and writes nothing', async (ctx) => {
    const app = await start();
    if (!app) return ctx.skip();
    const owner = { authorization: `Bearer ${await app.staffToken('owner')}`, 'content-type': 'application/json' };
    const manager = { authorization: `Bearer ${await app.staffToken('manager')}`, 'content-type': 'application/json' };
    const put = (body: unknown, headers = owner) => app.runtime.app.request('/api/settings/opt-in', { method: 'PUT', headers, body: JSON.stringify(body) });
    const refused = async (body: unknown, reason: RegExp) => {
      const response = await put(body);
      expect(response.status).toBe(400);
      const error = (await response.json()) as { error: string; message: string };
      expect(error.error).toBe('invalid_opt_in_settings');
      expect(error.message).toMatch(reason);
    };
    await refused({ requireDoubleOptIn: true, linkDays: 31, keepContact: false }, /linkDays/);
    await refused({ requireDoubleOptIn: true, linkDays: 0, keepContact: false }, /linkDays/);
    await refused({ requireDoubleOptIn: 'yes', linkDays: 7, keepContact: false }, /requireDoubleOptIn/);
    await refused({ requireDoubleOptIn: true, linkDays: 7 }, /keepContact/);
    await refused({ form: 'a b', requireDoubleOptIn: true, linkDays: 7, keepContact: false }, /form/);
    await refused({ clear: true }, /all forms cannot be cleared/);
    expect((await put({ requireDoubleOptIn: true, linkDays: 7, keepContact: false }, manager)).status).toBe(403);
    expect((await app.runtime.app.request('/api/settings/opt-in', { headers: manager })).status).toBe(403);
    const db = app.runtime.storage.db;
    expect(await db.selectFrom('opt_in_settings').selectAll().execute()).toEqual([]);
    expect(await db.selectFrom('audit_log').select('id').where('action', '=', 'opt_in_settings').execute()).toEqual([]);
  });

  it("confirms only the clicked lead's consent, not the address's other pending leads", async (ctx) => {
    const app = await start();
    if (!app) return ctx.skip();
    const db = app.runtime.storage.db;
    const first = await submit(app, 'twice@example.com', { ...doi(), consent_text: 'Newsletter A' });
    const second = await submit(app, 'twice@example.com', { ...doi(), consent_text: 'Newsletter B' });
    await app.runtime.mailWorker.drain();
    const mail = await catcher.waitFor((m) => m.text.includes(`l=${second}`));
    expect((await app.proxy('/confirm', form(Object.fromEntries(linkOf(mail.text).searchParams)))).status).toBe(200);
    const states = await db.selectFrom('leads').select(['id', 'doi_state']).where('id', 'in', [first, second]).execute();
    expect(Object.fromEntries(states.map((s) => [s.id, s.doi_state]))).toEqual({ [first]: 'pending', [second]: 'confirmed' });
    const confirmations = await db.selectFrom('consent_records').select(['lead_id', 'text']).where('source', '=', 'double_opt_in_link').execute();
    expect(confirmations).toEqual([{ lead_id: second, text: 'Newsletter B' }]);
  });

  it('sends a released quarantined lead its confirmation e-mail, once', async (ctx) => {
    const app = await start();
    if (!app) return ctx.skip();
    const db = app.runtime.storage.db;
    // The honeypot filled: quarantined, and no e-mail to an address spam typed.
    const id = await submit(app, 'held@example.com', { ...doi(), website: 'http://spam.example' });
    expect((await db.selectFrom('leads').select(['status', 'doi_state']).where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('quarantined');
    expect(await db.selectFrom('mail_messages').select('id').where('lead_id', '=', id).execute()).toEqual([]);
    const manager = { authorization: `Bearer ${await app.staffToken('manager')}` };
    const release = () => app.runtime.app.request(`/api/leads/${id}/release`, { method: 'POST', headers: manager });
    expect((await release()).status).toBe(200);
    expect((await release()).status).toBe(409);
    await app.runtime.worker.drain();
    // One confirmation queued, and it arrives.
    expect(await db.selectFrom('mail_messages').select('template').where('lead_id', '=', id).execute()).toEqual([{ template: 'confirm_optin' }]);
    await app.runtime.mailWorker.drain();
    const mail = await catcher.waitFor((m) => m.envelope.to.includes('held@example.com'));
    // Still waiting: nothing reaches Shopify before the shopper confirms, and the link works.
    expect(await app.customerByEmail('held@example.com')).toBeNull();
    expect((await app.proxy('/confirm', form(Object.fromEntries(linkOf(mail.text).searchParams)))).status).toBe(200);
    await app.runtime.worker.drain();
    const customer = (await app.customerByEmail('held@example.com')) as { defaultEmailAddress: Record<string, string> } | null;
    expect(customer?.defaultEmailAddress.marketingOptInLevel).toBe('CONFIRMED_OPT_IN');
  });

  it('keeps the contact when the shop says so: the customer first without marketing consent, confirmed consent after the click', async (ctx) => {
    const app = await start();
    if (!app) return ctx.skip();
    const owner = { authorization: `Bearer ${await app.staffToken('owner')}`, 'content-type': 'application/json' };
    await app.runtime.app.request('/api/settings/opt-in', {
      method: 'PUT',
      headers: owner,
      body: JSON.stringify({ requireDoubleOptIn: true, linkDays: 7, keepContact: true }),
    });
    const id = await submit(app, 'kept@example.com', { phone: '+49 151 23456789', sms_marketing_consent: true, sms_consent_text: 'SMS ja' });
    await app.runtime.worker.drain();
    type Customer = {
      defaultEmailAddress: Record<string, string>;
      defaultPhoneNumber: { smsMarketingConsent: Record<string, string> | null } | null;
      firstName: string;
    };
    const before = (await app.customerByEmail('kept@example.com')) as Customer | null;
    expect(before?.firstName).toBe('Jürgen');
    expect(before?.defaultEmailAddress.marketingState).not.toBe('SUBSCRIBED');
    expect(before?.defaultPhoneNumber?.smsMarketingConsent?.state).not.toBe('SUBSCRIBED');
    // The workspace reads both: synced, and a consent still waiting for its confirmation (its badge says so).
    const listed = async () => ((await (await app.runtime.app.request('/api/leads', { headers: owner })).json()) as LeadPage).leads.find((l) => l.id === id);
    expect(await listed()).toMatchObject({ status: 'synced', double_opt_in: 'pending' });
    await app.runtime.mailWorker.drain();
    const link = linkOf((await catcher.waitFor((m) => m.envelope.to.includes('kept@example.com'))).text);
    expect((await app.proxy('/confirm', form(Object.fromEntries(link.searchParams)))).status).toBe(200);
    await app.runtime.worker.drain();
    const lead = await app.runtime.storage.db.selectFrom('leads').select(['doi_confirmed_at', 'status']).where('id', '=', id).executeTakeFirstOrThrow();
    const after = (await app.customerByEmail('kept@example.com')) as Customer;
    expect(after.defaultEmailAddress).toMatchObject({ marketingState: 'SUBSCRIBED', marketingOptInLevel: 'CONFIRMED_OPT_IN' });
    expect(Date.parse(after.defaultEmailAddress.marketingUpdatedAt!)).toBe(Date.parse(lead.doi_confirmed_at!));
    expect(lead.status).toBe('synced');
    expect(await listed()).toMatchObject({ status: 'synced', double_opt_in: 'confirmed' });
  });
});
