import type { Kysely } from 'kysely';
import { normalizePhone } from '../../../schema/rules.js';
import type { LookupHash } from '../leads/erasure.js';
import type { Database } from '../storage/tables.js';
import type { Keyring } from '../storage/keyring.js';

/**
 * Background re-encryption: rows whose personal fields are not under the current key (written before a rotation,
 * or before encryption existed) are read (decrypted by the storage plugin with whichever listed key wrote them) and
 * written back (encrypted with the current key), a batch at a time, with their lookup hashes. Once it reports 0,
 * the old key can be removed from ENCRYPTION_KEYS.
 */
export async function reencryptBatch(db: Kysely<Database>, keyring: Keyring, hash: LookupHash, limit = 200): Promise<number> {
  const current = `v2:${keyring.currentId}:%`;
  // Raw column values are compared here: the plugin only rewrites values written and rows read.
  const stale = await db
    .selectFrom('leads')
    .select('id')
    .where((w) => w.or([w('email', 'not like', current), w('email_hash', 'is', null)]))
    .limit(limit)
    .execute();
  let done = 0;
  for (const { id } of stale) {
    const lead = await db.selectFrom('leads').select(['email', 'first_name', 'last_name', 'phone', 'company', 'birthday', 'address', 'message', 'answers', 'proposed_changes']).where('id', '=', id).executeTakeFirst();
    if (!lead) continue;
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
    .where((w) => w.or([w.and([w('customer', 'is not', null), w('customer', 'not like', current)]), w.and([w('package', 'is not', null), w('package', 'not like', current)])]))
    .limit(limit)
    .execute();
  for (const r of requests) {
    await db.updateTable('compliance_requests').set({ customer: r.customer, package: r.package }).where('id', '=', r.id).execute();
    done++;
  }
  return done;
}
