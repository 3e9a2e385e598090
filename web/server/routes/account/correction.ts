import type { Kysely } from 'kysely';
import * as z from 'zod/mini';
import { ADDRESS_PARTS, type AddressPart, postalAddressJson } from '../../../../schema/contact-fields.js';
import type { FieldErrorCode } from '../../../../schema/fields.js';
import { normalizePhone, submissionSchema } from '../../../../schema/submission.js';
import { notFound } from '../../core/errors.js';
import { customerLeadIds } from '../../leads/erasure.js';
import { reindexLeads } from '../../leads/lead-terms.js';
import type { TermHasher } from '../../leads/search-terms.js';
import { enqueueSync } from '../../outbox/outbox.js';
import type { ProposedChanges } from '../../shopify/proposed-changes.js';
import { IDS_PER_STATEMENT, batches } from '../../storage/batches.js';
import { lockLeads, transactionWithRetry } from '../../storage/row-locks.js';
import { addressColumn, parseJsonColumn } from '../../storage/json-column.js';
import type { Database } from '../../storage/tables.js';

/**
 * What a customer corrects from their account: names, phone and postal address (what they said at the time, the
 * message and answers, stays as it was; the email is Shopify's own account login). Validated by the storefront
 * form's own rules (the submission schema's shapes).
 */
export const OWN_FIELDS = ['first_name', 'last_name', 'phone', ...ADDRESS_PARTS] as const;
type OwnField = (typeof OWN_FIELDS)[number];

const shape = submissionSchema.shape;
const ownSchema = z.strictObject(Object.fromEntries(OWN_FIELDS.map((name) => [name, shape[name]])) as Pick<typeof shape, OwnField>);
export type OwnCorrection = { given: OwnField[]; value: z.output<typeof ownSchema> };

/** A field sent empty clears it; a field left out stays. Null when the body is not an object of text. */
export function parseOwnCorrection(
  input: unknown,
): { ok: true; correction: OwnCorrection } | { ok: false; fields: Record<string, FieldErrorCode | 'unknown_field' | 'not_text'> } {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return { ok: false, fields: { _: 'not_text' } };
  const entries = Object.entries(input as Record<string, unknown>);
  const fields: Record<string, FieldErrorCode | 'unknown_field' | 'not_text'> = {};
  for (const [key, value] of entries) {
    if (!(OWN_FIELDS as readonly string[]).includes(key)) fields[key] = 'unknown_field';
    else if (typeof value !== 'string') fields[key] = 'not_text';
  }
  if (Object.keys(fields).length) return { ok: false, fields };
  const given = entries.map(([key]) => key as OwnField);
  const nonEmpty = Object.fromEntries(entries.filter(([, value]) => (value as string).trim() !== ''));
  const result = z.safeParse(ownSchema, nonEmpty);
  if (!result.success) {
    for (const issue of result.error.issues) fields[String(issue.path[0] ?? '_')] ??= issue.message as FieldErrorCode;
    return { ok: false, fields };
  }
  return { ok: true, correction: { given, value: result.data } };
}

export interface OwnCorrectionResult {
  leads: number;
  /** Whether the Shopify customer gets the change (through the outbox, when a consenting lead reached it). */
  queued: boolean;
}

/**
 * Applies a customer's own correction to every lead the app holds about them, and queues it for their Shopify
 * customer. The account token is a verified identity (principle 8): what the customer sets reaches their own customer
 * as staff applying a proposed change would (only the fields corrected). Consent still gates Shopify (principle 2): a
 * customer none of whose leads consented is corrected in the app only.
 */
