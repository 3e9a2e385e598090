import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { processNextComplianceRequest } from '../web/server/privacy/compliance.js';
import { SHOP, type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';
import { signedWebhook } from './helpers/webhook.js';

/**
 * A compliance request whose stored value does not open (a key taken out of ENCRYPTION_KEYS too early, a damaged
 * ciphertext) is a fault to report and retry, never a request answered as if the customer had nothing: the value
 * may open again once the key is back, and what was asked must then still be done.
 */
const ANNA = { email: 'anna.damaged@example.com', first_name: 'Annabelle', message: 'keep me until redacted' };
/** Another row's ciphertext: bound to its own row, so it does not open here (storage/field-encryption.ts). */
const damage = async (t: TestApp, column: 'customer' | 'package', id: string) => {
  const db = t.runtime.storage.db;
  const other = (await sql<{ v: string }>`select email as v from leads limit 1`.execute(db)).rows[0]!.v;
  await sql`update compliance_requests set ${sql.ref(column)} = ${other} where id = ${id}`.execute(db);
};

describe('compliance values that do not open', () => {
  let t: TestApp | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });
  const requestOf = async (topic: string) =>
    t!.runtime.storage.db
      .selectFrom('compliance_requests')
      .select(['id', 'status', 'result', 'delivered_at'])
      .where('topic', '=', topic as never)
      .executeTakeFirstOrThrow();

  it('customers/redact with an unreadable customer is not completed as a redaction of nobody', async () => {
    t = (await startTestApp('sqlite', { SYNC_WORKER: 'off' }))!;
    expect((await t.proxy('/submit', jsonPost({ ...ANNA, rendered_at: Date.now() - 10_000 }))).status).toBe(202);
    await t.runtime.app.request(
      '/webhooks/customers/redact',
      signedWebhook('customers/redact', { shop_id: 1, shop_domain: SHOP, customer: { id: 1, email: ANNA.email, phone: null } }),
    );
    const request = await requestOf('customers/redact');
    await damage(t, 'customer', request.id);
    const { db, engine } = t.runtime.storage;
    await processNextComplianceRequest(db, engine, t.runtime.lookupHash).catch(() => false);
    const after = await requestOf('customers/redact');
    // Done with leads_erased 0 would tell the shop the customer was redacted, and the customer column is then gone.
    expect(after.status).toBe('received');
  });

  it('a data-request package that does not open is not recorded as delivered, nor answered as absent', async () => {
    t = (await startTestApp('sqlite', { SYNC_WORKER: 'off' }))!;
    expect((await t.proxy('/submit', jsonPost({ ...ANNA, rendered_at: Date.now() - 10_000 }))).status).toBe(202);
    await t.runtime.app.request(
      '/webhooks/customers/data_request',
      signedWebhook('customers/data_request', { shop_id: 1, shop_domain: SHOP, customer: { id: 1, email: ANNA.email, phone: null }, data_request: { id: 9 } }),
    );
    const { db, engine } = t.runtime.storage;
    while (await processNextComplianceRequest(db, engine, t.runtime.lookupHash));
    const request = await requestOf('customers/data_request');
    await damage(t, 'package', request.id);
    const response = await t.runtime.app.request(`/api/compliance/requests/${request.id}/package`, {
      headers: { authorization: `Bearer ${await t.sessionToken()}` },
    });
    expect(((await response.json()) as { error: string }).error).not.toBe('package_not_found');
    expect(response.status).not.toBe(200);
    // Marked delivered, the package would be purged DATA_REQUEST_PACKAGE_DAYS later without the owner ever having it.
    expect((await requestOf('customers/data_request')).delivered_at).toBeNull();
  });

  // Erased on doubt (privacy/compliance.ts): an unreadable package can never be delivered, so nothing is lost.
  it('customers/redact erases a package that may hold that customer but does not open', async () => {
    t = (await startTestApp('sqlite', { SYNC_WORKER: 'off' }))!;
    expect((await t.proxy('/submit', jsonPost({ ...ANNA, rendered_at: Date.now() - 10_000 }))).status).toBe(202);
    const { db, engine } = t.runtime.storage;
    await t.runtime.app.request(
      '/webhooks/customers/data_request',
      signedWebhook('customers/data_request', { shop_id: 1, shop_domain: SHOP, customer: { id: 1, email: ANNA.email, phone: null }, data_request: { id: 9 } }),
    );
    while (await processNextComplianceRequest(db, engine, t.runtime.lookupHash));
    await damage(t, 'package', (await requestOf('customers/data_request')).id);
    await t.runtime.app.request(
      '/webhooks/customers/redact',
      signedWebhook('customers/redact', { shop_id: 1, shop_domain: SHOP, customer: { id: 1, email: ANNA.email, phone: null } }),
    );
    await processNextComplianceRequest(db, engine, t.runtime.lookupHash).catch(() => false);
    const redact = await requestOf('customers/redact');
    const pkg = await db.selectFrom('compliance_requests').select('package').where('topic', '=', 'customers/data_request').executeTakeFirstOrThrow();
    // Either the redaction waits (received) or the package that may be Anna's is gone; not "done" with it kept.
    expect(redact.status).toBe('done');
    expect(pkg.package).toBeNull();
  });
});
