import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../../tests/helpers/databases.js';
import { type TestApp, jsonPost, startTestApp } from '../../../tests/helpers/runtime.js';

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
    const otherShop = await t.runtime.app.request(`/api/leads/${ids[1]}/release`, { method: 'POST', headers: { authorization: `Bearer ${await t.sessionToken({ shop: 'other-shop.myshopify.com' })}` } });
    expect(otherShop.status).toBe(404);
  });

  it('limits submissions per client IP (from the trusted header) with 429 and Retry-After, and counts nothing it refused', async (ctx) => {
    t = await startTestApp(engine, { RATE_LIMIT_PER_IP_PER_MINUTE: '3' });
    if (!t) return ctx.skip();
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

  it('limits submissions per shop', async (ctx) => {
    t = await startTestApp(engine, { RATE_LIMIT_PER_SHOP_PER_MINUTE: '4' });
    if (!t) return ctx.skip();
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
