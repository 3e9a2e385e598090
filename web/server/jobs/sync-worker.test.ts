import { afterEach, describe, expect, it, vi } from 'vitest';
import { ENGINES, type TestEngine } from '../../../tests/helpers/databases.js';
import { type TestApp, jsonPost, startTestApp } from '../../../tests/helpers/runtime.js';
import { claimNextJob } from '../outbox/outbox.js';

const submit = (t: TestApp, email: string, over: Record<string, unknown> = {}) =>
  t.proxy(
    '/submit',
    jsonPost({
      email,
      first_name: 'Ann',
      message: `Hello from ${email}`,
      email_marketing_consent: true,
      consent_text: 'Email me offers.',
      form_id: 'contact',
      locale: 'en',
      rendered_at: Date.now() - 10_000,
      ...over,
    }),
  );

/** Runs the worker until no job is pending (rescheduled jobs included), or fails after `limitMs`. */
async function syncAll(t: TestApp, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  const db = t.runtime.storage.db;
  for (;;) {
    await t.runtime.worker.drain();
    const pending = await db.selectFrom('outbox_jobs').select('id').where('state', '=', 'pending').execute();
    if (!pending.length) return;
    if (Date.now() > deadline) throw new Error(`${pending.length} jobs still pending`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(ENGINES)('sync worker on %s', (engine: TestEngine) => {
  let t: TestApp | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });

  it('turns a consenting lead into a customer with metafields, SUBSCRIBED consent and the app tag', async (ctx) => {
    t = await startTestApp(engine);
    if (!t) return ctx.skip();
    const { id } = (await (await submit(t, 'ann@example.com', { phone: '+44 20 7946 0000' })).json()) as { id: string };
    await syncAll(t);
    const customer = (await t.customerByEmail('ann@example.com')) as any;
    expect(customer).toMatchObject({ firstName: 'Ann', tags: ['contact-capture'], defaultPhoneNumber: { phoneNumber: '+442079460000' } });
    expect(customer.defaultEmailAddress).toMatchObject({ marketingState: 'SUBSCRIBED', marketingOptInLevel: 'SINGLE_OPT_IN' });
    const metafields = Object.fromEntries(customer.metafields.nodes.map((m: any) => [m.key, m]));
    expect(metafields.last_message).toMatchObject({ namespace: 'app--1000', type: 'multi_line_text_field', value: 'Hello from ann@example.com' });
    expect(metafields.source_form.value).toBe('contact');
    expect(JSON.parse(metafields.consent_proof.value)).toMatchObject({ text: 'Email me offers.', locale: 'en' });
    const lead = await t.runtime.storage.db.selectFrom('leads').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(lead).toMatchObject({ status: 'synced', shopify_customer_id: customer.id, sync_error: null });
    // consentUpdatedAt is the submission time, not the sync time.
    expect(customer.defaultEmailAddress.marketingUpdatedAt).toBe(lead.created_at);
  });

  it('never sends a lead without consent to Shopify', async (ctx) => {
    t = await startTestApp(engine);
    if (!t) return ctx.skip();
    await submit(t, 'no-consent@example.com', { email_marketing_consent: false });
    await syncAll(t);
    expect(await t.customerByEmail('no-consent@example.com')).toBeNull();
    expect(t.emulator.stats.operations.ContactCaptureCustomerCreate ?? 0).toBe(0);
    expect(t.emulator.stats.operations.ContactCaptureCustomerForSync ?? 0).toBe(0);
  });

  it('syncs a lead whose phone another customer has, without the phone and with a warning, and does not retry it', async (ctx) => {
    t = await startTestApp(engine);
    if (!t) return ctx.skip();
    await submit(t, 'first@example.com', { phone: '+33612345678' });
    await syncAll(t);
    const { id } = (await (await submit(t, 'second@example.com', { phone: '+33612345678' })).json()) as { id: string };
    await syncAll(t);
    const lead = await t.runtime.storage.db.selectFrom('leads').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(lead).toMatchObject({ status: 'synced', sync_error: null, phone: '+33612345678' });
    expect(JSON.parse(lead.sync_warnings ?? '[]')).toEqual([{ field: 'phone', code: null, message: 'Phone has already been taken' }]);
    expect(((await t.customerByEmail('second@example.com')) as { defaultPhoneNumber: unknown }).defaultPhoneNumber).toBeNull();
    const job = await t.runtime.storage.db.selectFrom('outbox_jobs').selectAll().where('lead_id', '=', id).executeTakeFirstOrThrow();
    expect(job).toMatchObject({ state: 'done', attempts: 1 });
  });

  it('syncs every lead exactly once through throttling, 5xx and timeouts, without duplicate customers', async (ctx) => {
    t = await startTestApp(engine, { SHOPIFY_REQUEST_TIMEOUT_MS: '150', SYNC_RETRY_BASE_MS: '5' });
    if (!t) return ctx.skip();
    t.emulator.configure({ faults: { rate: 0.3, kinds: ['throttled', 'http500', 'http503', 'timeout'], timeoutMs: 300 }, seed: 7 });
    const emails = Array.from({ length: 40 }, (_, i) => `bulk${i}@example.com`);
    for (const email of emails) expect((await submit(t, email)).status).toBe(202);
    await syncAll(t, 60_000);
    t.emulator.configure({ faults: { rate: 0 } });
    const stats = t.emulator.stats;
    expect(stats.faults.timeout + stats.faults.http500 + stats.faults.http503 + stats.faults.throttled).toBeGreaterThan(10);
    expect(t.emulator.shopData(t.config.devShop)?.customers.size).toBe(40);
    const leads = await t.runtime.storage.db.selectFrom('leads').select(['status', 'shopify_customer_id']).execute();
    expect(leads.every((l) => l.status === 'synced')).toBe(true);
    expect(new Set(leads.map((l) => l.shopify_customer_id)).size).toBe(40);
    for (const email of emails.slice(0, 5)) {
      const customer = (await t.customerByEmail(email)) as any;
      expect(customer.tags).toEqual(['contact-capture']);
      expect(customer.defaultEmailAddress.marketingState).toBe('SUBSCRIBED');
    }
  });

  it('takes a job again once the lease of a crashed worker expires', async (ctx) => {
    t = await startTestApp(engine);
    if (!t) return ctx.skip();
    await submit(t, 'lease@example.com');
    const { db, engine: dbEngine } = t.runtime.storage;
    const start = Date.now();
    const crashed = await claimNextJob(db, dbEngine, 60_000, () => start);
    expect(crashed).toBeDefined();
    expect(await claimNextJob(db, dbEngine, 60_000, () => start + 30_000)).toBeUndefined();
    const retaken = await claimNextJob(db, dbEngine, 60_000, () => start + 61_000);
    expect(retaken?.id).toBe(crashed?.id);
    expect(retaken?.attempts).toBe(2);
  });

  it('is woken by every committed job, so a lead does not wait for the next poll', async (ctx) => {
    // An hour between polls: only the "lead queued" announcement can get the second lead synced.
    t = await startTestApp(engine, { SYNC_POLL_MS: '3600000' });
    if (!t) return ctx.skip();
    const db = t.runtime.storage.db;
    const status = async (id: string) => (await db.selectFrom('leads').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
    const until = async (id: string, wanted: string) => {
      while ((await status(id)) !== wanted) await new Promise((r) => setTimeout(r, 20));
    };
    const first = ((await (await submit(t, 'early@example.com')).json()) as { id: string }).id;
    t.runtime.jobs.start();
    await until(first, 'synced');
    const nudge = vi.spyOn(t.runtime.jobs, 'nudge');
    const second = ((await (await submit(t, 'later@example.com')).json()) as { id: string }).id;
    expect(nudge).toHaveBeenCalledTimes(1);
    await until(second, 'synced');
    // A lead without consent queues nothing, and wakes nothing.
    await submit(t, 'quiet@example.com', { email_marketing_consent: false });
    expect(nudge).toHaveBeenCalledTimes(1);
    // Staff actions that queue a job announce it the same way (here a retry of a failed lead).
    await db.updateTable('leads').set({ status: 'failed', sync_error: 'test' }).where('id', '=', second).execute();
    const owner = await t.staffToken('owner');
    const retried = await t.runtime.app.request(`/api/leads/${second}/retry`, { method: 'POST', headers: { authorization: `Bearer ${owner}` } });
    expect(retried.status).toBe(200);
    expect(nudge).toHaveBeenCalledTimes(2);
    await until(second, 'synced');
  });

  it('fails with a readable reason when Shopify refuses the access token', async (ctx) => {
    t = await startTestApp(engine);
    if (!t) return ctx.skip();
    t.emulator.install(t.config.devShop, 'shpat_rotated_elsewhere');
    const { id } = (await (await submit(t, 'revoked@example.com')).json()) as { id: string };
    await syncAll(t);
    const lead = await t.runtime.storage.db.selectFrom('leads').select(['status', 'sync_error']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(lead.status).toBe('failed');
    expect(lead.sync_error).toContain('access token was refused');
  });
});

describe('a customer deleted in Shopify', () => {
  it('is recreated for the next lead with that email', async (ctx) => {
    const t = await startTestApp('sqlite');
    if (!t) return ctx.skip();
    try {
      await submit(t, 'deleted@example.com');
      await syncAll(t);
      const first = (await t.customerByEmail('deleted@example.com')) as { id: string };
      t.emulator.deleteCustomer(t.config.devShop, first.id);
      await submit(t, 'deleted@example.com', { message: 'Second message' });
      await syncAll(t);
      const second = (await t.customerByEmail('deleted@example.com')) as { id: string };
      expect(second.id).not.toBe(first.id);
      const statuses = await t.runtime.storage.db.selectFrom('leads').select('status').execute();
      expect(statuses.map((s) => s.status)).toEqual(['synced', 'synced']);
    } finally {
      await t.close();
    }
  });

  it('mid-sync is retried against the current record instead of failing the lead', async () => {
    const { syncLead } = await import('../shopify/lead-sync.js');
    const answers = [
      { ok: true, data: { customerByIdentifier: null }, cost: null },
      { ok: true, data: { customerCreate: { customer: { id: 'gid://shopify/Customer/1' }, userErrors: [] } }, cost: null },
      {
        ok: true,
        data: {
          metafieldsSet: { metafields: null, userErrors: [{ field: ['metafields', '0', 'ownerId'], message: 'Owner does not exist.', code: 'INVALID' }] },
        },
        cost: null,
      },
    ];
    const call = async () => answers.shift() as never;
    const lead = { source: 'contact_form', email: 'x@example.com', message: 'hi', created_at: new Date().toISOString() } as never;
    const outcome = await syncLead(call, lead, null);
    expect(outcome).toMatchObject({ kind: 'retry' });
    expect(answers).toEqual([]);
  });
});
