import { createHmac } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDeclaredFlowTriggers } from '../dev/admin-emulator/flow.js';
import type { LeadDetail } from '../schema/workspace-api.js';
import { SyncWorker } from '../web/server/jobs/sync-worker.js';
import { enqueueJobs } from '../web/server/outbox/outbox.js';
import { createAdminClient } from '../web/server/shopify/admin-client.js';
import { FLOW_PAYLOAD_LIMIT_BYTES, consentChangedPayload, leadCapturedPayload, payloadBytes } from '../web/server/shopify/flow-trigger.js';
import { shopTokens } from '../web/server/shopify/shops.js';
import type { Lead } from '../web/server/storage/tables.js';
import { ENGINES } from './helpers/databases.js';
import { SECRET, SHOP, type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';
import { signedWebhook } from './helpers/webhook.js';

/** Issue 12 §2: Shopify Flow triggers "Lead captured" and "Lead consent changed". */

const lifecycleBody = (over: Record<string, unknown> = {}) => ({
  flow_trigger_definition_id: 'lead-captured',
  has_enabled_flow: true,
  shop_id: 690933842,
  shopify_domain: SHOP,
  timestamp: new Date().toISOString(),
  ...over,
});
const signed = (body: string, secret = SECRET): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64') },
  body,
});

