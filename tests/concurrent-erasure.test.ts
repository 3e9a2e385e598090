import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processNextComplianceRequest } from '../web/server/privacy/compliance.js';
import { recordConsentChange } from '../web/server/privacy/consent-ledger.js';
import { ENGINES } from './helpers/databases.js';
import { SECRET, SHOP, type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';
import { signedWebhook } from './helpers/webhook.js';

/**
 * Consent changes, self-service corrections and erasures of the same customer, at the same time (on PostgreSQL they
 * really run in parallel): none answers 500. A change that finds the data erased meanwhile gets a 4xx with a reason, or
 * records nothing; nothing is left half done.
 */
const formToken = (customer: string) =>
  createHmac('sha256', SECRET)
    .update(`self-service:${SHOP}:${customer}:${new Date().toISOString().slice(0, 10)}`)
    .digest('hex');
const form = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

describe.each(ENGINES)('consent, correction and erasure racing on %s', (engine) => {
  let t: TestApp | null;
  beforeAll(async () => {
    t = await startTestApp(
      engine,
      { RATE_LIMIT_PER_IP_PER_MINUTE: '100000', RATE_LIMIT_PER_SHOP_PER_MINUTE: '100000', SYNC_WORKER: 'off' },
      process.env.DEBUG_LOG ? (await import('pino')).default({ level: 'error' }) : undefined,
    );
  });
  afterAll(async () => t?.close());

  const seed = async (customer: string, leads: number) => {
    for (let n = 0; n < leads; n++) {
      const response = await t!.proxy('/submit', {
        ...jsonPost({
          email: `racer${customer}@example.com`,
          first_name: 'Racer',
          email_marketing_consent: true,
          rendered_at: Date.now() - 10_000,
          message: `lead ${n}`,
        }),
        customerId: customer,
      });
      expect(response.status).toBe(202);
    }
  };
  const consentWebhook = (customer: string, state: string) =>
    t!.runtime.app.request(
      '/webhooks/customers_email_marketing_consent/update',
      signedWebhook('customers_email_marketing_consent/update', {
        customer_id: Number(customer),
        email_address: `racer${customer}@example.com`,
        email_marketing_consent: { state, opt_in_level: 'SINGLE_OPT_IN', consent_updated_at: null },
      }),
    );
  const correct = (customer: string, n: number) =>
    t!.proxy('/privacy/correct', {
      ...form({ token: formToken(customer), first_name: `Racer${n}`, last_name: 'Corrected', phone: `+3361200${String(n).padStart(4, '0')}`, locale: 'en' }),
      customerId: customer,
    });
  const erase = (customer: string) =>
    t!.proxy('/privacy/delete', { ...form({ token: formToken(customer), confirm: 'on', locale: 'en' }), customerId: customer });

  it('self-service corrections, deletions and consent webhooks of one customer never answer 500, and the deletion is complete', async (ctx) => {
    if (!t) return ctx.skip();
    const statuses: number[] = [];
    for (let round = 0; round < 12; round++) {
      const customer = String(700_000 + round);
      await seed(customer, 6);
      const responses = await Promise.all([
        correct(customer, 1),
        consentWebhook(customer, 'UNSUBSCRIBED'),
        erase(customer),
        correct(customer, 2),
        consentWebhook(customer, 'SUBSCRIBED'),
        erase(customer),
        correct(customer, 3),
      ]);
      statuses.push(...responses.map((r) => r.status));
      const left = await t.runtime.storage.db.selectFrom('leads').select('id').where('logged_in_customer_id', '=', customer).execute();
      expect(left).toEqual([]);
    }
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    // What a request that came too late gets: a reason, not a crash.
    expect(new Set(statuses.filter((s) => s >= 400))).toSatisfy((codes: Set<number>) => [...codes].every((c) => c === 404 || c === 409));
  }, 60_000);

  it('a staff correction racing a staff deletion of the same lead: 200 or 404, never 500', async (ctx) => {
    if (!t) return ctx.skip();
    const auth = { authorization: `Bearer ${await t.staffToken('owner')}` };
    const statuses: number[] = [];
    for (let round = 0; round < 12; round++) {
      const customer = String(720_000 + round);
      await seed(customer, 1);
      const { id } = await t.runtime.storage.db.selectFrom('leads').select('id').where('logged_in_customer_id', '=', customer).executeTakeFirstOrThrow();
      const patch = (n: number) =>
        t!.runtime.app.request(`/api/leads/${id}`, {
          method: 'PATCH',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ email: `fixed${n}.${customer}@example.com`, first_name: `Fixed${n}` }),
        });
      const responses = await Promise.all([
        patch(1),
        t.runtime.app.request(`/api/leads/${id}`, { method: 'DELETE', headers: auth }),
        patch(2),
        consentWebhook(customer, 'UNSUBSCRIBED'),
      ]);
      statuses.push(...responses.map((r) => r.status));
      expect(await t.runtime.storage.db.selectFrom('leads').select('id').where('id', '=', id).execute()).toEqual([]);
    }
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.every((s) => [200, 204, 404].includes(s))).toBe(true);
  }, 60_000);

  it('a consent change recorded while the customer is erased (customers/redact) records nothing for the erased leads and fails nothing', async (ctx) => {
    if (!t) return ctx.skip();
    const db = t.runtime.storage.db;
    for (let round = 0; round < 12; round++) {
      const customer = String(710_000 + round);
      await seed(customer, 6);
      const redact = await t.runtime.app.request(
        '/webhooks/customers/redact',
        signedWebhook('customers/redact', {
          shop_id: 1,
          shop_domain: SHOP,
          customer: { id: Number(customer), email: `racer${customer}@example.com`, phone: null },
          orders_to_redact: [],
        }),
      );
      expect(redact.status).toBe(200);
      const outcomes = await Promise.allSettled([
        recordConsentChange(db, SHOP, { id: customer }, { channel: 'email', state: 'UNSUBSCRIBED', optInLevel: null, at: null }, t.runtime.lookupHash),
        processNextComplianceRequest(db, t.runtime.storage.engine, t.runtime.lookupHash),
        recordConsentChange(db, SHOP, { id: customer }, { channel: 'email', state: 'SUBSCRIBED', optInLevel: null, at: null }, t.runtime.lookupHash),
        Promise.resolve(consentWebhook(customer, 'UNSUBSCRIBED')).then((r) => r.status),
      ]);
      expect(outcomes.filter((o) => o.status === 'rejected').map((o) => String(o.reason))).toEqual([]);
      expect((outcomes[3] as PromiseFulfilledResult<number>).value).toBe(200);
      while (await processNextComplianceRequest(db, t.runtime.storage.engine, t.runtime.lookupHash));
      const left = await db.selectFrom('leads').select('id').where('logged_in_customer_id', '=', customer).execute();
      expect(left).toEqual([]);
    }
  }, 60_000);
});
