import { describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/databases.js';
import { withMailApp } from './helpers/mail.js';
import { jsonPost } from './helpers/runtime.js';

/** New-lead notifications per form, over real SMTP: to the form's staff, in the shop's language, never for spam. */
describe.each(ENGINES)('staff notifications on %s', (engine) => {
  const startMailApp = withMailApp(engine);

  it('mails each recipient of the form a summary with a link, in the shop language; quarantined leads are not notified', async (ctx) => {
    const started = await startMailApp();
    if (!started) return ctx.skip();
    const { app: t, catcher } = started;
    const app = t;
    const owner = { authorization: `Bearer ${await app.staffToken('owner')}`, 'content-type': 'application/json' };
    const put = (form: string, body: unknown) =>
      app.runtime.app.request(`/api/settings/forms/${form}/mail`, { method: 'PUT', headers: owner, body: JSON.stringify(body) });
    // Bad input writes nothing; managers do not change who is notified.
    for (const bad of [
      { notifyTo: ['not-an-address'], mode: 'each' },
      { notifyTo: ['a@b.example'], mode: 'sometimes' },
      { notifyTo: Array(6).fill('a@b.example'), mode: 'each' },
    ]) {
      const response = await put('contact-main', bad);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe('invalid_notifications');
    }
    expect((await put('bad%20form', { notifyTo: [], mode: 'off' })).status).toBe(400);
    const manager = await app.runtime.app.request('/api/settings/forms/contact-main/mail', {
      headers: { authorization: `Bearer ${await app.staffToken('manager')}` },
    });
    expect(manager.status).toBe(403);
    expect((await put('contact-main', { notifyTo: ['sales@shop.example', 'owner@shop.example'], mode: 'each' })).status).toBe(200);
    expect(await (await app.runtime.app.request('/api/settings/forms/contact-main/mail', { headers: owner })).json()).toEqual({
      form: 'contact-main',
      notifyTo: ['sales@shop.example', 'owner@shop.example'],
      mode: 'each',
      autoreply: { enabled: false, subject: null, text: null },
    });

    const submit = async (fields: Record<string, unknown>) => {
      const response = await app.proxy('/submit', jsonPost({ form_id: 'contact-main', rendered_at: Date.now() - 10_000, ...fields }));
      expect(response.status).toBe(202);
      return ((await response.json()) as { id: string }).id;
    };
    const id = await submit({ email: 'pierre@example.com', first_name: '<Pierre>', message: 'J’ai déménagé & <b>voilà</b>' });
    await submit({ email: 'bot@example.com', message: 'spam', website: 'http://spam.example' });
    await submit({ email: 'other@example.com', form_id: 'other-form', message: 'not this form' });
    await app.runtime.mailWorker.drain();
    expect(catcher.messages.map((m) => m.envelope.to[0]).sort()).toEqual(['owner@shop.example', 'sales@shop.example']);
    const mail = catcher.messages[0]!;
    expect(mail.subject).toBe('New lead from contact-main: <Pierre>');
    expect(mail.html).toContain('&lt;Pierre&gt;');
    expect(mail.html).toContain('J’ai déménagé &amp; &lt;b&gt;voilà&lt;/b&gt;');
    expect(mail.html).not.toMatch(/<img|<script/i);
    expect(mail.text).toContain(`/app?lead=${id}`);

    // The shop's staff language.
    const sender = await app.runtime.app.request('/api/settings/mail', {
      method: 'PUT',
      headers: owner,
      body: JSON.stringify({ from: 'hello@shop.example', fromName: 'Élégance', locale: 'fr' }),
    });
    expect(sender.status).toBe(200);
    await submit({ email: 'marie@example.com', first_name: 'Marie' });
    await app.runtime.mailWorker.drain();
    const french = catcher.messages.filter((m) => m.subject.includes('Marie'));
    expect(french.map((m) => m.subject)).toEqual(['Nouveau prospect via contact-main : Marie', 'Nouveau prospect via contact-main : Marie']);
    expect(french[0]!.from).toContain('hello@shop.example');
  });
});
