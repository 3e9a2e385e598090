import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openStorage } from '../web/server/storage/database.js';
import { parseKeyring } from '../web/server/storage/keyring.js';
import { TEST_DATABASE_URL, freshDatabaseUrl } from './helpers/databases.js';

/**
 * A PostgreSQL database can hold other schemas with their own Kysely migration tables (another app, another test
 * run). Kysely looks for its tables in every schema unless told which one: it then believed they existed and failed
 * with `relation "kysely_migration_lock" does not exist`. The app migrates in its own (current) schema.
 */
describe('migrations on PostgreSQL', () => {
  it('migrate a fresh schema while another schema already holds migration tables', async (ctx) => {
    const other = await freshDatabaseUrl('postgres');
    if (!other) return ctx.skip();
    const fresh = await freshDatabaseUrl('postgres');
    const keyring = parseKeyring(`k1:${Buffer.alloc(32, 7).toString('base64')}`);
    try {
      const first = await openStorage(other.url, keyring);
      await first.close();
      const second = await openStorage(fresh!.url, keyring);
      expect(await second.db.selectFrom('leads').select('id').execute()).toEqual([]);
      await second.close();
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      const { rows } = await client.query("select count(*)::int as n from information_schema.tables where table_name = 'kysely_migration'");
      await client.end();
      expect(rows[0].n).toBeGreaterThanOrEqual(2);
    } finally {
      await other.drop();
      await fresh?.drop();
    }
  });
});
