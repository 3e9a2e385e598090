import type { Kysely } from 'kysely';
import type { Database } from '../storage/tables.js';
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
  const leads = await db.selectFrom('leads').select(['id', 'shop', 'created_at', 'first_name', 'last_name', 'email', 'company', 'phone', 'message', 'tags']).where('id', 'in', ids).execute();
  await db.deleteFrom('lead_terms').where('lead_id', 'in', ids).execute();
  await insertTerms(db, leads.flatMap((l) => termRows(hash, { ...l, tags: l.tags ? (JSON.parse(l.tags) as string[]) : [] })));
}
