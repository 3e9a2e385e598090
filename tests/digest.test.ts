import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../web/server/core/ids.js';
import { MailWorker } from '../web/server/jobs/mail-worker.js';
import { digestKey, digestPeriod, parseDigestKey, queueDigests } from '../web/server/leads/digest.js';
import { renderMail } from '../web/server/mail/templates.js';
import { createMailer } from '../web/server/mail/transport.js';
import { type Storage, openStorage } from '../web/server/storage/database.js';
import { ENGINES } from './helpers/databases.js';
import { withMailApp } from './helpers/mail.js';
import { SHOP, type TestApp, jsonPost } from './helpers/runtime.js';

describe('digest periods', () => {
  it('are UTC hours and days, and the job key names its form and period and nothing else', () => {
    const at = Date.parse('2026-11-30T13:59:59.999Z');
    expect(digestPeriod('hourly', at)).toEqual({ mode: 'hourly', start: '2026-11-30T13:00:00.000Z', end: '2026-11-30T14:00:00.000Z' });
    expect(digestPeriod('hourly', at + 1).start).toBe('2026-11-30T14:00:00.000Z');
    expect(digestPeriod('daily', at)).toEqual({ mode: 'daily', start: '2026-11-30T00:00:00.000Z', end: '2026-12-01T00:00:00.000Z' });
    const key = digestKey('contact-main', digestPeriod('daily', at));
    expect(key).toBe('digest:daily:2026-11-30T00:00:00.000Z:contact-main');
    expect(parseDigestKey(key)).toEqual({ form: 'contact-main', period: digestPeriod('daily', at) });
    expect(parseDigestKey(digestKey('', digestPeriod('hourly', at)))?.form).toBe('');
    // A start that is not a period's start, or a form id the settings would refuse, is no digest.
    expect(parseDigestKey('digest:daily:2026-11-30T13:00:00.000Z:contact-main')).toBeNull();
    expect(parseDigestKey('digest:hourly:2026-11-30T13:00:00.000Z:a b')).toBeNull();
    expect(parseDigestKey(null)).toBeNull();
  });

  it('render every value escaped in the HTML part, in the shop language, with no remote content', () => {
    const params = {
      form: 'contact-main',
      mode: 'hourly',
      start: '2026-11-30T13:00:00.000Z',
      end: '2026-11-30T14:00:00.000Z',
      leads: [{ name: '<Pierre>', email: 'p@example.com', message: 'J’ai <b>deux</b> & trois\nlignes', link: 'https://shop.example/app?lead=1&x="y"' }],
      more: 0,
      quarantined: 2,
    };
    const en = renderMail('digest', 'en', params, 'Shop <&>');
    expect(en.subject).toBe('1 new lead from contact-main – November 30, 2026, 13:00–14:00 UTC');
    expect(en.html).toContain('&lt;Pierre&gt;');
    expect(en.html).toContain('J’ai &lt;b&gt;deux&lt;/b&gt; &amp; trois<br>lignes');
    expect(en.html).toContain('href="https://shop.example/app?lead=1&amp;x=&quot;y&quot;"');
    expect(en.html).toContain('Shop &lt;&amp;&gt;');
    expect(en.html).not.toMatch(/<img|<script|src=|url\(/i);
    expect(en.text).toContain('2 leads of this period were put in quarantine');
    expect(en.text).toContain('<Pierre>');
    const fr = renderMail('digest', 'fr', { ...params, mode: 'daily', start: '2026-11-30T00:00:00.000Z', end: '2026-12-01T00:00:00.000Z' }, 'Boutique');
    expect(fr.subject).toBe('1 nouveau prospect via contact-main – 30 novembre 2026 (UTC)');
    expect(fr.text).toContain('2 prospects de cette période ont été mis en quarantaine');
    expect(fr.language).toBe('fr');
    // A digest that also lists leads of earlier periods (a late commit, a switch from daily to hourly) names them all.
    const wider = { ...params, start: '2026-11-29T22:00:00.000Z', end: '2026-11-30T01:00:00.000Z' };
    expect(renderMail('digest', 'en', wider, 'Shop').subject).toBe('1 new lead from contact-main – November 29, 2026, 22:00 – November 30, 2026, 01:00 UTC');
    expect(renderMail('digest', 'en', { ...params, start: '2026-11-30T10:00:00.000Z' }, 'Shop').subject).toMatch(/November 30, 2026, 10:00–14:00 UTC$/);
    const days = { ...params, mode: 'daily', start: '2026-11-29T00:00:00.000Z', end: '2026-12-01T00:00:00.000Z' };
    expect(renderMail('digest', 'fr', days, 'Boutique').subject).toBe('1 nouveau prospect via contact-main – 29 novembre 2026 – 30 novembre 2026 (UTC)');
  });
});

/**
 * Digests over real SMTP on each engine: a lead in an hourly or daily form sends nothing by itself; its period's one
 * job, once due, mails each recipient the period's leads (quarantined ones counted, never listed), exactly once however
 * many workers and retries; an empty period sends nothing.
 */
describe.each(ENGINES)('mail digests on %s', (engine) => {
  const startMailApp = withMailApp(engine);
  const cleanups: (() => Promise<void> | void)[] = [];
  const logLines: string[] = [];
  afterEach(async () => {
    for (const clean of cleanups.splice(0).reverse()) await clean();
    logLines.length = 0;
  });

  const start = (env: Record<string, string> = {}) =>
    startMailApp({ MAIL_RETRY_BASE_MS: '10', ...env }, pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }));

  const owner = async (app: TestApp) => ({ authorization: `Bearer ${await app.staffToken('owner')}`, 'content-type': 'application/json' });

  async function setForm(app: TestApp, body: unknown, form = 'contact-main') {
    const response = await app.runtime.app.request(`/api/settings/forms/${form}/mail`, {
      method: 'PUT',
      headers: await owner(app),
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
  }

  async function submit(app: TestApp, fields: Record<string, unknown>): Promise<string> {
    const response = await app.proxy('/submit', jsonPost({ form_id: 'contact-main', rendered_at: Date.now() - 10_000, ...fields }));
    expect(response.status).toBe(202);
    return ((await response.json()) as { id: string }).id;
  }

  const digestJobs = (app: TestApp) =>
    app.runtime.storage.db.selectFrom('outbox_jobs').selectAll().where('kind', '=', 'mail_digest').orderBy('created_at').execute();

  /** What the clock would do at the end of the period: the digest jobs become due now. */
  const periodOver = (app: TestApp) =>
    app.runtime.storage.db
      .updateTable('outbox_jobs')
      .set({ run_after: new Date(Date.now() - 1000).toISOString() })
      .where('kind', '=', 'mail_digest')
      .where('state', '=', 'pending')
      .execute();

  it('sends one digest per recipient for the period, listing its leads and counting quarantined ones, once across two workers and a retry', async (ctx) => {
    const file = join(tmpdir(), `digest-two-workers-${process.pid}-${Date.now()}.sqlite`);
    const started = await start(engine === 'sqlite' ? { DATABASE_URL: `sqlite:${file}` } : {});
    if (!started) return ctx.skip();
    if (engine === 'sqlite') cleanups.push(() => rmSync(file, { force: true }));
    const { app, catcher: mailbox } = started;
    await setForm(app, { notifyTo: ['sales@shop.example'], mode: 'daily' });

    const pierre = await submit(app, { email: 'pierre@example.com', first_name: '<Pierre>', message: 'J’ai <b>deux</b> & trois' });
    const anna = await submit(app, { email: 'anna@example.com', first_name: 'Anna', message: 'Hello' });
    await submit(app, { email: 'bot@example.com', message: 'spam', website: 'http://spam.example' });
    await submit(app, { email: 'other@example.com', form_id: 'other-form', message: 'not this form' });
    // Nothing goes out by itself: the leads wait for their period's digest, one job for all three.
    await app.runtime.mailWorker.drain();
    expect(mailbox.messages).toHaveLength(0);
    const jobs = await digestJobs(app);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ state: 'pending', lead_id: null, idempotency_key: digestKey('contact-main', digestPeriod('daily', Date.now())) });
    expect(Date.parse(jobs[0]!.run_after)).toBeGreaterThan(Date.now());

    // Another instance queueing the same period (its own connection) finds the job there and adds none.
    const other: Storage = await openStorage(app.config.databaseUrl, app.config.keyring);
    cleanups.push(() => other.close());
    const lead = await other.db.selectFrom('leads').selectAll().where('id', '=', anna).executeTakeFirstOrThrow();
    const settings = await other.db.selectFrom('form_mail_settings').select(['shop', 'form_id', 'notify_mode']).execute();
    await Promise.all([
      other.db.transaction().execute((trx) => queueDigests(trx, [lead], settings)),
      app.runtime.storage.db.transaction().execute((trx) => queueDigests(trx, [lead], settings)),
    ]);
    expect(await digestJobs(app)).toHaveLength(1);

    // The period ends; two workers on the same database race for it.
    await periodOver(app);
    const otherMailer = createMailer({ smtpUrl: app.config.mail.smtpUrl!, timeoutMs: 5000 });
    cleanups.push(() => otherMailer.close());
    const second = new MailWorker({
      db: other.db,
      engine: other.engine,
      mailer: otherMailer,
      log: pino({ level: 'silent' }),
      workspaceLink: (shop, id) => `${app.config.appUrl}/app?lead=${encodeURIComponent(id)}`,
    });
    await Promise.all([app.runtime.mailWorker.drain(), second.drain(), app.runtime.mailWorker.drain(), second.drain()]);
    await Promise.all([app.runtime.mailWorker.drain(), second.drain()]);
    expect(mailbox.messages).toHaveLength(1);
    const mail = mailbox.messages[0]!;
    expect(mail.envelope.to).toEqual(['sales@shop.example']);
    expect(mail.subject).toMatch(/^2 new leads from contact-main – .+ \(UTC\)$/);
    expect(mail.html).toContain('&lt;Pierre&gt;');
    expect(mail.html).toContain('J’ai &lt;b&gt;deux&lt;/b&gt; &amp; trois');
    expect(mail.html).not.toMatch(/<img|<script/i);
    for (const id of [pierre, anna]) expect(mail.text).toContain(`/app?lead=${id}`);
    // The quarantined lead is counted, never listed; the other form's lead is not this digest's.
    expect(mail.text).toContain('1 lead of this period was put in quarantine');
    expect(mail.text).not.toContain('bot@example.com');
    expect(mail.text).not.toContain('other@example.com');
    expect(mail.text.indexOf('<Pierre>')).toBeLessThan(mail.text.indexOf('Anna'));

    // A retry of the job (as after a lost lease) queues nothing new.
    await app.runtime.storage.db
      .updateTable('outbox_jobs')
      .set({ state: 'pending', lease_until: null, run_after: new Date(Date.now() - 1000).toISOString() })
      .where('kind', '=', 'mail_digest')
      .execute();
    await app.runtime.mailWorker.drain();
    expect(mailbox.messages).toHaveLength(1);
    expect((await digestJobs(app)).map((j) => j.state)).toEqual(['done']);
    const stored = await app.runtime.storage.db.selectFrom('mail_messages').selectAll().where('template', '=', 'digest').execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ status: 'sent', lead_id: null });
    // The queued mail holds ids and links, not the leads' names or messages.
    expect(stored[0]!.params).not.toContain('Pierre');
    // No address in the server log.
    expect(logLines.join('')).not.toMatch(/sales@shop\.example|pierre@example\.com/);
  });

  it('sends nothing for an empty period, nor once the form stopped sending digests', async (ctx) => {
    const started = await start();
    if (!started) return ctx.skip();
    const { app, catcher: mailbox } = started;
    await setForm(app, { notifyTo: ['sales@shop.example'], mode: 'hourly' });
    // Leads of other forms make no digest for this one.
    await submit(app, { email: 'elsewhere@example.com', form_id: 'other-form' });
    expect(await digestJobs(app)).toHaveLength(0);
    // A period whose only lead was deleted before its end is empty when the digest looks.
    const gone = await submit(app, { email: 'gone@example.com', first_name: 'Gone' });
    const deleted = await app.runtime.app.request(`/api/leads/${gone}`, { method: 'DELETE', headers: await owner(app) });
    expect(deleted.status).toBe(204);
    await periodOver(app);
    await app.runtime.mailWorker.drain();
    expect(mailbox.messages).toHaveLength(0);
    expect((await digestJobs(app)).map((j) => j.state)).toEqual(['done']);
    expect(await app.runtime.storage.db.selectFrom('mail_messages').select('id').execute()).toHaveLength(0);

    // Switched off before the period ends: the pending digest sends nothing.
    await app.runtime.storage.db.deleteFrom('outbox_jobs').where('kind', '=', 'mail_digest').execute();
    await submit(app, { email: 'late@example.com', first_name: 'Late' });
    await setForm(app, { mode: 'off' });
    await periodOver(app);
    await app.runtime.mailWorker.drain();
    expect(mailbox.messages).toHaveLength(0);
  });

  /** How many of the mails sent so far list this lead (by its workspace link). */
  const listings = (mails: ReadonlyArray<{ text: string }>, id: string) => mails.filter((m) => m.text.includes(`/app?lead=${id}`)).length;

  it('lists each lead in exactly one digest when the form switches between hourly and daily mid-period', async (ctx) => {
    const started = await start();
    if (!started) return ctx.skip();
    const { app, catcher: mailbox } = started;
    await setForm(app, { notifyTo: ['sales@shop.example'], mode: 'hourly' });
    const first = await submit(app, { email: 'first@example.com', first_name: 'First' });
    await setForm(app, { mode: 'daily' });
    const second = await submit(app, { email: 'second@example.com', first_name: 'Second' });
    await setForm(app, { mode: 'hourly' });
    const third = await submit(app, { email: 'third@example.com', first_name: 'Third' });
    // The hourly and the daily job are both queued; each ends with its period.
    expect((await digestJobs(app)).map((j) => j.idempotency_key!.split(':')[1]).sort()).toEqual(['daily', 'hourly']);
    await periodOver(app);
    await app.runtime.mailWorker.drain();
    await app.runtime.mailWorker.drain();
    expect(mailbox.messages.length).toBeGreaterThan(0);
    for (const id of [first, second, third]) expect(listings(mailbox.messages, id), id).toBe(1);
  });

  it('lists a lead of a daily digest once when the form switches to hourly later that day', async (ctx) => {
    const started = await start();
    if (!started) return ctx.skip();
    const { app, catcher: mailbox } = started;
    await setForm(app, { notifyTo: ['sales@shop.example'], mode: 'daily' });
    const morning = await submit(app, { email: 'morning@example.com', first_name: 'Morning' });
    // Received at the day's first moment: hours before the switch.
    const day = digestPeriod('daily', Date.now()).start;
    await app.runtime.storage.db.updateTable('leads').set({ created_at: day }).where('id', '=', morning).execute();
    await setForm(app, { mode: 'hourly' });
    const afternoon = await submit(app, { email: 'afternoon@example.com', first_name: 'Afternoon' });
    await periodOver(app);
    await app.runtime.mailWorker.drain();
    await app.runtime.mailWorker.drain();
    for (const id of [morning, afternoon]) expect(listings(mailbox.messages, id), id).toBe(1);
  });

  it('lists a lead that arrives after its period’s digest went out in the next digest, and no lead twice', async (ctx) => {
    const started = await start();
    if (!started) return ctx.skip();
    const { app, catcher: mailbox } = started;
    await setForm(app, { notifyTo: ['sales@shop.example'], mode: 'hourly' });
    const early = await submit(app, { email: 'early@example.com', first_name: 'Early' });
    await periodOver(app);
    await app.runtime.mailWorker.drain();
    expect(mailbox.messages).toHaveLength(1);
    expect(listings(mailbox.messages, early)).toBe(1);
    // Committed after its period's digest was put together (as a lead of a slow commit would be, past the grace).
    const late = await submit(app, { email: 'late@example.com', first_name: 'Late' });
    await periodOver(app);
    await app.runtime.mailWorker.drain();
    await app.runtime.mailWorker.drain();
    expect(listings(mailbox.messages, late)).toBe(1);
    expect(listings(mailbox.messages, early)).toBe(1);
    // The mail names the hours of what it lists: the late lead's own hour and the next digest's.
    const mail = mailbox.messages.find((m) => m.text.includes(`/app?lead=${late}`))!;
    expect(mail.subject).toMatch(/^1 new lead from contact-main – /);
    const db = app.runtime.storage.db;
    const lead = await db.selectFrom('leads').select(['created_at', 'digest']).where('id', '=', late).executeTakeFirstOrThrow();
    const own = digestPeriod('hourly', Date.parse(lead.created_at));
    const stored = await db.selectFrom('mail_messages').select('params').where('template', '=', 'digest').orderBy('created_at').execute();
    expect(JSON.parse(stored.at(-1)!.params)).toMatchObject({ start: own.start, end: new Date(Date.parse(own.end) + 3_600_000).toISOString() });
    expect(lead.digest).toBe(digestKey('contact-main', digestPeriod('hourly', Date.parse(own.end))));
  });

  // PostgreSQL runs an intake's transaction and a digest's side by side; SQLite writes one transaction at a time.
  it.skipIf(engine !== 'postgres')('takes a lead whose intake commits while its digest is being put together', async (ctx) => {
    const started = await start();
    if (!started) return ctx.skip();
    const { app, catcher: mailbox } = started;
    await setForm(app, { notifyTo: ['sales@shop.example'], mode: 'hourly' });
    const first = await submit(app, { email: 'first@example.com', first_name: 'First' });
    await periodOver(app);
    // Another instance's intake, holding its transaction open past the moment the digest runs.
    const other: Storage = await openStorage(app.config.databaseUrl, app.config.keyring);
    cleanups.push(() => other.close());
    const row = await other.db.selectFrom('leads').selectAll().where('id', '=', first).executeTakeFirstOrThrow();
    const settings = await other.db.selectFrom('form_mail_settings').select(['shop', 'form_id', 'notify_mode']).execute();
    const slow = { ...row, id: newId(), idempotency_key: `slow-${Date.now()}`, digest: null, email: 'slow@example.com', first_name: 'Slow' };
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let queued!: () => void;
    const inTransaction = new Promise<void>((resolve) => (queued = resolve));
    const intake = other.db.transaction().execute(async (trx) => {
      await trx.insertInto('leads').values(slow).execute();
      await queueDigests(trx, [slow], settings);
      queued();
      await released;
    });
    await inTransaction;
    let drained = false;
    const drain = app.runtime.mailWorker.drain().then(() => (drained = true));
    // Until the digest waits for the intake (a lock not granted), or has finished without waiting.
    const waiting = async () => {
      const locks = await sql<{ n: number }>`select count(*)::int as n from pg_locks where not granted`.execute(app.runtime.storage.db);
      return locks.rows[0]!.n > 0;
    };
    while (!drained && !(await waiting())) await new Promise((resolve) => setTimeout(resolve, 10));
    release();
    await intake;
    await drain;
    await app.runtime.mailWorker.drain();
    await periodOver(app);
    await app.runtime.mailWorker.drain();
    await app.runtime.mailWorker.drain();
    expect(listings(mailbox.messages, first)).toBe(1);
    expect(listings(mailbox.messages, slow.id)).toBe(1);
  });

  it('lists no quarantined lead: a period with only quarantined leads says how many, in the shop language', async (ctx) => {
    const started = await start();
    if (!started) return ctx.skip();
    const { app, catcher: mailbox } = started;
    await setForm(app, { notifyTo: ['sales@shop.example', 'boss@shop.example'], mode: 'daily' });
    const sender = await app.runtime.app.request('/api/settings/mail', {
      method: 'PUT',
      headers: await owner(app),
      body: JSON.stringify({ from: 'hello@shop.example', fromName: 'Élégance', locale: 'fr' }),
    });
    expect(sender.status).toBe(200);
    await submit(app, { email: 'bot1@example.com', message: 'spam', website: 'http://spam.example' });
    await submit(app, { email: 'bot2@example.com', message: 'spam', website: 'http://spam.example' });
    await periodOver(app);
    await app.runtime.mailWorker.drain();
    await app.runtime.mailWorker.drain();
    expect(mailbox.messages.map((m) => m.envelope.to[0]).sort()).toEqual(['boss@shop.example', 'sales@shop.example']);
    const mail = mailbox.messages[0]!;
    expect(mail.subject).toMatch(/^Prospects en quarantaine via contact-main – /);
    expect(mail.text).toContain('2 prospects de cette période ont été mis en quarantaine');
    expect(mail.text).not.toContain('bot1@example.com');
    expect(mail.html).not.toContain('bot2@example.com');
  });

  it('audits who changed the sender and the recipients, with domains and never addresses; every role reads, only the owner writes', async (ctx) => {
    const started = await start();
    if (!started) return ctx.skip();
    const { app } = started;
    const headers = await owner(app);
    await setForm(app, { notifyTo: ['sales@shop.example'], mode: 'each' });
    await setForm(app, { notifyTo: ['sales@shop.example', 'new.person@agency.example'], mode: 'daily' });
    await setForm(app, { mode: 'daily' }); // no change: no entry
    const sender = await app.runtime.app.request('/api/settings/mail', {
      method: 'PUT',
      headers,
      body: JSON.stringify({ from: 'hello@shop.example', fromName: 'Shop', replyTo: 'care@help.example', locale: 'fr' }),
    });
    expect(sender.status).toBe(200);
    expect(await sender.json()).toMatchObject({ from: 'hello@shop.example', replyTo: 'care@help.example', locale: 'fr' });
    const audit = (await (await app.runtime.app.request('/api/audit', { headers })).json()) as {
      entries: Array<{ action: string; user_id: string; at: string; detail: unknown }>;
    };
    const mailEntries = audit.entries.filter((e) => e.action.startsWith('mail_'));
    expect(mailEntries.map((e) => e.action)).toEqual(['mail_sender', 'mail_settings', 'mail_settings']);
    expect(mailEntries[0]!.detail).toEqual({ fields: ['from', 'fromName', 'replyTo', 'locale'], from: 'shop.example', replyTo: 'help.example', locale: 'fr' });
    expect(mailEntries[1]!.detail).toEqual({
      form: 'contact-main',
      fields: ['notifyTo', 'mode'],
      recipients: 2,
      added: ['agency.example'],
      removed: [],
      mode: 'daily',
    });
    expect(mailEntries[2]!.detail).toMatchObject({ form: 'contact-main', fields: ['notifyTo', 'mode'], recipients: 1, added: ['shop.example'], mode: 'each' });
    expect(mailEntries.every((e) => e.user_id && e.at)).toBe(true);
    expect(JSON.stringify(audit.entries)).not.toMatch(/sales@|new\.person|hello@|care@/);
    expect(logLines.join('')).not.toMatch(/sales@shop|new\.person|hello@shop|care@help/);

    // The E-mail screen's overview: every role reads it; only the owner may change anything.
    for (const role of ['viewer', 'manager'] as const) {
      const token = { authorization: `Bearer ${await app.staffToken(role)}`, 'content-type': 'application/json' };
      const overview = await app.runtime.app.request('/api/mail-settings', { headers: token });
      expect(overview.status).toBe(200);
      expect(await overview.json()).toMatchObject({
        canEdit: false,
        sender: { from: 'hello@shop.example', locale: 'fr', problems: [] },
        forms: [{ form: 'contact-main', notifyTo: ['sales@shop.example', 'new.person@agency.example'], mode: 'daily' }],
      });
      const put = await app.runtime.app.request('/api/settings/forms/contact-main/mail', {
        method: 'PUT',
        headers: token,
        body: JSON.stringify({ mode: 'off' }),
      });
      expect(put.status).toBe(403);
    }
    expect(await (await app.runtime.app.request('/api/mail-settings', { headers })).json()).toMatchObject({ canEdit: true });

    // Form ids anyone can post (a view beacon each) do not push a form the shop's shoppers use out of the list.
    const day = new Date().toISOString().slice(0, 10);
    const db = app.runtime.storage.db;
    await db.insertInto('form_views').values({ shop: SHOP, form_id: 'newsletter', day, count: 40 }).execute();
    await db
      .insertInto('form_views')
      .values(Array.from({ length: 120 }, (_, i) => ({ shop: SHOP, form_id: `0junk${String(i).padStart(3, '0')}`, day, count: 1 })))
      .execute();
    const listed = (await (await app.runtime.app.request('/api/mail-settings', { headers })).json()) as { forms: Array<{ form: string }> };
    expect(listed.forms.map((f) => f.form)).toEqual(expect.arrayContaining(['contact-main', 'newsletter']));
  });
});
