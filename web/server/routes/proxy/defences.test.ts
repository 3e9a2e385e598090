import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WINDOW_MS, windowOf } from '../../leads/rate-limit.js';
import { ENGINES } from '../../../../tests/helpers/databases.js';
import { type TestApp, jsonPost, startTestApp } from '../../../../tests/helpers/runtime.js';

/**
 * Limits count in fixed one-minute windows: a test that sends its requests across a window's edge would see the count
 * restart. Starting with at least ten seconds left in the window keeps the whole test inside one.
 */
async function awayFromWindowEdge(): Promise<void> {
  const left = WINDOW_MS - (Date.now() % WINDOW_MS);
  if (left < 10_000) await new Promise((r) => setTimeout(r, left + 50));
}

const body = (email: string, over: Record<string, unknown> = {}) => ({ email, email_marketing_consent: true, rendered_at: Date.now() - 10_000, ...over });

describe.each(ENGINES)('spam defences and limits on %s', (engine) => {
  let t: TestApp | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });

  const leadRow = (id: string) => t!.runtime.storage.db.selectFrom('leads').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const jobs = (id: string) => t!.runtime.storage.db.selectFrom('outbox_jobs').select('state').where('lead_id', '=', id).execute();

  it('answers a bot as it answers a person, but quarantines its lead and queues nothing; a person can release it', async (ctx) => {
    t = await startTestApp(engine);
    if (!t) return ctx.skip();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ website: 'http://spam.example' }, 'honeypot'],
      [{ rendered_at: Date.now() - 200 }, 'too_fast'],
      [{ rendered_at: undefined }, 'no_fill_time'],
      [{ email: 'bot@mailinator.com' }, 'disposable_email'],
    ];
    const ids: string[] = [];
    for (const [i, [change, reason]] of cases.entries()) {
      const response = await t.proxy('/submit', jsonPost(body(`q${i}@example.com`, change)));
      expect(response.status).toBe(202);
      const { id } = (await response.json()) as { id: string };
      expect(await leadRow(id)).toMatchObject({ status: 'quarantined', sync_error: reason });
      expect(await jobs(id)).toEqual([]);
      ids.push(id);
    }
    await t.runtime.worker.drain();
    expect(t.emulator.stats.operations.ContactCaptureCustomerCreate ?? 0).toBe(0);
    expect(t.emulator.stats.operations.ContactCaptureCustomerForSync ?? 0).toBe(0);

    const token = await t.sessionToken();
    const release = await t.runtime.app.request(`/api/leads/${ids[0]}/release`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(await release.json()).toEqual({ id: ids[0], status: 'pending' });
    await t.runtime.worker.drain();
    expect((await leadRow(ids[0]!)).status).toBe('synced');
    const again = await t.runtime.app.request(`/api/leads/${ids[0]}/release`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(again.status).toBe(409);
    const otherShop = await t.runtime.app.request(`/api/leads/${ids[1]}/release`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await t.sessionToken({ shop: 'other-shop.myshopify.com' })}` },
    });
    expect(otherShop.status).toBe(404);
  });

  it('limits submissions per client IP (from the trusted header) with 429 and Retry-After, and counts nothing it refused', async (ctx) => {
    t = await startTestApp(engine, { RATE_LIMIT_PER_IP_PER_MINUTE: '3' });
    if (!t) return ctx.skip();
    await awayFromWindowEdge();
    const from = (ip: string, i: number) => t!.proxy('/submit', jsonPost(body(`ip${ip}-${i}@example.com`), { 'x-forwarded-for': `10.9.9.9, ${ip}` }));
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await from('203.0.113.7', i)).status);
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
    const limited = await from('203.0.113.7', 9);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ error: 'rate_limited' });
    // Another shopper is not punished for the first one.
    expect((await from('198.51.100.1', 0)).status).toBe(202);
    const stored = (await t.runtime.storage.db.selectFrom('leads').select('email').execute()).filter((l) => l.email.startsWith('ip203'));
    expect(stored).toHaveLength(3);
  });

  it('counts an IPv6 client per /64, a mapped or ported address as the same client, and keeps no address in the counters', async (ctx) => {
    t = await startTestApp(engine, { RATE_LIMIT_PER_IP_PER_MINUTE: '3' });
    if (!t) return ctx.skip();
    await awayFromWindowEdge();
    const send = (xff: string, i: number) => t!.proxy('/submit', jsonPost(body(`v6-${i}@example.com`), { 'x-forwarded-for': xff })).then((r) => r.status);
    // One host picking a fresh address of its /64 for each post.
    const v6 = [];
    for (let i = 0; i < 5; i++) v6.push(await send(`2001:db8:1:2::${i + 1}`, i));
    expect(v6).toEqual([202, 202, 202, 429, 429]);
    expect(await send('2001:db8:1:3::1', 10)).toBe(202);
    const v4 = [
      await send('198.51.100.20', 20),
      await send('198.51.100.20:5678', 21),
      await send('::ffff:198.51.100.20', 22),
      await send('[::ffff:198.51.100.20]:443', 23),
    ];
    expect(v4).toEqual([202, 202, 202, 429]);
    // Counted in memory; what reaches the table once merged holds no address either.
    await t.runtime.counters.flush();
    const keys = (await t.runtime.storage.db.selectFrom('rate_counters').select('key').execute()).map((r) => r.key).join(' ');
    expect(keys).not.toMatch(/2001|db8|198\.51|ffff/);
  });

  it('gives requests without a trusted address one shared bucket under the per-IP limit, and says so in the log once', async (ctx) => {
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    t = await startTestApp(engine, { RATE_LIMIT_PER_IP_PER_MINUTE: '3' }, log);
    if (!t) return ctx.skip();
    await awayFromWindowEdge();
    const statuses = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await t.proxy('/submit', jsonPost(body(`anon${i}@example.com`), { 'x-forwarded-for': 'not-an-address' }))).status);
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
    expect(lines.filter((l) => l.includes('CLIENT_IP_HEADER'))).toHaveLength(1);
    expect(lines.join('')).not.toContain('not-an-address');
  });

  it('counts the view beacon against the per-IP limit', async (ctx) => {
    t = await startTestApp(engine, { RATE_LIMIT_PER_IP_PER_MINUTE: '3' });
    if (!t) return ctx.skip();
    await awayFromWindowEdge();
    const view = (ip: string) => t!.proxy('/view', jsonPost({ form_id: 'contact' }, { 'x-forwarded-for': ip })).then((r) => r.status);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push(await view('203.0.113.50'));
    expect(statuses).toEqual([204, 204, 204, 429, 429]);
    expect(await view('203.0.113.51')).toBe(204);
    const counted = await t.runtime.storage.db.selectFrom('form_views').select('count').executeTakeFirstOrThrow();
    expect(Number(counted.count)).toBe(4);
    // Browsing does not use up the shopper's submissions.
    expect((await t.proxy('/submit', jsonPost(body('viewer@example.com'), { 'x-forwarded-for': '203.0.113.50' }))).status).toBe(202);
  });

  it("deletes rate counters once their window is over, in the worker's housekeeping", async (ctx) => {
    t = await startTestApp(engine);
    if (!t) return ctx.skip();
    const db = t.runtime.storage.db;
    const now = windowOf(Date.now());
    await db
      .insertInto('rate_counters')
      .values([
        { key: 'ip:old', window: now - 61, count: 3 },
        { key: 'ip:older', window: now - 5, count: 1 },
      ])
      .execute();
    expect((await t.proxy('/submit', jsonPost(body('counted@example.com')))).status).toBe(202);
    await t.runtime.counters.flush();
    t.runtime.jobs.start();
    const left = async () => (await db.selectFrom('rate_counters').select('key').execute()).map((r) => r.key);
    for (let i = 0; i < 400 && (await left()).some((k) => k.startsWith('ip:old')); i++) await new Promise((r) => setTimeout(r, 25));
    const keys = await left();
    expect(keys.filter((k) => k.startsWith('ip:old'))).toEqual([]);
    // The current window's counters stay: the limit still holds.
    expect(keys.length).toBeGreaterThan(0);
  });

  it('limits submissions per shop', async (ctx) => {
    t = await startTestApp(engine, { RATE_LIMIT_PER_SHOP_PER_MINUTE: '4' });
    if (!t) return ctx.skip();
    await awayFromWindowEdge();
    const statuses = await Promise.all(Array.from({ length: 7 }, (_, i) => t!.proxy('/submit', jsonPost(body(`shop${i}@example.com`))).then((r) => r.status)));
    expect(statuses.filter((s) => s === 202)).toHaveLength(4);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
  });
});

describe('Turnstile, when a merchant turns it on', () => {
  let standIn: ServerType;
  let verifyUrl = '';
  let t: TestApp | null = null;
  const seen: string[] = [];
  beforeAll(async () => {
    // A local stand-in for Cloudflare's siteverify endpoint: accepts the token "good", refuses anything else.
    const app = new Hono().post('/siteverify', async (c) => {
      const form = new URLSearchParams(await c.req.text());
      seen.push(`${form.get('secret')}:${form.get('response')}`);
      return c.json({ success: form.get('secret') === 'ts-secret' && form.get('response') === 'good', 'error-codes': [] });
    });
    standIn = await new Promise((resolve) => {
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(server));
    });
    const address = standIn.address();
    verifyUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/siteverify`;
    t = await startTestApp('sqlite', { TURNSTILE_SECRET_KEY: 'ts-secret', TURNSTILE_VERIFY_URL: verifyUrl });
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((r) => standIn.close(r));
  });

  it('accepts a verified token, refuses a bad or missing one with 403 and writes nothing', async () => {
    expect((await t!.proxy('/submit', jsonPost(body('ts1@example.com', { 'cf-turnstile-response': 'good' })))).status).toBe(202);
    const bad = await t!.proxy('/submit', jsonPost(body('ts2@example.com', { 'cf-turnstile-response': 'forged', locale: 'fr' })));
    expect(bad.status).toBe(403);
    expect(await bad.json()).toMatchObject({ error: 'turnstile_failed', message: 'La vérification anti-robot a échoué. Rechargez la page et réessayez.' });
    expect((await t!.proxy('/submit', jsonPost(body('ts3@example.com')))).status).toBe(403);
    expect(seen).toEqual(['ts-secret:good', 'ts-secret:forged']);
    const emails = (await t!.runtime.storage.db.selectFrom('leads').select('email').execute()).map((r) => r.email);
    expect(emails).toEqual(['ts1@example.com']);
  });
});
