import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processNextComplianceRequest } from '../web/server/privacy/compliance.js';
import { legacyLookupKey } from '../web/server/storage/lookup-keys.js';
import { createHmac } from 'node:crypto';
import { ENGINES, type TestEngine, freshDatabaseUrl } from './helpers/databases.js';
import { SECRET, SHOP, type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';
import { signedWebhook } from './helpers/webhook.js';

const ANNA = { email: 'anna.rotate@example.com', first_name: 'Annabelle', last_name: 'Rotier', phone: '+33612000011', message: 'Anna asks about sizes' };
const BOB = { email: 'bob.rotate@example.com', first_name: 'Bartholomew', last_name: 'Keeper', phone: '+33612000012', message: 'Bob asks about delivery' };
const K1 = `k1:${Buffer.alloc(32, 21).toString('base64')}`;
const K2 = `k2:${Buffer.alloc(32, 22).toString('base64')}`;
const NEW_SECRET = 'rotated-secret-for-contact-capture-0123456789';

/** One database that several runtimes open in turn, as a deployment restarted with new keys would. */
async function sharedDatabase(engine: TestEngine): Promise<{ url: string; drop(): Promise<void> } | null> {
  if (engine === 'postgres') return freshDatabaseUrl(engine);
  const dir = mkdtempSync(join(tmpdir(), 'cc-lookup-'));
  return { url: `sqlite:${join(dir, 'db.sqlite')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

describe.each(ENGINES)('lookup keys survive rotation on %s', (engine) => {
  let t: TestApp | null = null;
  let database: { url: string; drop(): Promise<void> } | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
    await database?.drop();
    database = null;
  });

  const open = async (env: Record<string, string>) => {
    await t?.close();
    t = await startTestApp(engine, { DATABASE_URL: database!.url, ...env });
    return t!;
  };
  const search = async (app: TestApp, q: string, secret = SECRET) => {
    const response = await app.runtime.app.request(`/api/leads?q=${encodeURIComponent(q)}`, {
      headers: { authorization: `Bearer ${await app.sessionToken({ secret })}` },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { leads: Array<{ email: string }> }).leads.map((l) => l.email);
  };
  const redact = async (app: TestApp, customer: { email?: string; phone?: string }, secret = SECRET) => {
    const response = await app.runtime.app.request(
      '/webhooks/customers/redact',
      signedWebhook('customers/redact', { shop_id: 1, shop_domain: SHOP, customer: { id: 999, ...customer }, orders_to_redact: [] }, { secret }),
    );
    expect(response.status).toBe(200);
    while (await processNextComplianceRequest(app.runtime.storage.db, app.runtime.storage.engine, app.runtime.lookupHash));
  };
  const remaining = async (app: TestApp) => (await app.runtime.storage.db.selectFrom('leads').select('id').execute()).length;
  async function seed(app: TestApp) {
    for (const person of [ANNA, BOB]) {
      const response = await app.proxy('/submit', jsonPost({ ...person, rendered_at: Date.now() - 10_000 }, { 'x-forwarded-for': '198.51.100.9' }));
      expect(response.status).toBe(202);
    }
    await app.runtime.worker.drain();
    expect(await search(app, 'annab')).toEqual([ANNA.email]);
  }

  it('rotating SHOPIFY_API_SECRET: erasure by email still erases and search still finds', async (ctx) => {
    database = await sharedDatabase(engine);
    if (!database) return ctx.skip();
    await seed(await open({}));
    const rotated = await open({ SHOPIFY_API_SECRET: NEW_SECRET });
    expect(await search(rotated, 'annab', NEW_SECRET)).toEqual([ANNA.email]);
    expect(await search(rotated, '0612000012', NEW_SECRET)).toEqual([BOB.email]);
    await redact(rotated, { email: ANNA.email }, NEW_SECRET);
    expect(await remaining(rotated)).toBe(1);
    expect(await search(rotated, 'annab', NEW_SECRET)).toEqual([]);
  });

  it('rotating LOOKUP_KEYS: every listed key matches until the background rehash, then the old key can be removed', async (ctx) => {
    database = await sharedDatabase(engine);
    if (!database) return ctx.skip();
    await seed(await open({ LOOKUP_KEYS: K1 }));

    // The new key first, the old one still listed: rows are under k1 and are found.
    const rotating = await open({ LOOKUP_KEYS: `${K2},${K1}` });
    expect(await search(rotating, 'annab')).toEqual([ANNA.email]);
    expect(await search(rotating, 'barth keep')).toEqual([BOB.email]);
    await redact(rotating, { email: ANNA.email });
    expect(await remaining(rotating)).toBe(1);

    // The background job rewrites every row under k2, then says so.
    const db = rotating.runtime.storage.db;
    const stale = async () => (await db.selectFrom('leads').select('lookup_key').execute()).filter((r) => r.lookup_key !== 'k2').length;
    expect(await stale()).toBe(1);
    rotating.runtime.jobs.start();
    for (let i = 0; i < 400 && (await stale()) > 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await stale()).toBe(0);

    // k1 removed: search and erasure by phone still find Bob.
    const rotated = await open({ LOOKUP_KEYS: K2 });
    expect(await search(rotated, 'barth')).toEqual([BOB.email]);
    expect(await search(rotated, '0612000012')).toEqual([BOB.email]);
    await redact(rotated, { phone: BOB.phone });
    expect(await remaining(rotated)).toBe(0);
  });

  it('rows hashed before LOOKUP_KEYS (keyed from the app secret) are matched, then rehashed under the current key', async (ctx) => {
    database = await sharedDatabase(engine);
    if (!database) return ctx.skip();
    const app = await open({});
    await seed(app);
    // As an earlier version left it: the lookup hash keyed from the app secret, and no key recorded.
    const legacy = createHmac('sha256', legacyLookupKey(SECRET)).update(ANNA.email).digest('hex');
    const db = app.runtime.storage.db;
    await db.updateTable('leads').set({ email_hash: legacy, lookup_key: null }).where('email_hash', '=', app.runtime.lookupHash(ANNA.email)).execute();
    const restarted = await open({});
    await restarted.runtime.worker.drain();
    const row = async () =>
      restarted.runtime.storage.db
        .selectFrom('leads')
        .select(['email_hash', 'lookup_key'])
        .where('email_hash', 'in', [legacy, restarted.runtime.lookupHash(ANNA.email)])
        .executeTakeFirst();
    expect((await row())?.email_hash).toBe(legacy);
    restarted.runtime.jobs.start();
    for (let i = 0; i < 400 && (await row())?.lookup_key !== 'dev'; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await row()).toEqual({ email_hash: restarted.runtime.lookupHash(ANNA.email), lookup_key: 'dev' });
    await restarted.runtime.jobs.stop();
    await redact(restarted, { email: ANNA.email });
    expect(await remaining(restarted)).toBe(1);
  });
});
