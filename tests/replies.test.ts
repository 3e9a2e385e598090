import { describe, expect, it } from 'vitest';
import { customerPackage } from '../web/server/privacy/compliance.js';
import { ENGINES } from './helpers/databases.js';
import { withMailApp } from './helpers/mail.js';
import { SHOP, jsonPost } from './helpers/runtime.js';

/**
 * Replying to a lead from the workspace, over real SMTP: managers and owners only, one e-mail per client key (a double
 * click is one reply), from the shop's sender with its Reply-To, kept on the lead encrypted, audited, in the data
 * request package, and erased with the lead.
 */
describe.each(ENGINES)('replies to a lead on %s', (engine) => {
  const startMailApp = withMailApp(engine);

  it('sends one reply per key to the shopper, in their language, from the shop with Reply-To, and keeps it on the lead', async (ctx) => {
    const started = await startMailApp();
    if (!started) return ctx.skip();
    const { app: t, catcher } = started;
    const app = t;
    const db = app.runtime.storage.db;
    const auth = async (role: 'owner' | 'manager' | 'viewer') => ({
      authorization: `Bearer ${await app.staffToken(role)}`,
      'content-type': 'application/json',
    });
    const owner = await auth('owner');
    const manager = await auth('manager');
    const viewer = await auth('viewer');
    const submit = async (email: string, locale: string) => {
      const response = await app.proxy(
        '/submit',
        jsonPost({ email, first_name: 'Jürgen <J>', message: 'Wann öffnet ihr?', locale, rendered_at: Date.now() - 10_000 }),
      );
      expect(response.status).toBe(202);
      return ((await response.json()) as { id: string }).id;
    };
    const id = await submit('juergen@example.com', 'de-AT');
    const reply = (headers: Record<string, string>, body: unknown, lead = id) =>
      app.runtime.app.request(`/api/leads/${lead}/replies`, { method: 'POST', headers, body: JSON.stringify(body) });

    const settings = await app.runtime.app.request('/api/settings/mail', {
      method: 'PUT',
      headers: owner,
      body: JSON.stringify({ from: 'hello@shop.example', fromName: 'Élégance', replyTo: 'support@shop.example' }),
    });
    expect(settings.status).toBe(200);
    expect(((await settings.json()) as { replyTo: string }).replyTo).toBe('support@shop.example');
    expect(
      (
        await app.runtime.app.request('/api/settings/mail', {
          method: 'PUT',
          headers: owner,
          body: JSON.stringify({ from: 'hello@shop.example', fromName: 'É', replyTo: 'nope' }),
        })
      ).status,
    ).toBe(400);

    // Bad input is refused with its reason and writes nothing; viewers cannot reply; another shop's lead is not there.
    for (const bad of [
      { body: '', key: 'key-00000001' },
      { body: '   \n ', key: 'key-00000001' },
      { body: 'x'.repeat(10_001), key: 'key-00000001' },
      { body: 'bell \u0007', key: 'key-00000001' },
      { body: 'Hello', key: 'short' },
      { body: 'Hello' },
      'not an object',
    ]) {
      const response = await reply(manager, bad);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe('invalid_reply');
    }
    expect((await reply(viewer, { body: 'Hello', key: 'key-viewer-1' })).status).toBe(403);
    const elsewhere = await submit('other@example.com', 'fr');
    await db.updateTable('leads').set({ shop: 'another-shop.myshopify.com' }).where('id', '=', elsewhere).execute();
    const foreign = await reply(manager, { body: 'Hello', key: 'key-foreign-1' }, elsewhere);
    expect(foreign.status).toBe(404);
    expect(((await foreign.json()) as { error: string }).error).toBe('lead_not_found');
    expect((await reply(manager, { body: 'Hello', key: 'key-missing-1' }, 'no-such-lead')).status).toBe(404);
    expect(await db.selectFrom('mail_messages').select('id').where('template', '=', 'reply').execute()).toHaveLength(0);
    expect(await db.selectFrom('lead_notes').select('id').execute()).toHaveLength(0);

    // A double click: the same key twice is one reply and one e-mail.
    const text = 'Guten Tag,\n\nwir öffnen um 9 Uhr & <b>freuen</b> uns.';
    const first = await reply(manager, { body: text, key: 'reply-abc-123' });
    expect(first.status).toBe(201);
    const entry = (await first.json()) as { id: string; kind: string; mail_id: string; body: string };
    expect(entry).toMatchObject({ kind: 'reply', body: text.trim() });
    const again = await reply(manager, { body: text, key: 'reply-abc-123' });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(entry.id);
    // Never sent in the request path.
    expect(catcher.messages).toHaveLength(0);
    await app.runtime.mailWorker.drain();
    const replies = catcher.messages.filter((m) => m.envelope.to[0] === 'juergen@example.com');
    expect(replies).toHaveLength(1);
    const mail = replies[0]!;
    expect(mail.subject).toBe('Re: Ihre Nachricht an Élégance');
    expect(mail.from).toContain('hello@shop.example');
    expect(mail.headers.find(([k]) => k.toLowerCase() === 'reply-to')?.[1]).toContain('support@shop.example');
    expect(mail.html).toContain('Hallo Jürgen &lt;J&gt;,');
    expect(mail.html).toContain('&amp; &lt;b&gt;freuen&lt;/b&gt;');
    expect(mail.text).toContain('wir öffnen um 9 Uhr & <b>freuen</b> uns.');
    // A second reply with its own key is a second e-mail; the owner may reply too.
    expect((await reply(owner, { body: 'Noch etwas.', key: 'reply-abc-456' })).status).toBe(201);
    await app.runtime.mailWorker.drain();
    expect(catcher.messages.filter((m) => m.envelope.to[0] === 'juergen@example.com')).toHaveLength(2);

    // On the lead, as a thread entry with its e-mail's status; the body is encrypted at rest.
    const detail = (await (await app.runtime.app.request(`/api/leads/${id}`, { headers: manager })).json()) as {
      notes: { id: string; kind: string; body: string; mail_id: string }[];
      mail: { id: string; template: string; status: string }[];
    };
    expect(detail.notes.map((n) => [n.kind, n.body])).toEqual([
      ['reply', text.trim()],
      ['reply', 'Noch etwas.'],
    ]);
    expect(detail.mail.find((m) => m.id === entry.mail_id)).toMatchObject({ template: 'reply', status: 'sent' });
    const raw = await db.withoutPlugins().selectFrom('lead_notes').select('body').execute();
    for (const r of raw) expect(r.body).not.toContain('Noch');
    const viewerDetail = (await (await app.runtime.app.request(`/api/leads/${id}`, { headers: viewer })).json()) as { notes: unknown[] };
    expect(viewerDetail.notes).toEqual([]);

    // Audited, without the text.
    const audit = await db.selectFrom('audit_log').select(['action', 'lead_id', 'user_id', 'detail']).where('action', '=', 'reply').execute();
    expect(audit.map((a) => [a.lead_id, a.user_id])).toEqual([
      [id, '2'],
      [id, '1'],
    ]);
    for (const a of audit) expect(a.detail ?? '').not.toContain('Noch');

    // In the customer's data request package, and erased with the lead.
    const pack = await customerPackage(db, SHOP, { email: 'juergen@example.com' }, app.runtime.lookupHash);
    expect(pack.notes.map((n) => [n.kind, n.body])).toEqual([
      ['reply', text.trim()],
      ['reply', 'Noch etwas.'],
    ]);
    expect((await app.runtime.app.request(`/api/leads/${id}`, { method: 'DELETE', headers: manager })).status).toBe(204);
    expect(await db.selectFrom('lead_notes').select('id').execute()).toHaveLength(0);
    expect(await db.selectFrom('mail_messages').select('id').where('lead_id', '=', id).execute()).toHaveLength(0);
  });
});
