import type { Kysely } from 'kysely';
import * as z from 'zod';
import { newId, nowIso } from '../core/ids.js';
import { type CustomerRef, type LookupHash, customerLeadIds, eraseCustomer, eraseShop } from '../leads/erasure.js';
import { leadAttachments } from '../leads/uploads.js';
import { IDS_PER_STATEMENT, batches } from '../storage/batches.js';
import type { Engine } from '../storage/database.js';
import { readableRow } from '../storage/field-encryption.js';
import { customerRefColumn, parseJsonColumn } from '../storage/json-column.js';
import { CSV_BOM, csvRow } from '../core/csv.js';
import type { ComplianceTopic, Database, ErasureReason } from '../storage/tables.js';

/**
 * Shopify's compliance webhooks are recorded and answered at once; the work (gathering a data package, erasing)
 * happens here, from the worker, and each request is tracked until it is done.
 */
export async function recordComplianceRequest(
  db: Kysely<Database>,
  request: { shop: string; topic: ComplianceTopic; webhookId: string; customer: CustomerRef | null },
  clock: () => number = Date.now,
): Promise<string> {
  const id = newId();
  await db
    .insertInto('compliance_requests')
    .values({
      id,
      shop: request.shop,
      topic: request.topic,
      webhook_id: request.webhookId,
      customer: request.customer ? JSON.stringify(request.customer) : null,
      status: 'received',
      received_at: nowIso(clock),
      completed_at: null,
      result: null,
      package: null,
      delivered_at: null,
    })
    .execute();
  return id;
}

/** A request whose work threw: it stays waiting (its transaction rolled back) and is named, so others go first. */
export class ComplianceRequestFailed extends Error {
  override readonly name = 'ComplianceRequestFailed';
  constructor(
    readonly requestId: string,
    override readonly cause: unknown,
  ) {
    super('compliance request failed');
  }
}

/**
 * Works off one waiting request; false when none is waiting. Safe with several workers (row locks on PostgreSQL).
 * `skip` names requests that failed in this run: the oldest waiting request failing again and again must not keep
 * every other shop's requests waiting behind it.
 */
export async function processNextComplianceRequest(
  db: Kysely<Database>,
  engine: Engine,
  hash: LookupHash,
  clock: () => number = Date.now,
  skip: readonly string[] = [],
): Promise<boolean> {
  let requestId: string | undefined;
  return db
    .transaction()
    .execute(async (trx) => {
      const request = await trx
        .selectFrom('compliance_requests')
        .selectAll()
        .where('status', '=', 'received')
        .$if(skip.length > 0, (qb) => qb.where('id', 'not in', skip))
        .orderBy('received_at')
        .limit(1)
        .$if(engine === 'postgres', (qb) => qb.forUpdate().skipLocked())
        .executeTakeFirst();
      if (!request) return false;
      requestId = request.id;
      const named = parseJsonColumn(customerRefColumn, request.customer);
      // A customer request whose customer no longer reads (a damaged or unreadable cell) must not be marked done with
      // nothing erased: it fails, stays received with its own backoff, and is logged for a person to look at.
      if (!named && request.topic !== 'shop/redact') throw new Error('compliance request names no readable customer');
      const customer: CustomerRef = named ?? {};
      let result: Record<string, number> = {};
      let pkg: string | null = null;
      switch (request.topic) {
        case 'customers/data_request': {
          const data = await customerPackage(trx, request.shop, customer, hash);
          pkg = JSON.stringify({ customer, generated_at: nowIso(clock), ...data });
          result = { leads: data.leads.length, consent_records: data.consent_records.length };
          break;
        }
        case 'customers/redact': {
          result = await eraseCustomerData(trx, request.shop, customer, hash, 'customer_redact', clock);
          break;
        }
        case 'shop/redact': {
          const leads = await eraseShop(trx, request.shop);
          await trx.deleteFrom('rate_counters').where('key', 'like', `%:${request.shop}%`).execute();
          await trx.updateTable('compliance_requests').set({ package: null, customer: null }).where('shop', '=', request.shop).execute();
          await logErasure(trx, request.shop, 'shop_redact', leads, clock);
          result = { leads_erased: leads };
          break;
        }
      }
      // Who was asked about is personal data too: once done, only the counts and (for a data request) the package stay.
      await trx
        .updateTable('compliance_requests')
        .set({ status: 'done', completed_at: nowIso(clock), result: JSON.stringify(result), package: pkg, customer: null })
        .where('id', '=', request.id)
        .execute();
      return true;
    })
    .catch((error: unknown) => {
      throw requestId ? new ComplianceRequestFailed(requestId, error) : error;
    });
}

/**
 * A customer's erasure, whoever asked (Shopify's customers/redact, the customer in their account): their leads with
 * everything hanging off them, any data-request package naming them, and a count in the erasure log. In a transaction.
 */
export async function eraseCustomerData(
  db: Kysely<Database>,
  shop: string,
  customer: CustomerRef,
  hash: LookupHash,
  reason: ErasureReason,
  clock: () => number = Date.now,
): Promise<{ leads_erased: number; packages_erased: number }> {
  const leads = await eraseCustomer(db, shop, customer, hash);
  const packages = await erasePackagesOf(db, shop, customer);
  await logErasure(db, shop, reason, leads, clock);
  return { leads_erased: leads, packages_erased: packages };
}

