import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeadDetail } from '../schema/workspace-api.js';
import { ENGINES } from './helpers/databases.js';
import { SHOP, type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';

/**
 * Issue 12 §4: WhatsApp marketing consent asked by the form (its own wording, empty = not asked), recorded in the ledger
 * with what the shopper saw, written with the 2026-07/2026-10 mutation for consenting leads with a phone, and read back
 * on the customer's phone number (CustomerPhoneNumber.whatsAppMarketingConsent) in the Admin API emulator.
 */
describe.each(ENGINES)('WhatsApp consent from the contact form on %s', (engine) => {
  let t: TestApp | null;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => t?.close());

  const WORDING = 'Send me offers on WhatsApp.';
  // Shopify refuses a phone another customer holds: each shopper has their own.
  const phones = new Map<string, string>();
  const phoneFor = (email: string) => phones.get(email) ?? phones.set(email, `+33 6 12 34 56 ${String(10 + phones.size)}`).get(email)!;
  const submit = (email: string, over: Record<string, unknown> = {}) =>
    t!.proxy(
      '/submit',
      jsonPost({
        email,
        phone: phoneFor(email),
        email_marketing_consent: true,
        whatsapp_marketing_consent: true,
        whatsapp_consent_text: WORDING,
        locale: 'fr',
        page: '/pages/contact',
        rendered_at: Date.now() - 10_000,
        ...over,
      }),
    );
  const ledgerOf = (leadId: string) =>
    t!.runtime.storage.db
      .selectFrom('consent_records')
      .select(['channel', 'granted', 'text', 'text_sha256', 'locale', 'source'])
      .where('lead_id', '=', leadId)
      .orderBy('channel')
      .execute();
  const phoneOf = async (email: string) =>
    (
      (await t!.customerByEmail(email)) as {
        defaultPhoneNumber: { phoneNumber: string; whatsAppMarketingConsent: { state: string; optInLevel: string | null } };
      }
    ).defaultPhoneNumber;
  const detailOf = async (id: string) => {
    const response = await t!.runtime.app.request(`/api/leads/${id}`, { headers: { authorization: `Bearer ${await t!.staffToken('owner')}` } });
    return (await response.json()) as LeadDetail;
  };

  it('records the wording, locale and page in the ledger, subscribes the phone on WhatsApp and shows it on the lead', async (ctx) => {
    if (!t) return ctx.skip();
    const response = await submit('wa-yes@example.com');
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    const ledger = await ledgerOf(id);
    expect(ledger.map((r) => [r.channel, r.granted, r.text, r.locale, r.source])).toEqual([
      ['email', 1, null, 'fr', 'storefront_contact_form'],
      ['whatsapp', 1, WORDING, 'fr', 'storefront_contact_form'],
    ]);
    expect(ledger[1]!.text_sha256).toMatch(/^[0-9a-f]{64}$/);
    await t.runtime.worker.drain();
    const phone = await phoneOf('wa-yes@example.com');
    expect(phone.phoneNumber).toBe(phoneFor('wa-yes@example.com').replaceAll(' ', ''));
    expect(phone.whatsAppMarketingConsent).toMatchObject({ state: 'SUBSCRIBED', optInLevel: 'SINGLE_OPT_IN' });
    const detail = await detailOf(id);
    expect(detail.lead).toMatchObject({ status: 'synced', whatsapp_consent: true, sms_consent: false });
    expect(detail.consent.map((c) => c.channel).sort()).toEqual(['email', 'whatsapp']);
  });

  it('records a box offered and left unticked as a refusal, and never writes WhatsApp consent for it', async (ctx) => {
    if (!t) return ctx.skip();
    const response = await submit('wa-no@example.com', { whatsapp_marketing_consent: false });
    const { id } = (await response.json()) as { id: string };
    expect((await ledgerOf(id)).map((r) => [r.channel, r.granted])).toEqual([
      ['email', 1],
      ['whatsapp', 0],
    ]);
    await t.runtime.worker.drain();
    expect((await phoneOf('wa-no@example.com')).whatsAppMarketingConsent.state).toBe('NEVER_SUBSCRIBED');
    expect((await detailOf(id)).lead.whatsapp_consent).toBe(false);
  });

  it('adds no WhatsApp record when the block does not ask (no wording, no box)', async (ctx) => {
    if (!t) return ctx.skip();
    const response = await submit('wa-unasked@example.com', { whatsapp_marketing_consent: undefined, whatsapp_consent_text: undefined });
    const { id } = (await response.json()) as { id: string };
    expect((await ledgerOf(id)).map((r) => r.channel)).toEqual(['email']);
  });

  it('needs a phone number: without one the request is refused and nothing is stored', async (ctx) => {
    if (!t) return ctx.skip();
    const before = await t.runtime.storage.db
      .selectFrom('leads')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const response = await submit('wa-nophone@example.com', { phone: '' });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { fields?: Record<string, { code: string }> };
    expect(body.fields?.phone?.code).toBe('required');
    const after = await t.runtime.storage.db
      .selectFrom('leads')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('never reaches Shopify without email consent, WhatsApp box or not (consent gates Shopify)', async (ctx) => {
    if (!t) return ctx.skip();
    const response = await submit('wa-noemail@example.com', { email_marketing_consent: false });
    const { id } = (await response.json()) as { id: string };
    await t.runtime.worker.drain();
    expect(await t.customerByEmail('wa-noemail@example.com')).toBeNull();
    expect((await ledgerOf(id)).map((r) => [r.channel, r.granted])).toEqual([
      ['email', 0],
      ['whatsapp', 1],
    ]);
  });

  it('does not re-subscribe a customer who unsubscribed from WhatsApp when the submission is not theirs, and says so', async (ctx) => {
    if (!t) return ctx.skip();
    const first = (await (await submit('wa-out@example.com')).json()) as { id: string };
    await t.runtime.worker.drain();
    const customer = (await t.customerByEmail('wa-out@example.com')) as { id: string };
    // The customer unsubscribes in Shopify (as from a WhatsApp "stop").
    const held = t.emulator.shopData(SHOP)!.customers.get(customer.id)!;
    held.whatsAppConsent = { marketingState: 'UNSUBSCRIBED', marketingOptInLevel: 'SINGLE_OPT_IN', consentUpdatedAt: new Date().toISOString() };
    const again = (await (await submit('wa-out@example.com', { idempotency_key: 'wa-out-second-1' })).json()) as { id: string };
    expect(again.id).not.toBe(first.id);
    await t.runtime.worker.drain();
    expect((await phoneOf('wa-out@example.com')).whatsAppMarketingConsent.state).toBe('UNSUBSCRIBED');
    const detail = await detailOf(again.id);
    expect(detail.lead.sync_warnings).toContainEqual(expect.objectContaining({ field: 'whatsapp_consent', code: 'UNSUBSCRIBED' }));
  });
});