describe.each(ENGINES)('Shopify Flow triggers on %s', (engine) => {
  let t: TestApp | null;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => t?.close());

  const subscriptions = () => t!.runtime.storage.db.selectFrom('flow_subscriptions').selectAll().orderBy('handle').execute();
  const lifecycle = (body: unknown) => t!.runtime.app.request('/flow/lifecycle', signed(JSON.stringify(body)));
  const received = () => t!.emulator.shopData(SHOP)!.flowTriggers;
  const submit = (email: string, over: Record<string, unknown> = {}) =>
    t!.proxy('/submit', jsonPost({ email, email_marketing_consent: true, form_id: 'wholesale', rendered_at: Date.now() - 10_000, ...over }));
  const detailOf = async (id: string) =>
    (await (await t!.runtime.app.request(`/api/leads/${id}`, { headers: { authorization: `Bearer ${await t!.staffToken('owner')}` } })).json()) as LeadDetail;

  it('the lifecycle callback refuses what Shopify did not sign, or is not a callback, and writes nothing', async (ctx) => {
    if (!t) return ctx.skip();
    const body = JSON.stringify(lifecycleBody());
    const cases: Array<[string, RequestInit, number, string]> = [
      ['no signature', { method: 'POST', headers: { 'content-type': 'application/json' }, body }, 401, 'missing_hmac'],
      ['another secret', signed(body, 'not-the-app-secret'), 401, 'invalid_hmac'],
      ['a body changed after signing', { ...signed(body), body: body.replace('true', 'false') }, 401, 'invalid_hmac'],
      ['an empty body', signed(''), 401, 'missing_body'],
      ['JSON that does not parse', signed('{"flow_trigger_definition_id":'), 400, 'malformed_json'],
      ['no has_enabled_flow', signed(JSON.stringify({ ...lifecycleBody(), has_enabled_flow: undefined })), 422, 'invalid_payload'],
      ['a shop that is not a myshopify domain', signed(JSON.stringify(lifecycleBody({ shopify_domain: 'evil.example.com' }))), 422, 'invalid_payload'],
      ['a timestamp that is not one', signed(JSON.stringify(lifecycleBody({ timestamp: 'yesterday' }))), 422, 'invalid_payload'],
      ['a trigger of another app', signed(JSON.stringify(lifecycleBody({ flow_trigger_definition_id: 'order-shipped' }))), 422, 'unknown_trigger'],
      ['a body over 4 KB', signed(JSON.stringify(lifecycleBody({ padding: 'x'.repeat(5000) }))), 413, ''],
    ];
    for (const [what, init, status, reason] of cases) {
      const response = await t.runtime.app.request('/flow/lifecycle', init);
      expect(response.status, what).toBe(status);
      if (reason) expect(((await response.json()) as { error: string }).error, what).toBe(reason);
    }
    expect(await subscriptions()).toEqual([]);
  });

  it('sends nothing to a shop whose Flow does not listen', async (ctx) => {
    if (!t) return ctx.skip();
    const response = await submit('flow-deaf@example.com');
    const { id } = (await response.json()) as { id: string };
    await t.runtime.worker.drain();
    expect(received()).toEqual([]);
    expect((await detailOf(id)).flow).toEqual([]);
  });

  it('stores per shop and trigger whether Flow listens; an older callback changes nothing', async (ctx) => {
    if (!t) return ctx.skip();
    const now = Date.now();
    expect((await lifecycle(lifecycleBody({ timestamp: new Date(now).toISOString() }))).status).toBe(200);
    const late = await lifecycle(lifecycleBody({ has_enabled_flow: false, timestamp: new Date(now - 60_000).toISOString() }));
    expect(late.status).toBe(200);
    expect(((await late.json()) as { changed: boolean }).changed).toBe(false);
    // Shopify's example names the trigger by its title.
    expect((await lifecycle(lifecycleBody({ flow_trigger_definition_id: 'Lead consent changed', timestamp: new Date(now).toISOString() }))).status).toBe(200);
    expect((await subscriptions()).map((s) => [s.shop, s.handle, s.enabled])).toEqual([
      [SHOP, 'lead-captured', 1],
      [SHOP, 'lead-consent-changed', 1],
    ]);
  });

  it('sends "Lead captured" once per lead, after the sync, with the customer and the lead; the workspace shows it went out', async (ctx) => {
    if (!t) return ctx.skip();
    const before = received().length;
    const response = await submit('flow-yes@example.com', { sms_marketing_consent: true, sms_consent_text: 'Texts', phone: '+33 6 70 00 00 01' });
    const { id } = (await response.json()) as { id: string };
    // Nothing in the request path: the trigger waits for the worker.
    expect(received().length).toBe(before);
    await t.runtime.worker.drain();
    await t.runtime.worker.drain();
    const mine = received().filter((r) => r.payload['Lead id'] === id);
    expect(mine).toHaveLength(1);
    const customer = (await t.customerByEmail('flow-yes@example.com')) as { id: string };
    expect(mine[0]).toMatchObject({
      handle: 'lead-captured',
      payload: {
        customer_id: Number(customer.id.split('/').pop()),
        Form: 'wholesale',
        Source: 'contact_form',
        'Email consent': true,
        'SMS consent': true,
        'WhatsApp consent': false,
      },
    });
    expect(String(mine[0]!.payload['Workspace link'])).toContain(`lead=${id}`);
    const detail = await detailOf(id);
    expect(detail.flow).toEqual([{ handle: 'lead-captured', created_at: expect.any(String), sent_at: expect.any(String), outcome: 'sent' }]);
  });

  it('sends "Lead captured" for a lead without consent too, at once and without a customer', async (ctx) => {
    if (!t) return ctx.skip();
    const response = await submit('flow-no@example.com', { email_marketing_consent: false });
    const { id } = (await response.json()) as { id: string };
    await t.runtime.worker.drain();
    const mine = received().filter((r) => r.payload['Lead id'] === id);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.payload).not.toHaveProperty('customer_id');
    expect(mine[0]!.payload['Email consent']).toBe(false);
  });

  it("two workers on one database, with the job queued twice, send a lead's trigger once", async (ctx) => {
    if (!t) return ctx.skip();
    const response = await submit('flow-race@example.com', { email_marketing_consent: false });
    const { id } = (await response.json()) as { id: string };
    const { db } = t.runtime.storage;
    // A duplicate job, as a retry or a second instance could leave.
    await enqueueJobs(db, [{ shop: SHOP, leadId: id, kind: 'flow_trigger' }]);
    const worker = () =>
      new SyncWorker({
        db,
        engine: t!.runtime.storage.engine,
        client: createAdminClient({ origin: t!.config.adminApiOrigin, timeoutMs: 2000 }),
        tokens: shopTokens(db, t!.config.keyring),
        log: pino({ level: 'silent' }),
      });
    await Promise.all([worker().drain(), worker().drain(), t.runtime.worker.drain()]);
    expect(received().filter((r) => r.payload['Lead id'] === id)).toHaveLength(1);
    const jobs = await db.selectFrom('outbox_jobs').select(['state']).where('lead_id', '=', id).where('kind', '=', 'flow_trigger').execute();
    expect(jobs.map((j) => j.state)).toEqual(['done', 'done']);
  });

  it('sends "Lead consent changed" once per change Shopify reports, and nothing after Flow stops listening', async (ctx) => {
    if (!t) return ctx.skip();
    const phone = '+33670000002';
    const response = await submit('flow-consent@example.com', { sms_marketing_consent: true, sms_consent_text: 'Texts', phone });
    const { id } = (await response.json()) as { id: string };
    await t.runtime.worker.drain();
    const customer = (await t.customerByEmail('flow-consent@example.com')) as { id: string };
    const change = signedWebhook('customers_marketing_consent/update', {
      id: Number(customer.id.split('/').pop()),
      phone,
      sms_marketing_consent: { state: 'unsubscribed', opt_in_level: 'single_opt_in', consent_updated_at: new Date().toISOString() },
    });
    expect((await t.runtime.app.request('/webhooks/customers_marketing_consent/update', change)).status).toBe(200);
    // Shopify's retry of the same delivery owes nothing more.
    expect((await t.runtime.app.request('/webhooks/customers_marketing_consent/update', change)).status).toBe(200);
    await t.runtime.worker.drain();
    const changes = received().filter((r) => r.handle === 'lead-consent-changed' && r.payload['Lead id'] === id);
    expect(changes).toHaveLength(1);
    expect(changes[0]!.payload).toMatchObject({ Channel: 'sms', Subscribed: false, State: 'unsubscribed', customer_id: Number(customer.id.split('/').pop()) });

    expect((await lifecycle(lifecycleBody({ flow_trigger_definition_id: 'lead-consent-changed', has_enabled_flow: false }))).status).toBe(200);
    const again = signedWebhook('customers_marketing_consent/update', {
      id: Number(customer.id.split('/').pop()),
      phone,
      sms_marketing_consent: { state: 'subscribed', opt_in_level: 'single_opt_in', consent_updated_at: new Date().toISOString() },
    });
    expect((await t.runtime.app.request('/webhooks/customers_marketing_consent/update', again)).status).toBe(200);
    await t.runtime.worker.drain();
    expect(received().filter((r) => r.handle === 'lead-consent-changed' && r.payload['Lead id'] === id)).toHaveLength(1);
  });
});

