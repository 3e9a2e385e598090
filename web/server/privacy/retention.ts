import type { Kysely } from 'kysely';
import type { Database } from '../storage/tables.js';
import { removeLeads } from '../leads/erasure.js';
import { logErasure } from './compliance.js';

/**
 * Leads older than the shop's retention period (default 24 months) are erased, at most once an hour per shop, and
 * the count is logged (erasure_log) so the merchant can show the policy is applied.
 */
export const PURGE_EVERY_MS = 60 * 60 * 1000;

export function cutoff(now: number, months: number): string {
  const d = new Date(now);
  d.setUTCMonth(d.getUTCMonth() - months);
  return d.toISOString();
}

export async function purgeExpiredLeads(db: Kysely<Database>, clock: () => number = Date.now): Promise<Array<{ shop: string; erased: number }>> {
  const now = clock();
  const due = await db
    .selectFrom('shops')
    .select(['shop', 'retention_months'])
    .where((w) => w.or([w('purged_at', 'is', null), w('purged_at', '<', new Date(now - PURGE_EVERY_MS).toISOString())]))
    .execute();
  const report: Array<{ shop: string; erased: number }> = [];
  for (const { shop, retention_months } of due) {
    const erased = await db.transaction().execute(async (trx) => {
      const ids = (await trx.selectFrom('leads').select('id').where('shop', '=', shop).where('created_at', '<', cutoff(now, retention_months)).execute()).map(
        (r) => r.id,
      );
      if (ids.length) {
        await removeLeads(trx, ids);
        await logErasure(trx, shop, 'retention', ids.length, clock);
      }
      await trx
        .updateTable('shops')
        .set({ purged_at: new Date(now).toISOString() })
        .where('shop', '=', shop)
        .execute();
      return ids.length;
    });
    report.push({ shop, erased });
  }
  return report;
}
