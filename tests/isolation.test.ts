import { Writable } from 'node:stream';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/databases.js';
import { SHOP, type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';
import { signedWebhook } from './helpers/webhook.js';

/** A logger whose lines the test reads back, to check what reached the log (and what did not). */
function capturedLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), text: () => lines.join('') };
}

const human = (body: Record<string, unknown>) => ({ ...body, rendered_at: Date.now() - 10_000 });
type ListedLead = { id: string; first_name: string | null; message: string | null; status: string; unreadable?: string[] };

/**
 * Issue 11 E: one shopper's input never harms another. A value shaped like the app's own ciphertext is data like any
 * other, and a value that cannot be decrypted is shown as unreadable, logged by row id, and takes nothing down.
 */
describe.each(ENGINES)('one bad value never harms another on %s', (engine) => {
  let t: TestApp | null;
  const captured = capturedLog();
  let token = '';
  const submit = async (body: Record<string, unknown>) => {
    const response = await t!.proxy('/submit', jsonPost(human(body)));
    expect(response.status).toBe(202);
    return ((await response.json()) as { id: string }).id;
  };
  const list = async () => {
    const response = await t!.runtime.app.request('/api/leads?limit=50', { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { leads: ListedLead[] }).leads;
  };

  beforeAll(async () => {
    t = await startTestApp(engine, {}, captured.log);
    if (t) token = await t.staffToken('owner');
  });
  afterAll(async () => t?.close());

  it('encrypts a value that looks like ciphertext, so the list, the detail and the sync all read it back', async (ctx) => {
    if (!t) return ctx.skip();
    const lookalike = 'v2:abc:def:ghi';
    const id = await submit({
      email: 'lookalike@example.com',
      first_name: lookalike,
      message: `v2:${'A'.repeat(8)}:AAAA:AAAA:AAAA`,
      email_marketing_consent: true,
    });
    const stored = await t.runtime.storage.db
      .selectFrom('leads')
      .select(sql<string>`first_name`.as('raw'))
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored.raw).not.toBe(lookalike);
    await t.runtime.worker.drain();
    const lead = (await list()).find((l) => l.id === id);
    expect(lead).toMatchObject({ first_name: lookalike, status: 'synced' });
    expect((await t.customerByEmail('lookalike@example.com'))?.firstName).toBe(lookalike);
    expect((await t.runtime.app.request(`/api/leads/${id}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it('shows a value that fails to decrypt as unreadable, logs its row id but not the value, and keeps the worker going', async (ctx) => {
    if (!t) return ctx.skip();
    const broken = await submit({ email: 'broken@example.com', first_name: 'Brigitte', message: 'hello', email_marketing_consent: true });
    // A stored value no listed key opens (a lost key, a corrupted or copied-in ciphertext): written around the app.
    const garbage = 'v2:zz:c2VjcmV0LXZhbHVl:AAAA:AAAA';
    await sql`update leads set first_name = ${garbage}, search_indexed = 0 where id = ${broken}`.execute(t.runtime.storage.db);

    const lead = (await list()).find((l) => l.id === broken);
    expect(lead).toMatchObject({ first_name: null, message: 'hello', unreadable: ['first_name'] });
    const detail = await t.runtime.app.request(`/api/leads/${broken}`, { headers: { authorization: `Bearer ${token}` } });
    expect(detail.status).toBe(200);
    expect(((await detail.json()) as { lead: ListedLead }).lead).toMatchObject({ first_name: null, unreadable: ['first_name'] });

    // The worker keeps indexing and syncing the others, and the lead with the unreadable field fails on its own.
    const after = await submit({ email: 'after@example.com', first_name: 'Aurélien', message: 'findme zanzibar', email_marketing_consent: true });
    await t.runtime.worker.drain();
    const leads = await list();
    expect(leads.find((l) => l.id === after)?.status).toBe('synced');
    const found = await t.runtime.app.request('/api/leads?q=zanzibar', { headers: { authorization: `Bearer ${token}` } });
    expect(((await found.json()) as { leads: ListedLead[] }).leads.map((l) => l.id)).toEqual([after]);

    const text = captured.text();
    expect(text).toContain(broken);
    expect(text).not.toContain(garbage);
    expect(text).not.toContain('c2VjcmV0LXZhbHVl');
    expect(text).not.toContain('v2:abc:def:ghi');
  });

  it('never lets an unreadable value stop key rotation or compliance erasure', async (ctx) => {
    if (!t) return ctx.skip();
    const db = t.runtime.storage.db;
    const id = await submit({ email: 'erase.me@example.com', first_name: 'Erwan', message: 'erase me' });
    const garbage = 'v2:zz:AAAA:AAAA:AAAA';
    await sql`update leads set email = ${garbage} where id = ${id}`.execute(db);
    const { reencryptBatch } = await import('../web/server/privacy/key-rotation.js');
    await reencryptBatch(db, t.runtime.config.keyring, t.runtime.lookupHash);
    // Rotation leaves what it cannot read as it was: a key listed later (a forgotten old key) can still open it.
    const raw = await db
      .selectFrom('leads')
      .select(sql<string>`email`.as('raw'))
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(raw.raw).toBe(garbage);
    const { eraseCustomer } = await import('../web/server/leads/erasure.js');
    await db.transaction().execute((trx) => eraseCustomer(trx, SHOP, { email: 'erase.me@example.com' }, t!.runtime.lookupHash));
    expect(await db.selectFrom('leads').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
  });
});

describe.each(ENGINES)("the worker's duties fail independently on %s", (engine) => {
  let t: TestApp | null;
  const captured = capturedLog();
  beforeAll(async () => {
    t = await startTestApp(engine, { SYNC_WORKER: 'off' });
  });
  afterAll(async () => t?.close());

  it('keeps syncing, and keeps running every other duty, while one duty fails on every run; the log names the duty, not the message', async (ctx) => {
    if (!t) return ctx.skip();
    const { SyncWorker } = await import('../web/server/jobs/sync-worker.js');
    const { JobLoop } = await import('../web/server/jobs/job-loop.js');
    const { createAdminClient } = await import('../web/server/shopify/admin-client.js');
    const { shopTokens } = await import('../web/server/shopify/shops.js');
    const db = t.runtime.storage.db;
    let healthyRuns = 0;
    let failingRuns = 0;
    const secret = 'shopper typed v2:abc:def:ghi';
    const sync = new SyncWorker({
      db,
      engine: t.runtime.storage.engine,
      client: createAdminClient({ origin: t.config.adminApiOrigin, timeoutMs: 1000 }),
      tokens: shopTokens(db, t.config.keyring),
      log: captured.log,
      retryBaseMs: 1,
    });
    const worker = new JobLoop({
      db,
      engine: t.runtime.storage.engine,
      log: captured.log,
      pollMs: 5,
      retryBaseMs: 1,
      lanes: [sync.lane()],
      indexer: async () => {
        throw new Error(secret);
      },
      duties: {
        compliance: async () => {
          failingRuns++;
          throw new TypeError(secret);
        },
        retention: async () => {
          healthyRuns++;
        },
      },
    });
    const response = await t.proxy('/submit', jsonPost(human({ email: 'duties@example.com', first_name: 'Dora', email_marketing_consent: true })));
    const { id } = (await response.json()) as { id: string };
    worker.start();
    try {
      for (
        let i = 0;
        i < 400 && (healthyRuns < 3 || (await db.selectFrom('leads').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status !== 'synced');
        i++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      await worker.stop();
    }
    expect(healthyRuns).toBeGreaterThanOrEqual(3);
    expect(failingRuns).toBeGreaterThanOrEqual(1);
    expect((await db.selectFrom('leads').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('synced');
    const text = captured.text();
    expect(text).toContain('"duty":"compliance"');
    expect(text).toContain('"duty":"indexing"');
    expect(text).toContain('TypeError');
    expect(text).not.toContain('shopper typed');
  });
});

describe.each(ENGINES)('compliance requests fail one at a time on %s', (engine) => {
  let t: TestApp | null;
  const captured = capturedLog();
  beforeAll(async () => {
    t = await startTestApp(engine, {}, captured.log);
  });
  afterAll(async () => t?.close());

  it('erases a customer although an older request in the queue can never be worked off', async (ctx) => {
    if (!t) return ctx.skip();
    const db = t.runtime.storage.db;
    const response = await t.proxy('/submit', jsonPost(human({ email: 'gone@example.com', first_name: 'Gaston' })));
    const { id: lead } = (await response.json()) as { id: string };
    const redact = (email: string) =>
      signedWebhook('customers/redact', { shop_id: 1, shop_domain: SHOP, customer: { id: 5, email, phone: null }, orders_to_redact: [] });
    expect((await t.runtime.app.request('/webhooks/customers/redact', redact('stuck@example.com'))).status).toBe(200);
    // The oldest request's customer no longer opens: it can never be worked off.
    await sql`update compliance_requests set customer = ${'v2:zz:AAAA:AAAA:AAAA'}`.execute(db);
    expect((await t.runtime.app.request('/webhooks/customers/redact', redact('gone@example.com'))).status).toBe(200);
    t.runtime.jobs.start();
    try {
      for (let i = 0; i < 500 && (await db.selectFrom('leads').select('id').where('id', '=', lead).executeTakeFirst()); i++)
        await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      await t.runtime.jobs.stop();
    }
    expect(await db.selectFrom('leads').select('id').where('id', '=', lead).executeTakeFirst()).toBeUndefined();
    const waiting = await db.selectFrom('compliance_requests').select('status').where('status', '=', 'received').execute();
    expect(waiting).toHaveLength(1);
    expect(captured.text()).toContain('compliance request failed');
    expect(captured.text()).not.toContain('v2:zz');
  });
});
