import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSubmission } from '../schema/submission.js';
import { mintCheckoutToken } from '../dev/session-token.js';
import { expectedFailure } from '../web/server/http/errors.js';
import { type IntakeInput, LeadIntake } from '../web/server/leads/intake.js';
import { type Storage, openStorage } from '../web/server/storage/database.js';
import { lookupHasher } from '../web/server/storage/keyring.js';
import { ENGINES, freshDatabaseUrl } from './helpers/databases.js';
import { rowCounts } from './helpers/db.js';
import { API_KEY, SECRET, SHOP, type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';
import { signedWebhook } from './helpers/webhook.js';

/**
 * Principle 9, "a failure stays with its request": a row the database refuses fails alone, and the rest of its
 * group-commit batch commits; and no text reaches the database with a byte PostgreSQL refuses, from any entry point.
 */
const NUL = '\u0000';

function input(n: number, overrides: Partial<IntakeInput> = {}): IntakeInput {
  const parsed = parseSubmission({ email: `batch${n}@example.com`, email_marketing_consent: true, consent_text: 'Send me news.', first_name: 'Batch' });
  if (!parsed.ok) throw new Error('fixture does not parse');
  return {
    shop: SHOP,
    loggedInCustomerId: null,
    submission: parsed.value,
    idempotencyKey: `batch-key-${n}-${Date.now()}`,
    locale: 'en',
    clientIp: `10.0.0.${n % 250}`,
    tags: [],
    ...overrides,
  };
}

describe.each(ENGINES)('group commit on %s', (engine) => {
  let storage: Storage | null = null;
  let drop: () => Promise<void> = async () => {};
  beforeAll(async () => {
    const database = await freshDatabaseUrl(engine);
    if (!database) return;
    drop = database.drop;
    storage = await openStorage(database.url);
  });
  afterAll(async () => {
    await storage?.close();
    await drop();
  });

  const run = async (poison: IntakeInput) => {
    const intake = new LeadIntake(storage!.db, lookupHasher(SECRET), { perIpPerMinute: 1000, perShopPerMinute: 100_000 });
    const before = await rowCounts(storage!.db);
    // All in one tick: they join one batch.
    const legit = Array.from({ length: 35 }, (_, i) => intake.accept(input(i)));
    const bad = intake.accept(poison);
    const settled = await Promise.allSettled(legit);
    const badOutcome = await bad.then(
      () => 'committed',
      (error: unknown) => error,
    );
    await intake.flush();
    const after = await rowCounts(storage!.db);
    return { settled, badOutcome, before, after };
  };

  it('a row the database refuses (NOT NULL) fails alone; the other 35 of its batch are acknowledged and committed', async (ctx) => {
    if (!storage) return ctx.skip();
    // Below validation: a value no entry point would send, refused by the database itself on both engines.
    const { settled, badOutcome, before, after } = await run(input(99, { locale: null as unknown as string }));
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(35);
    expect(badOutcome).toBeInstanceOf(Error);
    expect(after).toEqual({ leads: before.leads + 35, consents: before.consents + 35, jobs: before.jobs + 35 });
  });

  it('batches written at once keep replays and the per-IP limit exact', async (ctx) => {
    if (!storage) return ctx.skip();
    // Three batches at a time, as on PostgreSQL in production (root.ts); SQLite's one connection takes them in turn.
    const intake = new LeadIntake(storage.db, lookupHasher(SECRET), { perIpPerMinute: 6, perShopPerMinute: 100_000 }, Date.now, undefined, {}, 3);
    const before = await rowCounts(storage.db);
    const stamp = Date.now();
    const replays: Array<Promise<{ lead: { id: string }; replayed: boolean }>[]> = Array.from({ length: 6 }, () => []);
    // Settled as they come: a refusal is not left unhandled while the rounds go on.
    const limited: Promise<{ ok: true } | { ok: false; error: unknown }>[] = [];
    // Nine rounds, each in its own tick, so that they land in different batches, several of them written at once: in
    // the first six, each key is sent once (the same body: a retry) from its own address; every round, one address
    // sends a new lead, three past its limit of six.
    for (let round = 0; round < 9; round++) {
      if (round < 6)
        for (let k = 0; k < 6; k++) replays[k]!.push(intake.accept(input(200 + k, { idempotencyKey: `concurrent-${stamp}-${k}`, clientIp: `10.9.${k}.1` })));
      limited.push(
        intake.accept(input(300 + round, { clientIp: '10.9.99.1' })).then(
          () => ({ ok: true as const }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
      );
      await new Promise((resolve) => setImmediate(resolve));
    }
    const outcomes = await Promise.all(replays.map((results) => Promise.all(results)));
    for (const results of outcomes) {
      expect(new Set(results.map((r) => r.lead.id)).size).toBe(1);
      expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    }
    const settled = await Promise.all(limited);
    expect(settled.filter((s) => s.ok)).toHaveLength(6);
    expect(settled.map((s) => (s.ok ? 202 : expectedFailure(s.error)?.status)).filter((status) => status !== 202)).toEqual([429, 429, 429]);
    await intake.flush();
    expect(await rowCounts(storage.db)).toEqual({ leads: before.leads + 12, consents: before.consents + 12, jobs: before.jobs + 12 });
  });

  it.runIf(engine === 'postgres')('a NUL byte in a consent text that slipped past validation fails its own row only', async (ctx) => {
    if (!storage) return ctx.skip();
    const poisoned = input(98);
    poisoned.submission = { ...poisoned.submission, consent_text: `Send me news.${NUL}` };
    const { settled, badOutcome, before, after } = await run(poisoned);
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(35);
    // The domain names the failure; the HTTP layer answers it 422.
    expect(expectedFailure(badOutcome)).toMatchObject({ status: 422, reason: 'unstorable_value' });
    expect(after).toEqual({ leads: before.leads + 35, consents: before.consents + 35, jobs: before.jobs + 35 });
  });
});

describe.each(ENGINES)('one text rule at every entry point on %s', (engine) => {
  let t: TestApp | null;
  let order = 880_000;
  beforeAll(async () => {
    t = await startTestApp(engine, { RATE_LIMIT_PER_IP_PER_MINUTE: '100000', RATE_LIMIT_PER_SHOP_PER_MINUTE: '100000' });
  });
  afterAll(async () => t?.close());

  const submit = (n: number) =>
    t!.proxy('/submit', jsonPost({ email: `legit${n}@example.com`, email_marketing_consent: true, rendered_at: Date.now() - 10_000 }));
  const answers = async (attributes: Record<string, string>) =>
    t!.runtime.app.request('/checkout/answers', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await mintCheckoutToken({ shop: SHOP, apiKey: API_KEY, secret: SECRET })}` },
      body: JSON.stringify({ order_id: `gid://shopify/OrderIdentity/${++order}`, attributes }),
    });
  const orderCreated = (attributes: Record<string, string>, customer: Record<string, unknown> = {}) => {
    const id = ++order;
    return {
      id,
      request: t!.runtime.app.request(
        '/webhooks/orders/create',
        signedWebhook('orders/create', {
          id,
          email: `buyer${id}@example.com`,
          customer: { id, email: `buyer${id}@example.com`, ...customer },
          note_attributes: Object.entries(attributes).map(([name, value]) => ({ name, value })),
        }),
      ),
    };
  };

  it('36 concurrent submissions with NUL bytes among them: every legitimate one 202, the thank-you post 400, the order kept without the bytes', async (ctx) => {
    if (!t) return ctx.skip();
    const legit = Array.from({ length: 34 }, (_, i) => submit(i));
    const thankYou = answers({ cc_heard_about: 'Radio', cc_consent: 'yes', cc_consent_text: `Keep my answers.${NUL}` });
    const hook = orderCreated(
      { cc_heard_about: `Pod${NUL}cast`, cc_company: 'Atelier', cc_consent: 'yes', cc_consent_text: `Keep${NUL} my answers.` },
      { first_name: `In${NUL}ès`, last_name: 'Moreau' },
    );
    const statuses = (await Promise.all(legit)).map((r) => r.status);
    expect(statuses).toEqual(Array(34).fill(202));
    const refused = await thankYou;
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toBe('invalid_body');
    const delivered = await hook.request;
    expect(delivered.status).toBe(200);
    // Shopify accepted the order: the field that breaks the rule is dropped, the rest kept, the consent text cleaned.
    expect(await delivered.json()).toMatchObject({ ok: true, status: 'pending', rejected: 1 });
    const db = t.runtime.storage.db;
    const lead = await db
      .selectFrom('leads')
      .select(['id', 'answers', 'first_name'])
      .where('order_id', '=', `gid://shopify/Order/${hook.id}`)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(lead.answers ?? '[]')).toEqual([{ key: 'company', kind: 'text', value: 'Atelier' }]);
    expect(lead.first_name).toBe('Inès');
    const consent = await db.selectFrom('consent_records').select(['text']).where('lead_id', '=', lead.id).executeTakeFirstOrThrow();
    expect(consent.text).toBe('Keep my answers.');
  });

  it('the workspace refuses control characters in notes and filters with a 400', async (ctx) => {
    if (!t) return ctx.skip();
    const created = await submit(1000);
    const { id } = (await created.json()) as { id: string };
    const token = await t.staffToken('owner');
    const auth = { authorization: `Bearer ${token}` };
    const note = await t.runtime.app.request(`/api/leads/${id}/notes`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ body: `Called${NUL} back` }),
    });
    expect(note.status).toBe(400);
    for (const query of [`form=a${NUL}b`, `tag=a${NUL}b`, `q=a${NUL}b`, `cursor=a${NUL}b`]) {
      const list = await t.runtime.app.request(`/api/leads?${query.replace(NUL, '%00')}`, { headers: auth });
      expect(list.status, query).toBe(400);
    }
    for (const path of ['/api/leads/a%00b', '/api/leads/a%00b/consent', '/api/compliance/requests/a%01/package', '/api/audit?before=2026%00']) {
      const response = await t.runtime.app.request(path, { headers: auth });
      expect(response.status, path).toBe(400);
    }
  });

  it('a consent webhook whose state carries a control character is refused with a 400 and records nothing', async (ctx) => {
    if (!t) return ctx.skip();
    const before = await rowCounts(t.runtime.storage.db);
    const response = await t.runtime.app.request(
      '/webhooks/customers_email_marketing_consent/update',
      signedWebhook('customers_email_marketing_consent/update', {
        customer_id: 1,
        email_address: 'legit1000@example.com',
        email_marketing_consent: { state: `UNSUBSCRIBED${NUL}`, opt_in_level: 'SINGLE_OPT_IN', consent_updated_at: null },
      }),
    );
    expect(response.status).toBe(400);
    expect(await rowCounts(t.runtime.storage.db)).toEqual(before);
  });
});
