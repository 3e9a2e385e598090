import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MailCatcher } from '../dev/mail-catcher.js';
import { MailWorker } from '../web/server/jobs/mail-worker.js';
import { createMailer } from '../web/server/mail/transport.js';
import { enqueueMail } from '../web/server/outbox/mail-queue.js';
import { type Storage, openStorage } from '../web/server/storage/database.js';
import { ENGINES } from './helpers/databases.js';
import { SHOP, type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';

/**
 * The mail path end to end over real SMTP (nodemailer to an smtp-server listener): an e-mail is an outbox job, sent
 * once, retried on 4xx and on a server that is down, failed and shown on the lead on 5xx, and sent once by two workers
 * on one database while the server is slow.
 */
describe.each(ENGINES)('mail through the outbox on %s', (engine) => {
  let t: TestApp | null = null;
  let catcher: MailCatcher;
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const clean of cleanups.splice(0).reverse()) await clean();
    await t?.close();
    t = null;
    await catcher.stop();
  });

  async function start(env: Record<string, string> = {}) {
    catcher = new MailCatcher();
    const url = await catcher.start(0);
    t = await startTestApp(engine, { SMTP_URL: url, MAIL_RETRY_BASE_MS: '10', MAIL_TIMEOUT_MS: '2000', ...env });
    return t;
  }

  async function lead(app: TestApp, email = 'ana@example.com'): Promise<string> {
    const response = await app.proxy('/submit', jsonPost({ email, first_name: 'Ana', message: 'Hi', rendered_at: Date.now() - 10_000 }));
    expect(response.status).toBe(202);
    return ((await response.json()) as { id: string }).id;
  }

  const replyTo = (app: TestApp, leadId: string, eventKey = `reply:${leadId}`, body = 'Thanks <b>Ana</b> & co.\nSee you.') =>
    app.runtime.storage.db
      .transaction()
      .execute((trx) =>
        enqueueMail(trx, [{ shop: SHOP, leadId, eventKey, template: 'reply', locale: 'de', to: 'ana@example.com', params: { name: 'Ana "A"', body } }]),
      );

  const mailRow = (app: TestApp, leadId: string) =>
    app.runtime.storage.db.selectFrom('mail_messages').selectAll().where('lead_id', '=', leadId).executeTakeFirstOrThrow();

  const drainUntil = async (app: TestApp, done: () => Promise<boolean>, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error('mail did not settle');
      await app.runtime.mailWorker.drain();
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('sends over SMTP once per event, escaped, HTML and text, from the shop, nothing remote', async (ctx) => {
    const app = await start();
    if (!app) return ctx.skip();
    await app.runtime.storage.db.updateTable('shops').set({ mail_from_name: 'Élégance <Paris>' }).execute();
    const id = await lead(app);
    expect(await replyTo(app, id)).toHaveLength(1);
    // The same event asked for again (a retried request, another instance): nothing new.
    expect(await replyTo(app, id)).toHaveLength(0);
    // Never in the request path: queued, not sent, until the worker runs.
    expect(catcher.messages).toHaveLength(0);
    await app.runtime.mailWorker.drain();
    expect(catcher.messages).toHaveLength(1);
    const mail = catcher.messages[0]!;
    expect(mail.envelope.to).toEqual(['ana@example.com']);
    expect(mail.from).toContain('shop@contact-capture-dev.example');
    expect(mail.subject).toBe('Re: Ihre Nachricht an Élégance <Paris>');
    expect(mail.html).toContain('Thanks &lt;b&gt;Ana&lt;/b&gt; &amp; co.<br>See you.');
    expect(mail.html).toContain('Élégance &lt;Paris&gt;');
    expect(mail.html).toContain('Hallo Ana &quot;A&quot;,');
    expect(mail.html).not.toMatch(/<img|<script|src=|url\(/i);
    expect(mail.text).toContain('Thanks <b>Ana</b> & co.\nSee you.');
    const headers = new Map(mail.headers.map(([k, v]) => [k.toLowerCase(), v]));
    expect(headers.get('content-language')).toBe('de');
    expect(headers.get('auto-submitted')).toBeUndefined();
    const row = await mailRow(app, id);
    expect(row.status).toBe('sent');
    expect(mail.messageId).toBe(row.message_id);
    // Recipient and values are encrypted at rest.
    const raw = await app.runtime.storage.db.withoutPlugins().selectFrom('mail_messages').select(['to_address', 'params']).executeTakeFirstOrThrow();
    expect(raw.to_address).not.toContain('ana@example.com');
    expect(raw.params).not.toContain('Thanks');
    // A second drain sends nothing more.
    await app.runtime.mailWorker.drain();
    expect(catcher.messages).toHaveLength(1);
  });

  it('keeps the mail while the server is down and sends it once it is back', async (ctx) => {
    const app = await start();
    if (!app) return ctx.skip();
    await catcher.stop();
    const id = await lead(app);
    await replyTo(app, id);
    await app.runtime.mailWorker.drain();
    const waiting = await mailRow(app, id);
    expect(waiting.status).toBe('retrying');
    expect(waiting.last_error).toMatch(/unreachable/);
    await catcher.start();
    await drainUntil(app, async () => (await mailRow(app, id)).status === 'sent');
    expect(catcher.messages).toHaveLength(1);
  });

  it('retries a 4xx answer and sends once on the 2xx that follows', async (ctx) => {
    // A backoff long enough that the first drain ends before the retry is due, so "retrying" can be seen (with 10 ms a
    // slow drain on PostgreSQL sometimes retried at once and read "sent").
    const app = await start({ MAIL_RETRY_BASE_MS: '1000' });
    if (!app) return ctx.skip();
    catcher.faults.push({ kind: 'reply', code: 451, message: '4.7.1 Greylisted, try again later' });
    const id = await lead(app);
    await replyTo(app, id);
    await app.runtime.mailWorker.drain();
    expect((await mailRow(app, id)).status).toBe('retrying');
    expect((await mailRow(app, id)).last_error).toMatch(/deferred.*451|Greylisted/);
    await drainUntil(app, async () => (await mailRow(app, id)).status === 'sent');
    expect(catcher.messages).toHaveLength(1);
    expect((await mailRow(app, id)).attempts).toBe(2);
  });

  it('fails on a 5xx answer, without retrying, and the lead shows why (without the address)', async (ctx) => {
    const app = await start();
    if (!app) return ctx.skip();
    catcher.faults.push({ kind: 'reply', code: 550, message: '5.1.1 <ana@example.com>: Recipient address rejected' });
    const id = await lead(app);
    await replyTo(app, id);
    await app.runtime.mailWorker.drain();
    await new Promise((r) => setTimeout(r, 50));
    await app.runtime.mailWorker.drain();
    const row = await mailRow(app, id);
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(1);
    expect(catcher.messages).toHaveLength(0);
    const detail = await app.runtime.app.request(`/api/leads/${id}`, { headers: { authorization: `Bearer ${await app.staffToken('manager')}` } });
    const body = (await detail.json()) as { mail: { status: string; last_error: string }[]; history: { kind: string }[] };
    expect(body.mail).toHaveLength(1);
    expect(body.mail[0]!.status).toBe('failed');
    expect(body.mail[0]!.last_error).toMatch(/550.*Recipient address rejected/);
    expect(body.mail[0]!.last_error).not.toContain('ana@example.com');
    // The Shopify sync history stays about Shopify.
    expect(body.history.every((h) => h.kind !== 'send_mail')).toBe(true);
  });

  it('sends once with two workers on one database while the server is slow', async (ctx) => {
    const file = join(tmpdir(), `mail-two-workers-${process.pid}-${Date.now()}.sqlite`);
    const app = await start({ SYNC_LEASE_MS: '500', ...(engine === 'sqlite' ? { DATABASE_URL: `sqlite:${file}` } : {}) });
    if (!app) return ctx.skip();
    if (engine === 'sqlite') cleanups.push(() => rmSync(file, { force: true }));
    // A second instance: its own connection to the same database, its own transport.
    const other: Storage = await openStorage(app.config.databaseUrl, app.config.keyring);
    const otherMailer = createMailer({ smtpUrl: catcher.url, timeoutMs: 5000 });
    cleanups.push(() => other.close());
    cleanups.push(() => otherMailer.close());
    const second = new MailWorker({
      db: other.db,
      engine: other.engine,
      mailer: otherMailer,
      log: pino({ level: 'silent' }),
      leaseMs: 500,
      sendBudgetMs: 5000,
      retryBaseMs: 10,
    });
    catcher.faults.push({ kind: 'delay', ms: 1500 });
    const id = await lead(app);
    await replyTo(app, id);
    const first = app.runtime.mailWorker.drain();
    // The first worker's lease (500 ms) runs out while the server takes 1.5 s to answer: the second takes the job.
    await new Promise((r) => setTimeout(r, 800));
    expect(await second.drain()).toBe(1);
    await first;
    await second.drain();
    expect(catcher.messages).toHaveLength(1);
    expect((await mailRow(app, id)).status).toBe('sent');
    expect((await mailRow(app, id)).attempts).toBe(1);
    const job = await app.runtime.storage.db.selectFrom('outbox_jobs').select('state').where('kind', '=', 'send_mail').executeTakeFirstOrThrow();
    expect(job.state).toBe('done');
  });

  it('waits without SMTP_URL or a sender, and the workspace says so', async (ctx) => {
    catcher = new MailCatcher();
    t = await startTestApp(engine, {});
    if (!t) return ctx.skip();
    const app = t;
    const owner = { authorization: `Bearer ${await app.staffToken('owner')}`, 'content-type': 'application/json' };
    const settings = async () => (await app.runtime.app.request('/api/settings/mail', { headers: owner })).json();
    expect(await settings()).toMatchObject({ problems: ['smtp_not_configured'] });
    await app.runtime.storage.db.updateTable('shops').set({ mail_from: null, mail_from_name: null }).execute();
    expect(await settings()).toMatchObject({ from: null, problems: ['smtp_not_configured', 'sender_missing'] });
    const id = await lead(app);
    await replyTo(app, id);
    await app.runtime.mailWorker.drain();
    const row = await mailRow(app, id);
    expect(row.status).toBe('queued');
    expect(row.last_error).toMatch(/SMTP_URL/);
    // Bad input writes nothing; a header cannot be smuggled into the sender's name.
    for (const bad of [{ from: 'not-an-address', fromName: 'Shop' }, { from: 'a@b.example', fromName: 'Shop\r\nBcc: x@y.example' }, null]) {
      const response = await app.runtime.app.request('/api/settings/mail', { method: 'PUT', headers: owner, body: JSON.stringify(bad) });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe('invalid_sender');
    }
    const put = await app.runtime.app.request('/api/settings/mail', {
      method: 'PUT',
      headers: owner,
      body: JSON.stringify({ from: 'hello@shop.example', fromName: 'Élégance' }),
    });
    expect(await put.json()).toEqual({ from: 'hello@shop.example', fromName: 'Élégance', replyTo: null, locale: 'en', problems: ['smtp_not_configured'] });
    // Managers and viewers do not set the shop's sender.
    for (const role of ['manager', 'viewer'] as const) {
      const response = await app.runtime.app.request('/api/settings/mail', { headers: { authorization: `Bearer ${await app.staffToken(role)}` } });
      expect(response.status).toBe(403);
    }
  });
});