export async function logErasure(db: Kysely<Database>, shop: string, reason: ErasureReason, leads: number, clock: () => number = Date.now): Promise<void> {
  await db
    .insertInto('erasure_log')
    .values({ id: newId(), shop, reason, leads_erased: leads, at: nowIso(clock) })
    .execute();
}

/** What a data-request package holds of each lead, in this order (JSON and CSV alike). */
const PACKAGE_COLUMNS = [
  'id',
  'created_at',
  'form_id',
  'email',
  'first_name',
  'last_name',
  'phone',
  'company',
  'birthday',
  'address',
  'message',
  'answers',
  'tags',
  'locale',
  'page',
  'email_consent',
  'sms_consent',
  'whatsapp_consent',
  'status',
  'shopify_customer_id',
  'synced_at',
  'source',
  'order_id',
] as const;

/** Everything the app holds about one customer, as a shop owner would hand it over. */
export async function customerPackage(db: Kysely<Database>, shop: string, customer: CustomerRef, hash: LookupHash) {
  const ids = await customerLeadIds(db, shop, customer, hash);
  if (!ids.length) return { leads: [], consent_records: [], notes: [], attachments: [] };
  // In slices (storage/batches.ts): anyone may send the form with this person's email, as often as the limits allow.
  // Each slice comes ordered; the stable sort below only merges slices.
  const slices = batches(ids, IDS_PER_STATEMENT);
  const leads = [];
  const consent_records = [];
  const notes = [];
  for (const slice of slices) {
    leads.push(
      ...(await db
        .selectFrom('leads')
        .select([...PACKAGE_COLUMNS])
        .where('id', 'in', slice)
        .orderBy('created_at')
        .execute()),
    );
    consent_records.push(
      ...(await db
        .selectFrom('consent_records')
        .select(['lead_id', 'channel', 'granted', 'text', 'text_sha256', 'locale', 'page', 'source', 'opt_in_level', 'recorded_at'])
        .where('lead_id', 'in', slice)
        .orderBy('recorded_at')
        .execute()),
    );
    // What staff wrote about the customer is theirs to see too.
    notes.push(
      ...(await db.selectFrom('lead_notes').select(['lead_id', 'kind', 'body', 'created_at']).where('lead_id', 'in', slice).orderBy('created_at').execute()),
    );
  }
  const byTime =
    <K extends string>(key: K) =>
    (a: Record<K, string>, b: Record<K, string>) =>
      a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0;
  leads.sort(byTime('created_at'));
  consent_records.sort(byTime('recorded_at'));
  notes.sort(byTime('created_at'));
  // A value that did not open is named as unreadable in the package rather than handed over as a marker.
  // The files they attached, by name, type, size and where Shopify keeps them (the shop's Files).
  const attachments = (await Promise.all(slices.map((slice) => leadAttachments(db, slice)))).flat().map((a) => ({
    lead_id: a.lead_id,
    filename: a.filename,
    type: a.detected_mime,
    size: a.declared_size,
    shopify_file_id: a.file_id,
    url: a.file_url,
    uploaded_at: a.created_at,
  }));
  return { leads: leads.map(readableRow), consent_records, notes: notes.map(readableRow), attachments };
}

async function erasePackagesOf(db: Kysely<Database>, shop: string, customer: CustomerRef): Promise<number> {
  const packages = await db.selectFrom('compliance_requests').select(['id', 'package']).where('shop', '=', shop).where('package', 'is not', null).execute();
  const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v).toLowerCase() : null);
  const same = (a: unknown, b: unknown) => text(a) !== null && text(a) === text(b);
  const matching = packages.filter((p) => {
    const opened = parseJsonColumn(z.object({ customer: customerRefColumn.optional() }), p.package);
    // Erased on doubt: a package that does not open can never be handed over (the download answers 503), so erasing it
    // costs no one anything, while keeping it might keep the very customer this redaction is for.
    if (!opened) return true;
    const held: CustomerRef = opened.customer ?? {};
    return same(held.id, customer.id) || same(held.email, customer.email) || same(held.phone, customer.phone);
  });
  // In slices (storage/batches.ts): a shop may hold more packages about one person than one `IN (...)` list may name.
  const ids = matching.map((p) => p.id);
  for (const slice of batches(ids, IDS_PER_STATEMENT)) await db.updateTable('compliance_requests').set({ package: null }).where('id', 'in', slice).execute();
  return matching.length;
}

/**
 * A data-request package is a full copy of one customer's data. Once the owner has downloaded it (delivered_at), the
 * app's copy has done its job: it is deleted `days` after that first delivery, leaving the request listed with its
 * counts and delivery time. A package not yet downloaded stays until it is. Returns how many were deleted.
 */
export async function purgeDeliveredPackages(db: Kysely<Database>, days: number, clock: () => number = Date.now): Promise<number> {
  const before = new Date(clock() - days * 86_400_000).toISOString();
  const result = await db
    .updateTable('compliance_requests')
    .set({ package: null })
    .where('package', 'is not', null)
    .where('delivered_at', '<', before)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A CSV of a data package, one row per lead, spreadsheet-safe. */
export function packageCsv(pkg: { leads: Array<Record<string, unknown>> }): string {
  return CSV_BOM + csvRow([...PACKAGE_COLUMNS]) + pkg.leads.map((lead) => csvRow(PACKAGE_COLUMNS.map((c) => lead[c]))).join('');
}
