import type { Kysely } from 'kysely';
import { normalizePhone } from '../../../schema/rules.js';
import { IDS_PER_STATEMENT, batches } from '../storage/batches.js';
import type { Engine } from '../storage/database.js';
import type { KeyedHash } from '../storage/lookup-keys.js';
import { isUnreadable } from '../storage/field-encryption.js';
import { parseJsonColumn, tagsColumn } from '../storage/json-column.js';
import type { Database, Lead } from '../storage/tables.js';
import { type TermHasher, type TermRow, termRows } from './search-terms.js';

/** SQLite allows 32,766 bound values a statement; five a row keeps a chunk far below that. */
const CHUNK = 3000;

export async function insertTerms(db: Kysely<Database>, rows: TermRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db
      .insertInto('lead_terms')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

/**
 * After a correction the leads' words change: their terms are written anew. Run it in the correction's transaction.
 * In slices (storage/batches.ts): a person can have more leads than one `IN (...)` list may name.
 */
export async function reindexLeads(db: Kysely<Database>, hash: TermHasher, ids: readonly string[]): Promise<void> {
  for (const slice of batches(ids, IDS_PER_STATEMENT)) {
    const leads = await db.selectFrom('leads').select(SEARCHABLE).where('id', 'in', slice).execute();
    await db.deleteFrom('lead_terms').where('lead_id', 'in', slice).execute();
    await insertTerms(
      db,
      leads.flatMap((l) => termRows(hash, searchableOf(l))),
    );
    await db.updateTable('leads').set({ search_indexed: 1 }).where('id', 'in', slice).execute();
  }
}

const SEARCHABLE = ['id', 'shop', 'created_at', 'first_name', 'last_name', 'email', 'company', 'phone', 'message', 'tags'] as const;
type SearchableRow = Pick<Lead, (typeof SEARCHABLE)[number]>;
// A field that did not open is not indexed (its lead is still found by the others); the storage logged it.
const readable = <T>(value: T): T | null => (isUnreadable(value) ? null : value);
const searchableOf = (l: SearchableRow) => ({
  ...l,
  first_name: readable(l.first_name),
  last_name: readable(l.last_name),
  email: readable(l.email) ?? '',
  company: readable(l.company),
  phone: readable(l.phone),
  message: readable(l.message),
  tags: parseJsonColumn(tagsColumn, l.tags) ?? [],
});

/** The current lookup key: the hashes written with it and its id, recorded on each lead (leads.lookup_key). */
export interface CurrentHashes {
  keyId: string;
  lookup: KeyedHash;
  term: TermHasher;
}

/**
 * Writes the search terms of leads not indexed yet, a batch at a time, in the worker rather than in the intake
 * transaction: hashing and storing some forty terms a lead there cost a third of intake throughput, and a new lead is
 * searchable a poll interval later instead. On PostgreSQL the rows are locked (SKIP LOCKED), so processes share the
 * work and a correction or an erasure of the same lead waits for the batch. Returns how many leads were indexed.
 * The lead is then recorded as hashed under the current lookup key; a lookup hash intake wrote under another key
 * (the process restarted with a rotated key in between) is rewritten first, so the record never lies.
 */
export async function indexPendingLeads(db: Kysely<Database>, engine: Engine, hashes: CurrentHashes, limit = 500): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const leads = await trx
      .selectFrom('leads')
      .select([...SEARCHABLE, 'email_hash', 'phone_hash'])
      .where('search_indexed', '=', 0)
      .limit(limit)
      .$if(engine === 'postgres', (qb) => qb.forUpdate().skipLocked())
      .execute();
    if (!leads.length) return 0;
    await insertTerms(
      trx,
      leads.flatMap((l) => termRows(hashes.term, searchableOf(l))),
    );
    for (const l of leads) {
      const fresh = lookupHashesOf(hashes.lookup, l);
      if (fresh.email_hash !== l.email_hash || fresh.phone_hash !== l.phone_hash) await trx.updateTable('leads').set(fresh).where('id', '=', l.id).execute();
    }
    await trx
      .updateTable('leads')
      .set({ search_indexed: 1, lookup_key: hashes.keyId })
      .where(
        'id',
        'in',
        leads.map((l) => l.id),
      )
      .execute();
    return leads.length;
  });
}

/** A lead's lookup hashes under the current key, from its decrypted email and phone. */
export function lookupHashesOf(lookup: KeyedHash, lead: { email: string; phone: string | null }) {
  const phone = lead.phone ? normalizePhone(lead.phone) : null;
  return { email_hash: lead.email ? lookup(lead.email) : null, phone_hash: phone ? lookup(phone) : null };
}

/**
 * Background rehash after a LOOKUP_KEYS rotation (or the move from the secret-derived key): leads whose hashes are
 * under another key get their lookup hashes and search terms rewritten under the current one, a batch at a time.
 * Until then matching tries every listed key, so erasure and search keep working; once this reports 0 the old key
 * can be removed. `before`: a lead with no key recorded and created before this process started may be under the old
 * key; one created since was hashed by this process with the current key and is left to the indexer.
 */
export async function rehashBatch(db: Kysely<Database>, engine: Engine, hashes: CurrentHashes, before: string, limit = 200): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const leads = await trx
      .selectFrom('leads')
      .select([...SEARCHABLE, 'search_indexed'])
      .where((w) => w.or([w('lookup_key', '<>', hashes.keyId), w.and([w('lookup_key', 'is', null), w('created_at', '<', before)])]))
      .limit(limit)
      .$if(engine === 'postgres', (qb) => qb.forUpdate().skipLocked())
      .execute();
    if (!leads.length) return 0;
    const indexed = leads.filter((l) => l.search_indexed === 1);
    if (indexed.length) {
      await trx
        .deleteFrom('lead_terms')
        .where(
          'lead_id',
          'in',
          indexed.map((l) => l.id),
        )
        .execute();
      await insertTerms(
        trx,
        indexed.flatMap((l) => termRows(hashes.term, searchableOf(l))),
      );
    }
    // An unindexed lead has no terms yet: the indexer writes them under the current key too.
    for (const l of leads)
      await trx
        .updateTable('leads')
        .set({ ...lookupHashesOf(hashes.lookup, l), lookup_key: hashes.keyId })
        .where('id', '=', l.id)
        .execute();
    return leads.length;
  });
}
