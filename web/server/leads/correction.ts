import type { Kysely } from 'kysely';
import * as z from 'zod/mini';
import { CORRECTABLE_FIELDS, postalAddressJson } from '../../../schema/contact-fields.js';
import type { CorrectionResult } from '../../../schema/workspace-api.js';
import { type FieldErrorCode } from '../../../schema/fields.js';
import { dropEmpty, normalizePhone, submissionSchema } from '../../../schema/submission.js';
import { DomainError, conflict, notFound } from '../core/errors.js';
import { enqueueSync } from '../outbox/outbox.js';
import { isPostgres, transactionWithRetry } from '../storage/row-locks.js';
import type { Database, LeadStatus } from '../storage/tables.js';
import { reindexLeads } from './lead-terms.js';
import type { TermHasher } from './search-terms.js';

/**
 * A staff member's correction of a lead's contact details, validated by the very rules the storefront form uses
 * (the shapes come from the submission schema). The edit form sends the whole contact: an empty field clears it.
 */
const shape = submissionSchema.shape;
const correctionShape = Object.fromEntries(CORRECTABLE_FIELDS.map((name) => [name, shape[name]])) as Pick<typeof shape, (typeof CORRECTABLE_FIELDS)[number]>;
const correctionSchema = z.strictObject(correctionShape);
export type Correction = z.output<typeof correctionSchema>;

export const CONTACT_FIELDS = ['first_name', 'last_name', 'email', 'phone', 'address'] as const;

export function parseCorrection(input: unknown): { ok: true; value: Correction } | { ok: false; fields: Record<string, FieldErrorCode | 'unknown_field'> } {
  const given = input && typeof input === 'object' && !Array.isArray(input) ? dropEmpty(input as Record<string, unknown>) : {};
  const result = z.safeParse(correctionSchema, given);
  if (result.success) return { ok: true, value: result.data };
  const fields: Record<string, FieldErrorCode | 'unknown_field'> = {};
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') for (const key of issue.keys) fields[key] = 'unknown_field';
    else fields[String(issue.path[0] ?? '_')] ??= (given[String(issue.path[0])] === undefined ? 'required' : issue.message) as FieldErrorCode;
  }
  return { ok: false, fields };
}

export type { CorrectionResult } from '../../../schema/workspace-api.js';

/**
 * Writes the correction, re-indexes the lead for search and, when the shopper consented and the lead is not spam,
 * queues the change for the Shopify customer: all in one transaction.
 */
export async function correctLead(
  db: Kysely<Database>,
  hashes: { lookup: (value: string) => string; term: TermHasher },
  shop: string,
  id: string,
  correction: Correction,
): Promise<CorrectionResult> {
  return transactionWithRetry(db, async (trx) => {
    // Locked first, as every change of a lead is (storage/row-locks.ts): a deletion at the same time finishes before
    // (lead_not_found) or after this correction, never in the middle of it.
    const lead = await trx
      .selectFrom('leads')
      .select(['id', 'status', 'email_consent', 'email', 'first_name', 'last_name', 'phone', 'address'])
      .where('shop', '=', shop)
      .where('id', '=', id)
      .$if(isPostgres(trx), (qb) => qb.forUpdate())
      .executeTakeFirst();
    if (!lead) throw notFound('lead_not_found');
    if (lead.status === 'quarantined') throw conflict('quarantined', 'Release the lead from quarantine before correcting it.');
    const phone = correction.phone ? normalizePhone(correction.phone) : null;
    const next = {
      email: correction.email,
      first_name: correction.first_name ?? null,
      last_name: correction.last_name ?? null,
      phone,
      address: postalAddressJson(correction),
    };
    const changed = CONTACT_FIELDS.filter((f) => next[f] !== lead[f]);
    if (!changed.length) return { id, status: lead.status, changed, queued: false };
    const queued = lead.email_consent === 1;
    const status: LeadStatus = queued ? 'pending' : lead.status;
    await trx
      .updateTable('leads')
      .set({ ...next, email_hash: hashes.lookup(next.email), phone_hash: phone ? hashes.lookup(phone) : null, status, sync_error: queued ? null : undefined })
      .where('id', '=', id)
      .execute();
    await reindexLeads(trx, hashes.term, [id]);
    if (queued) await enqueueSync(trx, shop, id, Date.now, 'update_customer');
    return { id, status, changed, queued };
  });
}

export class InvalidCorrection extends DomainError {
  constructor(fields: Record<string, string>) {
    super('invalid', 'invalid_contact', 'Some fields are not valid.', { fields });
  }
}