describe('Flow trigger payloads and the emulator', () => {
  const triggers = readDeclaredFlowTriggers();
  const lead = {
    id: 'lead1',
    shopify_customer_id: 'gid://shopify/Customer/42',
    form_id: 'contact',
    source: 'contact_form',
    email_consent: 1,
    sms_consent: 0,
    whatsapp_consent: 1,
    tags: JSON.stringify(['vip', 'wholesale']),
    answers: JSON.stringify([
      { key: 'how_heard', kind: 'select', value: 'Instagram' },
      { key: 'salary', kind: 'text', value: 'injected', held: 'unsigned' },
    ]),
  } as unknown as Lead;

  it('sends only keys the extensions declare, with their types (the TOML and the code agree)', () => {
    const captured = leadCapturedPayload(lead, 'https://admin.shopify.com/store/x/apps/contact-capture?lead=lead1');
    expect(Object.keys(captured).sort()).toEqual([...triggers.get('lead-captured')!.fields.keys()].sort());
    expect(captured).toMatchObject({ customer_id: 42, Tags: 'vip, wholesale', Answers: 'how_heard: Instagram', 'WhatsApp consent': true });
    const changed = consentChangedPayload(lead, { channel: 'whatsapp', granted: true, state: 'subscribed' }, 'https://x.example/app?lead=lead1');
    expect(Object.keys(changed).sort()).toEqual([...triggers.get('lead-consent-changed')!.fields.keys()].sort());
  });

  it('cuts the answers so the payload stays within the 50 KB limit', () => {
    const long = {
      ...lead,
      answers: JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, kind: 'textarea', value: 'é'.repeat(1500) }))),
    } as Lead;
    const payload = leadCapturedPayload(long, 'https://x.example/app?lead=lead1');
    expect(payloadBytes(payload)).toBeLessThanOrEqual(FLOW_PAYLOAD_LIMIT_BYTES);
    expect(String(payload.Answers)).toMatch(/ \[…\]$/);
  });
});
