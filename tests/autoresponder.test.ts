import { describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/databases.js';
import { withMailApp } from './helpers/mail.js';
import { jsonPost } from './helpers/runtime.js';

/**
 * The form's autoresponder over real SMTP: the merchant's wording or the app's default in the shopper's language,
 * never for quarantined leads, at most once per address and day, keyed by the address's keyed hash (not the address).
 */
describe.each(ENGINES)('autoresponder on %s', (engine) => {
  const startMailApp = withMailApp(engine);

  it('answers each address once a day, in its language or in the merchant words, never spam', async (ctx) => {
    const started = await startMailApp();
    if (!started) return ctx.skip();
    const { app: t, catcher } = started;
    const app = t;
    const db = app.runtime.storage.db;
    const owner = { authorization: `Bearer ${await app.staffToken('owner')}`, 'content-type': 'application/json' };
    const put = (form: string, body: unknown) =>
      app.runtime.app.request(`/api/settings/forms/${form}/mail`, { method: 'PUT', headers: owner, body: JSON.stringify(body) });
    for (const bad of [
      {},
      { autoreply: { enabled: 'yes', subject: null, text: null } },
      { autoreply: { enabled: true, subject: 'two\nlines', text: null } },
      { autoreply: { enabled: true, subject: null, text: 'x'.repeat(5001) } },
    ]) {
      const response = await put('contact-main', bad);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe('invalid_notifications');
    }
    const manager = await app.runtime.app.request('/api/settings/forms/contact-main/mail', {
      method: 'PUT',
      headers: { authorization: `Bearer ${await app.staffToken('manager')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ autoreply: { enabled: true, subject: null, text: null } }),
    });
    expect(manager.status).toBe(403);
    expect(await db.selectFrom('form_mail_settings').select('form_id').execute()).toHaveLength(0);

    // The default text, in the shopper's language.
    const on = await put('contact-main', { autoreply: { enabled: true, subject: null, text: null } });
    expect(await on.json()).toMatchObject({ mode: 'off', notifyTo: [], autoreply: { enabled: true, subject: null, text: null } });
    const submit = async (fields: Record<string, unknown>) => {
      const response = await app.proxy('/submit', jsonPost({ form_id: 'contact-main', rendered_at: Date.now() - 10_000, ...fields }));
      expect(response.status).toBe(202);
      return ((await response.json()) as { id: string }).id;
    };
    await submit({ email: 'lena@example.com', first_name: 'Lena', message: 'Hallo', locale: 'de-DE' });
    // The same address again the same day (another case): no second answer.
    await submit({ email: 'Lena@Example.com', message: 'Noch eine Frage', locale: 'de-DE' });
    // Spam is never answered.
    await submit({ email: 'bot@example.com', message: 'spam', website: 'http://spam.example' });
    // Another form without an autoresponder.
    await submit({ email: 'sam@example.com', form_id: 'other-form', message: 'hi' });
    await app.runtime.mailWorker.drain();
    expect(catcher.messages.map((m) => m.envelope.to[0])).toEqual(['lena@example.com']);
    const german = catcher.messages[0]!;
    expect(german.subject).toMatch(/^Wir haben Ihre Nachricht erhalten – \S/);
    expect(german.text).toContain('Hallo Lena,');
    expect(german.text).toContain('Vielen Dank für Ihre Nachricht');
    expect(german.headers.find(([k]) => k.toLowerCase() === 'auto-submitted')?.[1]).toBe('auto-generated');
    // Deduplicated by the keyed hash: the address itself is in no key.
    const keys = await db.selectFrom('mail_messages').select('event_key').where('template', '=', 'autoreply').execute();
    expect(keys).toHaveLength(1);
    expect(keys[0]!.event_key).not.toMatch(/lena|example/i);

    // The merchant's words, with the shop's Reply-To; values escaped in HTML.
    await app.runtime.app.request('/api/settings/mail', {
      method: 'PUT',
      headers: owner,
      body: JSON.stringify({ from: 'hello@shop.example', fromName: 'Élégance', replyTo: 'support@shop.example' }),
    });
    expect(
      (await put('contact-main', { autoreply: { enabled: true, subject: 'Merci {{name}} !', text: 'Bonjour de {{shop}} <b>&</b>.\n\nÀ bientôt.' } })).status,
    ).toBe(200);
    await submit({ email: 'marie@example.com', first_name: '<Marie>', locale: 'fr' });
    await app.runtime.mailWorker.drain();
    const french = catcher.messages.find((m) => m.envelope.to[0] === 'marie@example.com')!;
    expect(french.subject).toBe('Merci <Marie> !');
    expect(french.html).toContain('Bonjour de Élégance &lt;b&gt;&amp;&lt;/b&gt;.');
    expect(french.html).toContain('Bonjour &lt;Marie&gt;,');
    expect(french.text).toContain('À bientôt.');
    expect(french.headers.find(([k]) => k.toLowerCase() === 'reply-to')?.[1]).toContain('support@shop.example');

    // Turned off: no answer.
    expect((await put('contact-main', { autoreply: { enabled: false, subject: null, text: null } })).status).toBe(200);
    await submit({ email: 'paul@example.com' });
    await app.runtime.mailWorker.drain();
    expect(catcher.messages.some((m) => m.envelope.to[0] === 'paul@example.com')).toBe(false);
  });
});
