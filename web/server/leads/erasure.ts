import type { Kysely } from 'kysely';
import { normalizePhone } from '../../../schema/submission.js';
import { type KeyedHash, everyHash } from '../storage/lookup-keys.js';
import { IDS_PER_STATEMENT, batches } from '../storage/batches.js';
import { lockLeads } from '../storage/row-locks.js';
import type { Database } from '../storage/tables.js';
import { doomLeadUploads } from './uploads.js';

/** A customer as Shopify names one in compliance webhooks: matched on id, email OR phone. */
export interface CustomerRef {
  id?: number | string | null;
  email?: string | null;
  phone?: string | null;
}

/** Keyed hash of a normalised email or phone (storage/lookup-keys.ts); matching tries every key a row may be under. */
export type LookupHash = KeyedHash;

function customerLeads(db: Kysely<Database>, shop: string, customer: CustomerRef, hash: LookupHash) {
  const id = customer.id === null || customer.id === undefined ? null : String(customer.id);
  const email = customer.email?.trim() ? everyHash(hash, customer.email) : null;
  const normalized = customer.phone ? normalizePhone(customer.phone) : null;
  const phone = normalized ? everyHash(hash, normalized) : null;
  return db
    .selectFrom('leads')
    .select('id')
    .where('shop', '=', shop)
    .where((w) =>
      w.or([
        ...(email ? [w('email_hash', 'in', email)] : []),
        ...(phone ? [w('phone_hash', 'in', phone)] : []),
        ...(id ? [w('logged_in_customer_id', '=', id), w('shopify_customer_id', '=', `gid://shopify/Customer/${id}`)] : []),
        // No identifier at all must match nothing, never everything.
        w.lit(false),
      ]),
    );
}

export async function customerLeadIds(db: Kysely<Database>, shop: string, customer: CustomerRef, hash: LookupHash): Promise<string[]> {
  return (await customerLeads(db, shop, customer, hash).execute()).map((r) => r.id);
}

/** Deletes the customer's leads with their consent records and outbox jobs; returns how many. Run it inside a transaction. */
export async function eraseCustomer(db: Kysely<Database>, shop: string, customer: CustomerRef, hash: LookupHash): Promise<number> {
  return removeLeads(db, await customerLeadIds(db, shop, customer, hash));
}

/**
 * Deletes leads with everything hanging off them: jobs, consent records, search terms, notes; returns how many were
 * still there. The leads are locked first (storage/row-locks.ts): a consent change or a correction of the same leads
 * either finishes before, or waits and then finds them gone. Run it in a transaction.
 */
export async function removeLeads(db: Kysely<Database>, ids: string[]): Promise<number> {
  const present = await lockLeads(db, ids);
  if (!present.length) return 0;
  // In slices: a person can have more leads than one `IN (...)` list may name (storage/batches.ts).
  for (const slice of batches(present, IDS_PER_STATEMENT)) {
    for (const table of ['outbox_jobs', 'consent_records', 'lead_terms', 'lead_notes', 'metafield_definition_leads', 'mail_messages', 'flow_events'] as const)
      await db.deleteFrom(table).where('lead_id', 'in', slice).execute();
    // Their attachments leave the shop's Files too: the worker deletes them (fileDelete) once this commits.
    await doomLeadUploads(db, slice);
    await db.deleteFrom('leads').where('id', 'in', slice).execute();
  }
  return present.length;
}

/** Deletes everything the app holds for a shop (leads and all hanging off them, staff roles, audit, counters, the shop and its token). Run it in a transaction. */
export async function eraseShop(db: Kysely<Database>, shop: string): Promise<number> {
  for (const table of [
    'outbox_jobs',
    'consent_records',
    'lead_terms',
    'lead_notes',
    'staff',
    'audit_log',
    'form_views',
    'metafield_definitions',
    'metafield_definition_leads',
    'mail_messages',
    'form_mail_settings',
    'flow_events',
    'flow_subscriptions',
    // 48 hours after uninstalling the app has no token left to delete the files with: the shop keeps them in its Files.
    'uploads',
  ] as const) {
    await db.deleteFrom(table).where('shop', '=', shop).execute();
  }
  const deleted = await db.deleteFrom('leads').where('shop', '=', shop).executeTakeFirst();
  await db.deleteFrom('shops').where('shop', '=', shop).execute();
  await db.deleteFrom('webhook_deliveries').where('shop', '=', shop).execute();
  return Number(deleted.numDeletedRows);
}
