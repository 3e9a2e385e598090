import type { Kysely } from 'kysely';
import type { Database } from '../../web/server/storage/tables.js';

/** How many leads, consent records and outbox jobs there are: "writes nothing" means these do not move. */
export async function rowCounts(db: Kysely<Database>): Promise<{ leads: number; consents: number; jobs: number }> {
  const count = async (table: 'leads' | 'consent_records' | 'outbox_jobs') =>
    Number((await db.selectFrom(table).select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { leads: await count('leads'), consents: await count('consent_records'), jobs: await count('outbox_jobs') };
}
