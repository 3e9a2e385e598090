import { type Kysely, PostgresAdapter } from 'kysely';
import { IDS_PER_STATEMENT, batches } from './batches.js';
import type { Database } from './tables.js';

/**
 * Lock order for everything that changes a customer's leads: the lead rows first, in id order, then what hangs off
 * them (consent records, jobs, search terms, notes). Erasure, consent changes and corrections all follow it, so on
 * PostgreSQL they wait for each other instead of deadlocking, and a change that waited for an erasure finds the rows
 * gone rather than inserting against them. SQLite runs one transaction at a time and needs no row locks.
 */
export const isPostgres = (db: Kysely<Database>): boolean => db.getExecutor().adapter instanceof PostgresAdapter;

/**
 * Locks these leads (run it in a transaction) and returns the ids still present. `share` lets changes that only add
 * to a lead (a consent record) run side by side, while an erasure or a correction waits for them.
 */
export async function lockLeads(db: Kysely<Database>, ids: readonly string[], mode: 'update' | 'share' = 'update'): Promise<string[]> {
  if (!ids.length) return [];
  // A person can have more leads than one `IN (...)` list may name (anyone may send the form with their email): past
  // IDS_PER_STATEMENT they are locked in slices of sorted ids, which keeps the lock order.
  const slices = ids.length > IDS_PER_STATEMENT ? batches([...ids].sort(), IDS_PER_STATEMENT) : [[...ids]];
  const present: string[] = [];
  for (const slice of slices) {
    const rows = await db
      .selectFrom('leads')
      .select('id')
      .where('id', 'in', slice)
      .orderBy('id')
      .$if(isPostgres(db), (qb) => (mode === 'update' ? qb.forUpdate() : qb.forShare()))
      .execute();
    present.push(...rows.map((r) => r.id));
  }
  return present;
}

/** SQLSTATEs that mean "the other transaction won; running this one again will see its outcome". */
const RETRYABLE = new Set(['40001', '40P01', '23503']);

export const isRetryableConflict = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && 'code' in error && RETRYABLE.has(String(error.code));

/**
 * Runs `work` in a transaction, again (a few times) when PostgreSQL aborts it for a serialization failure, a deadlock
 * or a foreign key that a concurrent erasure removed: the lock order above makes these rare, this makes them harmless.
 * Within an outer transaction it just runs: the outer one owns the retry.
 */
export async function transactionWithRetry<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>, attempts = 4): Promise<T> {
  if (db.isTransaction) return work(db);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      if (attempt >= attempts || !isRetryableConflict(error)) throw error;
    }
  }
}
