import type { Kysely } from 'kysely';
import { newId, nowIso } from '../../core/ids.js';
import type { AuditEntry } from '../../../../schema/workspace-api.js';
import { objectColumn, parseJsonColumn } from '../../storage/json-column.js';
import type { AuditAction, Database } from '../../storage/tables.js';

/**
 * The owner's record of who saw or changed personal data. Details hold field names, counts and filters in outline,
 * never the values themselves (a search for an email is logged as "searched", not as the email).
 */
export async function audit(
  db: Kysely<Database>,
  entry: { shop: string; userId: string; action: AuditAction; leadId?: string | null; detail?: Record<string, unknown> },
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      id: newId(),
      shop: entry.shop,
      user_id: entry.userId,
      action: entry.action,
      lead_id: entry.leadId ?? null,
      detail: entry.detail ? JSON.stringify(entry.detail) : null,
      at: nowIso(),
    })
    .execute();
}

export async function readAudit(db: Kysely<Database>, shop: string, options: { before?: string | undefined; limit: number }): Promise<AuditEntry[]> {
  const rows = await db
    .selectFrom('audit_log')
    .leftJoin('staff', (j) => j.onRef('staff.shop', '=', 'audit_log.shop').onRef('staff.user_id', '=', 'audit_log.user_id'))
    .select(['audit_log.id', 'audit_log.user_id', 'staff.name', 'audit_log.action', 'audit_log.lead_id', 'audit_log.detail', 'audit_log.at'])
    .where('audit_log.shop', '=', shop)
    .$if(options.before !== undefined, (q) => q.where('audit_log.at', '<', options.before!))
    .orderBy('audit_log.at', 'desc')
    .orderBy('audit_log.id', 'desc')
    .limit(options.limit)
    .execute();
  return rows.map((r) => ({ ...r, detail: parseJsonColumn(objectColumn, r.detail) }));
}
