import type { Kysely } from 'kysely';
import { conflict, notFound } from '../../core/errors.js';
import { logErasure } from '../../privacy/compliance.js';
import { consentLedger } from '../../privacy/consent-ledger.js';
import { SYNC_KINDS, enqueueSync } from '../../outbox/outbox.js';
import { readableRow } from '../../storage/field-encryption.js';
import type { Database, LeadStatus } from '../../storage/tables.js';
import { removeLeads } from '../../leads/erasure.js';
import { leadAttachments } from '../../leads/uploads.js';
import { newId, nowIso } from '../../core/ids.js';
import { LEAD_COLUMNS, presentLead } from '../../leads/queries.js';
import type { LeadDetail, LeadNote, SyncJob } from '../../../../schema/workspace-api.js';

/** What the workspace does with one lead after reading it: everything scoped to the shop of the session. */

export async function leadDetail(db: Kysely<Database>, shop: string, id: string): Promise<Omit<LeadDetail, 'proposed'>> {
  const row = await db.selectFrom('leads').select(LEAD_COLUMNS).where('shop', '=', shop).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('lead_not_found');
  // Each outbox job is one trip to Shopify: when it was queued, how often it was tried, how it ended and why.
  const history = await db
    .selectFrom('outbox_jobs')
    .select(['id', 'kind', 'state', 'attempts', 'last_error', 'created_at', 'updated_at'])
    .where('lead_id', '=', id)
    .where('kind', 'in', SYNC_KINDS)
    .orderBy('created_at', 'asc')
    .execute()
    .then((rows) => rows.map((r) => ({ ...r, kind: r.kind as SyncJob['kind'] })));
  // The lead's e-mails and how each one went (a refusal by the SMTP server is shown here); no addresses, no contents.
  const mail = await db
    .selectFrom('mail_messages')
    .select(['id', 'template', 'status', 'attempts', 'last_error', 'created_at', 'sent_at'])
    .where('shop', '=', shop)
    .where('lead_id', '=', id)
    .orderBy('created_at', 'asc')
    .execute();
  const notes = await db
    .selectFrom('lead_notes')
    .select(['id', 'author', 'body', 'created_at', 'kind', 'mail_id'])
    .where('lead_id', '=', id)
    .orderBy('created_at', 'asc')
    .execute();
  const [file] = await leadAttachments(db, [row.id]);
  const attachment = file ? { filename: file.filename, type: file.detected_mime, size: file.declared_size, fileId: file.file_id, url: file.file_url } : null;
  const flow = await db
    .selectFrom('flow_events')
    .select(['handle', 'created_at', 'sent_at', 'outcome'])
    .where('shop', '=', shop)
    .where('lead_id', '=', id)
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .execute();
  return {
    lead: presentLead(row),
    consent: await consentLedger(db, shop, id),
    history,
    notes: notes.map((n): LeadNote => readableRow(n)),
    mail,
    attachment,
    flow: flow.map((f) => ({ ...f, handle: f.handle === 'lead-consent-changed' ? 'lead-consent-changed' : 'lead-captured' })),
  };
}

/** A failed lead goes back to the queue, as a new job (the failed one stays in the history). */
export async function retrySync(db: Kysely<Database>, shop: string, id: string): Promise<{ id: string; status: LeadStatus }> {
  return db.transaction().execute(async (trx) => {
    const lead = await trx
      .selectFrom('leads')
      .select(['status', 'email_consent', 'shopify_customer_id'])
      .where('shop', '=', shop)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!lead) throw notFound('lead_not_found');
    if (lead.status !== 'failed') throw conflict('not_failed', 'Only a lead whose sync failed can be retried.');
    if (lead.email_consent !== 1) throw conflict('no_consent', 'The shopper did not consent; the lead cannot go to Shopify.');
    await trx.updateTable('leads').set({ status: 'pending', sync_error: null }).where('id', '=', id).execute();
    await enqueueSync(trx, shop, id, Date.now, lead.shopify_customer_id ? 'update_customer' : 'sync_lead');
    return { id, status: 'pending' as const };
  });
}

export async function markHandled(db: Kysely<Database>, shop: string, id: string, userId: string, handled: boolean) {
  const at = handled ? nowIso() : null;
  const result = await db
    .updateTable('leads')
    .set({ handled_at: at, handled_by: handled ? userId : null })
    .where('shop', '=', shop)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!result.numUpdatedRows) throw notFound('lead_not_found');
  return { id, handled_at: at };
}

export async function addNote(db: Kysely<Database>, shop: string, id: string, author: string, body: string) {
  const lead = await db.selectFrom('leads').select('id').where('shop', '=', shop).where('id', '=', id).executeTakeFirst();
  if (!lead) throw notFound('lead_not_found');
  const note = { id: newId(), shop, lead_id: id, author, body, created_at: nowIso() };
  await db.insertInto('lead_notes').values(note).execute();
  return { id: note.id, author, body, created_at: note.created_at, kind: 'note' as const, mail_id: null };
}

/** Deletes the lead and all hanging off it, and logs the count anonymously (erasure_log), like any erasure. */
export async function deleteLead(db: Kysely<Database>, shop: string, id: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const lead = await trx.selectFrom('leads').select('id').where('shop', '=', shop).where('id', '=', id).executeTakeFirst();
    if (!lead) throw notFound('lead_not_found');
    // Another deletion may have come first: then this one erased nothing, and says so.
    if (!(await removeLeads(trx, [id]))) throw notFound('lead_not_found');
    await logErasure(trx, shop, 'staff_delete', 1);
  });
}