export async function correctOwnLeads(
  db: Kysely<Database>,
  hashes: { lookup: (value: string) => string; term: TermHasher },
  shop: string,
  customer: { id: string; email: string | null },
  correction: OwnCorrection,
  clock: () => number = Date.now,
): Promise<OwnCorrectionResult> {
  const { given, value } = correction;
  const gid = `gid://shopify/Customer/${customer.id}`;
  const phone = given.includes('phone') && value.phone ? normalizePhone(value.phone) : null;
  const addressParts = ADDRESS_PARTS.filter((part) => given.includes(part));
  const addressGiven = addressParts.length > 0;
  return transactionWithRetry(db, async (trx) => {
    // Locked inside the transaction (storage/row-locks.ts): an erasure at the same time finishes first (nothing to
    // correct) or waits for this correction.
    const ids = await lockLeads(trx, await customerLeadIds(trx, shop, customer, hashes.lookup));
    if (!ids.length) throw notFound('nothing_to_correct');
    // In slices (storage/batches.ts): anyone may send the form with this person's email, as often as the limits allow,
    // so they can have more leads than one `IN (...)` list may name.
    const slices = batches(ids, IDS_PER_STATEMENT);
    const contact = {
      ...(given.includes('first_name') ? { first_name: value.first_name ?? null } : {}),
      ...(given.includes('last_name') ? { last_name: value.last_name ?? null } : {}),
      ...(given.includes('phone') ? { phone, phone_hash: phone ? hashes.lookup(phone) : null } : {}),
    };
    if (Object.keys(contact).length) for (const slice of slices) await trx.updateTable('leads').set(contact).where('id', 'in', slice).execute();
    // Each lead's address is merged with the parts given (only the city, say): the rest of what it holds stays.
    const addresses = addressGiven ? await mergeAddresses(trx, slices, addressParts, value) : new Map<string, string | null>();
    await reindexLeads(trx, hashes.term, ids);
    const leads = [];
    for (const slice of slices)
      leads.push(
        ...(await trx
          .selectFrom('leads')
          .select(['id', 'email_consent', 'logged_in_customer_id', 'shopify_customer_id', 'created_at'])
          .where('id', 'in', slice)
          .execute()),
      );
    // Newest first across the slices: the lead the change rides on is the latest one that reached the customer.
    leads.sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
    const onCustomer = leads.find((l) => l.email_consent === 1 && l.shopify_customer_id === gid);
    const ownUnsynced = leads.find((l) => l.email_consent === 1 && !l.shopify_customer_id && l.logged_in_customer_id === customer.id);
    if (onCustomer) {
      const now = new Date(clock()).toISOString();
      const proposed: Array<[ProposedChanges['changes'][number]['field'], string | null]> = [
        ['first_name', given.includes('first_name') ? (value.first_name ?? null) : null],
        ['last_name', given.includes('last_name') ? (value.last_name ?? null) : null],
        ['phone', phone],
        ['address', addressGiven ? (addresses.get(onCustomer.id) ?? null) : null],
      ];
      // Shopify keeps what is not named; a cleared value stays in the app only (a customer clears their Shopify
      // profile in Shopify's own account pages).
      const changes = proposed
        .filter((p): p is [ProposedChanges['changes'][number]['field'], string] => p[1] !== null)
        .map(([field, v]) => ({ field, current: null, proposed: v }));
      if (!changes.length) return { leads: ids.length, queued: false };
      const proposal: ProposedChanges = {
        customer_id: gid,
        found_at: now,
        changes,
        accepted: { fields: changes.map((c) => c.field), at: now, by: 'customer_account' },
      };
      await trx
        .updateTable('leads')
        .set({ proposed_changes: JSON.stringify(proposal), status: 'pending', sync_error: null })
        .where('id', '=', onCustomer.id)
        .execute();
      await enqueueSync(trx, shop, onCustomer.id, clock, 'update_customer');
      return { leads: ids.length, queued: true };
    }
    if (ownUnsynced) {
      // Not yet in Shopify: its first sync (already queued, or queued again here) carries the corrected values.
      await trx.updateTable('leads').set({ status: 'pending' }).where('id', '=', ownUnsynced.id).execute();
      await enqueueSync(trx, shop, ownUnsynced.id, clock);
      return { leads: ids.length, queued: true };
    }
    return { leads: ids.length, queued: false };
  });
}

/**
 * Writes each lead's address as it was with the given parts replaced (a part sent empty is cleared), and returns the
 * new address by lead. Leads holding the same address (the same person sending the form again) are written together.
 */
async function mergeAddresses(
  trx: Kysely<Database>,
  slices: string[][],
  parts: readonly AddressPart[],
  value: Partial<Record<AddressPart, string>>,
): Promise<Map<string, string | null>> {
  const merged = new Map<string, string | null>();
  for (const slice of slices) {
    const held = await trx.selectFrom('leads').select(['id', 'address']).where('id', 'in', slice).execute();
    const byAddress = new Map<string | null, string[]>();
    for (const lead of held) {
      // An address that does not open is replaced by the parts given: nothing readable is lost.
      const current = parseJsonColumn(addressColumn, lead.address) ?? {};
      const next = postalAddressJson({ ...current, ...Object.fromEntries(parts.map((part) => [part, value[part] ?? null])) });
      merged.set(lead.id, next);
      byAddress.set(next, [...(byAddress.get(next) ?? []), lead.id]);
    }
    for (const [address, ids] of byAddress) await trx.updateTable('leads').set({ address }).where('id', 'in', ids).execute();
  }
  return merged;
}
