import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';
import { signedWebhook } from './helpers/webhook.js';

/**
 * Issue 12 §4, the part that does not need the form: a consent change Shopify reports for the phone number's channels
 * (SMS, and WhatsApp since 2026-07) is appended to the ledger of every lead of that customer, one record per channel,
 * and the original proof stays.
 */
describe('consent webhooks append each phone channel to the ledger', () => {
  let t: TestApp | null;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
  });
  afterAll(async () => t?.close());

  const ledgerOf = (leadId: string) =>
    t!.runtime.storage.db
      .selectFrom('consent_records')
      .select(['channel', 'granted', 'source', 'opt_in_level'])
      .where('lead_id', '=', leadId)
      .orderBy('recorded_at')
      .orderBy('id')
      .execute();

  it('SMS and WhatsApp in one customers_marketing_consent/update become two records', async (ctx) => {
    if (!t) return ctx.skip();
    const phone = '+33612340099';
    const submitted = await t.proxy(
      '/submit',
      jsonPost({
        email: 'channels@example.com',
        phone,
        email_marketing_consent: true,
        consent_text: 'Email me news.',
        sms_marketing_consent: true,
        sms_consent_text: 'Text me offers.',
        rendered_at: Date.now() - 10_000,
      }),
    );
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as { id: string };
    const later = new Date(Date.now() + 1000).toISOString();
    const response = await t.runtime.app.request(
      '/webhooks/customers_marketing_consent/update',
      signedWebhook('customers_marketing_consent/update', {
        id: 424242,
        phone,
        sms_marketing_consent: { state: 'unsubscribed', opt_in_level: 'single_opt_in', consent_updated_at: later },
        whatsapp_marketing_consent: { state: 'subscribed', opt_in_level: 'single_opt_in', consent_updated_at: later },
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ leads: 1 });
    const ledger = await ledgerOf(id);
    // The form's two records share their time, so the ledger is compared as a set.
    expect(ledger.map((r) => [r.channel, r.granted, r.source]).sort()).toEqual([
      ['email', 1, 'storefront_contact_form'],
      ['sms', 0, 'shopify:unsubscribed'],
      ['sms', 1, 'storefront_contact_form'],
      ['whatsapp', 1, 'shopify:subscribed'],
    ]);
  });

  it('a payload with SMS only adds no WhatsApp record (the WhatsApp key is optional)', async (ctx) => {
    if (!t) return ctx.skip();
    const phone = '+33612340088';
    const { id } = (await (
      await t.proxy('/submit', jsonPost({ email: 'sms-only@example.com', phone, email_marketing_consent: true, rendered_at: Date.now() - 10_000 }))
    ).json()) as { id: string };
    const response = await t.runtime.app.request(
      '/webhooks/customers_marketing_consent/update',
      signedWebhook('customers_marketing_consent/update', {
        id: 434343,
        phone,
        sms_marketing_consent: { state: 'subscribed', opt_in_level: null, consent_updated_at: null },
      }),
    );
    expect(await response.json()).toMatchObject({ leads: 1 });
    expect((await ledgerOf(id)).map((r) => r.channel)).not.toContain('whatsapp');
  });
});
