import type { Kysely } from 'kysely';
import { conflict, notFound } from '../core/errors.js';
import type { Database, LeadStatus } from '../storage/tables.js';
import { enqueueSync } from '../outbox/outbox.js';

/**
 * Releases a quarantined lead that a person judged genuine: it becomes an ordinary lead and, if the shopper
 * consented, is queued for Shopify like any other (one transaction).
 */
export async function releaseFromQuarantine(
  db: Kysely<Database>,
  shop: string,
  id: string,
  clock: () => number = Date.now,
): Promise<{ id: string; status: LeadStatus }> {
  return db.transaction().execute(async (trx) => {
    const lead = await trx.selectFrom('leads').select(['id', 'status', 'email_consent']).where('shop', '=', shop).where('id', '=', id).executeTakeFirst();
    if (!lead) throw notFound('lead_not_found');
    if (lead.status !== 'quarantined') throw conflict('not_quarantined', 'Only a quarantined lead can be released.');
    const status: LeadStatus = lead.email_consent === 1 ? 'pending' : 'no_consent';
    await trx.updateTable('leads').set({ status, sync_error: null }).where('id', '=', id).execute();
    if (status === 'pending') await enqueueSync(trx, shop, id, clock);
    return { id, status };
  });
}
