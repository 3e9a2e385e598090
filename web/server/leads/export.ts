import type { Kysely } from 'kysely';
import { ADDRESS_PARTS } from '../../../schema/contact-fields.js';
import { syncErrorWords } from '../../../schema/sync-errors.js';
import type { Database } from '../storage/tables.js';
import { CSV_BOM, csvRow } from '../core/csv.js';
import { type LeadFilter, type PresentedLead, eachLead } from './queries.js';
import type { TermHasher } from './search-terms.js';

// The address's parts take one column each, in the order the lead stores them (schema/contact-fields.ts).
export const EXPORT_COLUMNS = [
  'id',
  'received_at',
  'form',
  'first_name',
  'last_name',
  'email',
  'phone',
  'company',
  'birthday',
  ...ADDRESS_PARTS,
  'message',
  'custom_answers',
  'tags',
  'email_consent',
  'sms_consent',
  'status',
  'sync_error',
  'shopify_customer_id',
  'handled_at',
  'locale',
  'page',
] as const;

export function exportCells(l: PresentedLead): unknown[] {
  const a = l.address ?? {};
  return [
    l.id,
    l.created_at,
    l.form_id,
    l.first_name,
    l.last_name,
    l.email,
    l.phone,
    l.company,
    l.birthday,
    ...ADDRESS_PARTS.map((part) => a[part]),
    l.message,
    l.answers.map((x) => `${x.key}: ${x.value}`).join('; '),
    l.tags.join(', '),
    l.email_consent ? 'yes' : 'no',
    l.sms_consent ? 'yes' : 'no',
    l.status,
    // In English, as the rest of the export; an error stored as a code is written out in words.
    l.sync_error === null ? null : syncErrorWords(l.sync_error),
    l.shopify_customer_id,
    l.handled_at,
    l.locale,
    l.page,
  ];
}

/**
 * The leads of a filter as a CSV stream: rows are read a batch at a time as the client takes them (pull-based, so a
 * slow download holds one batch, not the whole table) and the header names the columns once.
 */
export function exportCsv(db: Kysely<Database>, shop: string, filter: LeadFilter, hash: TermHasher): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const batches = eachLead(db, shop, filter, hash);
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(CSV_BOM + csvRow(EXPORT_COLUMNS)));
        return;
      }
      const next = await batches.next();
      if (next.done) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(next.value.map((l) => csvRow(exportCells(l))).join('')));
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}
