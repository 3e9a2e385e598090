import type { Kysely } from 'kysely';
import type { Engine } from '../storage/database.js';
import { isUnreadable } from '../storage/field-encryption.js';
import type { Database, Lead } from '../storage/tables.js';
import { type TermHasher, type TermRow, termRows } from './search-terms.js';

/** SQLite allows 32,766 bound values a statement; four a row keeps a chunk far below that. */
const CHUNK = 3000;

export async function insertTerms(db: Kysely<Database>, rows: TermRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db.insertInto('lead_terms').values(rows.slice(i, i + CHUNK)).onConflict((oc) => oc.doNothing()).execute();
  }
}

/** After a correction the leads' words change: their terms are written anew. Run it in the correction's transaction. */
export async function reindexLeads(db: Kysely<Database>, hash: TermHasher, ids: string[]): Promise<void> {
  if (!ids.length) return;
  const leads = await db.selectFrom('leads').select(SEARCHABLE).where('id', 'in', ids).execute();
  await db.deleteFrom('lead_terms').where('lead_id', 'in', ids).execute();
  await insertTerms(db, leads.flatMap((l) => termRows(hash, searchableOf(l))));
  await db.updateTable('leads').set({ search_indexed: 1 }).where('id', 'in', ids).execute();
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
  tags: l.tags ? (JSON.parse(l.tags) as string[]) : [],
});

/**
 * Writes the search terms of leads not indexed yet, a batch at a time, in the worker rather than in the intake
 * transaction: hashing and storing some forty terms a lead there cost a third of intake throughput, and a new lead is
 * searchable a poll interval later instead. On PostgreSQL the rows are locked (SKIP LOCKED), so processes share the
 * work and a correction or an erasure of the same lead waits for the batch. Returns how many leads were indexed.
 */
export async function indexPendingLeads(db: Kysely<Database>, engine: Engine, hash: TermHasher, limit = 500): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const leads = await trx
      .selectFrom('leads')
      .select(SEARCHABLE)
      .where('search_indexed', '=', 0)
      .limit(limit)
      .$if(engine === 'postgres', (qb) => qb.forUpdate().skipLocked())
      .execute();
    if (!leads.length) return 0;
    await insertTerms(trx, leads.flatMap((l) => termRows(hash, searchableOf(l))));
    await trx.updateTable('leads').set({ search_indexed: 1 }).where('id', 'in', leads.map((l) => l.id)).execute();
    return leads.length;
  });
}
