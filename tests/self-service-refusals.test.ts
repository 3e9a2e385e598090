import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';

/**
 * The self-service page posts plain HTML forms: when a post is refused, the shopper reads why in their language, on
 * a page, with the status kept and the reason in data-reason; never a JSON body with identifiers and field names.
 */
describe("self-service refusals read as words in the shopper's language", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = (await startTestApp('sqlite'))!; // SQLite is always there; only PostgreSQL may be missing.
    t.emulator.shopData('contact-capture-dev.myshopify.com')?.addCustomer({ email: 'refused@example.com', firstName: 'Refus' }, 8301);
  });
  afterAll(async () => t?.close());

  const form = (fields: Record<string, string>, accept = 'text/html'): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept },
    body: new URLSearchParams(fields).toString(),
  });
  const tokenOf = async (customerId: string) =>
    /name="token" value="([0-9a-f]{64})"/.exec(await (await t.proxy('/privacy', { customerId, query: { locale: 'fr' } })).text())?.[1] ?? '';

  it('an expired form, in French', async () => {
    const response = await t.proxy('/privacy/delete', { ...form({ token: 'ab'.repeat(32), confirm: 'on', locale: 'fr' }), customerId: '8301' });
    expect(response.status).toBe(403);
    const html = await response.text();
    expect(html).toContain('data-reason="invalid_form_token"');
    expect(html).toContain('Cette page a expiré. Rechargez-la et réessayez.');
    expect(html).not.toMatch(/"error"|This page has expired/);
  });

  it('a phone that is not one names the field in French, with a non-breaking space before the colon', async () => {
    const sent = await t.proxy('/submit', {
      ...jsonPost({
        email: 'refused@example.com',
        first_name: 'Refus',
        message: 'Bonjour',
        email_marketing_consent: false,
        locale: 'fr',
        page: '/pages/contact',
        form_id: 'contact',
        rendered_at: Date.now() - 10_000,
      }),
      customerId: '8301',
    });
    expect(sent.status).toBe(202);
    const token = await tokenOf('8301');
    expect(token).not.toBe('');
    const response = await t.proxy('/privacy/correct', {
      ...form({ token, first_name: 'Refus', last_name: '', phone: 'pas un numéro', locale: 'fr' }),
      customerId: '8301',
    });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain('Veuillez corriger les points suivants\u00a0:');
    expect(html).toContain('<li>Téléphone\u00a0: Saisissez un numéro avec l’indicatif du pays');
    expect(html).not.toMatch(/[>"\s]phone\b|invalid_phone/);
  });

  it('an unticked box, in German', async () => {
    const token = await tokenOf('8301');
    const response = await t.proxy('/privacy/delete', { ...form({ token, locale: 'de' }), customerId: '8301' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Setzen Sie das Häkchen');
  });

  it('a script asking for JSON still gets the reason as JSON', async () => {
    const response = await t.proxy('/privacy/delete', { ...form({ token: 'ab'.repeat(32), confirm: 'on' }, 'application/json'), customerId: '8301' });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: 'invalid_form_token' });
  });
});
