import { type ExpressionBuilder, type Kysely, type SqlBool, sql } from 'kysely';
import { normalizePhone } from '../../../schema/rules.js';
import type { LookupHash } from '../leads/erasure.js';
import { ENCRYPTED_COLUMNS, isUnreadable } from '../storage/field-encryption.js';
import type { Database } from '../storage/tables.js';
import type { Keyring } from '../storage/keyring.js';

type Rotated = 'leads' | 'compliance_requests' | 'lead_notes';

/**
 * Where a pass of re-encryption has got to, per table (by id). A row that cannot be read (its key is not listed, or
 * its ciphertext was damaged) is left as it is and passed over, so it neither stops the pass nor is read again on
 * every run; `finished` turns true once a pass found nothing left to do.
 */
export interface ReencryptCursor {
  after: Partial<Record<Rotated, string>>;
  finished: boolean;
}

export const newReencryptCursor = (): ReencryptCursor => ({ after: {}, finished: false });

/** A column holds something other than a value written now: an older key, an older format, or plaintext. */
function stale<T extends Rotated>(eb: ExpressionBuilder<Database, T>, table: T, prefix: string) {
  const columns = ENCRYPTED_COLUMNS[table] ?? [];
  // substr, not LIKE: a key id may hold `_`, which LIKE reads as a wildcard.
  return columns.map((column) => sql<SqlBool>`(${sql.ref(column)} is not null and substr(${sql.ref(column)}, 1, ${sql.lit(prefix.length)}) <> ${prefix})`);
}

/**
 * Background re-encryption: rows whose personal fields are not under the current key and format (written before a
 * rotation, before values were bound to their row, or before encryption existed) are read (decrypted by the storage
 * plugin with whichever listed key wrote them) and written back (encrypted with the current key and bound to their
 * table, column and row), a batch at a time, with their lookup hashes. Once a pass reports 0, the old key can be
 * removed from ENCRYPTION_KEYS.
 */
export async function reencryptBatch(
  db: Kysely<Database>,
  keyring: Keyring,
  hash: LookupHash,
  limit = 200,
  cursor: ReencryptCursor = newReencryptCursor(),
): Promise<number> {
  const prefix = keyring.currentPrefix;
  let done = 0;
  let scanned = 0;

  const leads = await db
    .selectFrom('leads')
    .select(['id', 'email', 'first_name', 'last_name', 'phone', 'company', 'birthday', 'address', 'message', 'answers', 'proposed_changes'])
    .where((eb) => eb.or([...stale(eb, 'leads', prefix), eb('email_hash', 'is', null)]))
    .$if(cursor.after.leads !== undefined, (qb) => qb.where('id', '>', cursor.after.leads!))
    .orderBy('id')
    .limit(limit)
    .execute();
  for (const { id, ...lead } of leads) {
    scanned++;
    cursor.after.leads = id;
    if (Object.values(lead).some(isUnreadable)) continue;
    const phone = lead.phone ? normalizePhone(lead.phone) : null;
    await db
      .updateTable('leads')
      .set({ ...lead, email_hash: hash(lead.email), phone_hash: phone ? hash(phone) : null })
      .where('id', '=', id)
      .execute();
    done++;
  }

  const requests = await db
    .selectFrom('compliance_requests')
    .select(['id', 'customer', 'package'])
    .where((eb) => eb.or(stale(eb, 'compliance_requests', prefix)))
    .$if(cursor.after.compliance_requests !== undefined, (qb) => qb.where('id', '>', cursor.after.compliance_requests!))
    .orderBy('id')
    .limit(limit)
    .execute();
  for (const { id, customer, package: pkg } of requests) {
    scanned++;
    cursor.after.compliance_requests = id;
    if (isUnreadable(customer) || isUnreadable(pkg)) continue;
    await db.updateTable('compliance_requests').set({ customer, package: pkg }).where('id', '=', id).execute();
    done++;
  }

  const notes = await db
    .selectFrom('lead_notes')
    .select(['id', 'body'])
    .where((eb) => eb.or(stale(eb, 'lead_notes', prefix)))
    .$if(cursor.after.lead_notes !== undefined, (qb) => qb.where('id', '>', cursor.after.lead_notes!))
    .orderBy('id')
    .limit(limit)
    .execute();
  for (const { id, body } of notes) {
    scanned++;
    cursor.after.lead_notes = id;
    if (isUnreadable(body)) continue;
    await db.updateTable('lead_notes').set({ body }).where('id', '=', id).execute();
    done++;
  }

  if (!scanned) cursor.finished = true;
  return done;
}
