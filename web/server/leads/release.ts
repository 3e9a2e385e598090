import type { Kysely } from 'kysely';
import { conflict, notFound } from '../core/errors.js';
import type { Database, LeadStatus } from '../storage/tables.js';
import { enqueueSync } from '../outbox/outbox.js';
import { queueConfirmation } from './double-opt-in.js';
import type { ConfirmLinkMaker } from './intake.js';

/**
 * Releases a quarantined lead that a person judged genuine: it becomes an ordinary lead and, if the shopper
 * consented, is queued for Shopify like any other (one transaction). A double opt-in lead got no confirmation e-mail
 * while quarantined (spam must not make the shop mail the addresses it typed): it gets it now, with a link valid as
 * long as the form's from the release on, and waits for it like any other (or is synced without marketing consent
 * when the shop keeps the contact).
 */
export async function releaseFromQuarantine(
  db: Kysely<Database>,
  shop: string,
  id: string,
  clock: () => number = Date.now,
  confirmLink?: ConfirmLinkMaker,
): Promise<{ id: string; status: LeadStatus }> {
  return db.transaction().execute(async (trx) => {
    const lead = await trx
      .selectFrom('leads')
      .select(['id', 'status', 'email_consent', 'email', 'email_hash', 'first_name', 'locale', 'created_at', 'doi_state', 'doi_expires_at', 'doi_keep_contact'])
      .where('shop', '=', shop)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!lead) throw notFound('lead_not_found');
    if (lead.status !== 'quarantined') throw conflict('not_quarantined', 'Only a quarantined lead can be released.');
    const status: LeadStatus = lead.email_consent === 1 ? 'pending' : 'no_consent';
    await trx.updateTable('leads').set({ status, sync_error: null }).where('id', '=', id).execute();
    const waiting = status === 'pending' && lead.doi_state === 'pending';
    if (waiting && confirmLink) {
      const now = clock();
      const validity = Math.max(86_400_000, Date.parse(lead.doi_expires_at ?? lead.created_at) - Date.parse(lead.created_at));
      const expires = Math.floor((now + validity) / 1000);
      const expiresAt = new Date(expires * 1000).toISOString();
      await trx.updateTable('leads').set({ doi_expires_at: expiresAt }).where('id', '=', id).execute();
      // The lead's first confirmation (event key `confirm:<lead>`): a lead is released once, and the outbox never
      // queues one event twice.
      await queueConfirmation(
        trx,
        {
          shop,
          leadId: id,
          email: lead.email,
          emailHash: lead.email_hash,
          name: lead.first_name,
          locale: lead.locale,
          url: confirmLink(shop, id, expires),
          expiresAt,
        },
        clock,
      );
    }
    if (status === 'pending' && (!waiting || lead.doi_keep_contact === 1)) await enqueueSync(trx, shop, id, clock);
    return { id, status };
  });
}
