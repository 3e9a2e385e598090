import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrateToLatest, migrations } from '../web/server/storage/migrations.js';
import { ENGINES, freshDatabaseUrl } from './helpers/databases.js';

/**
 * Thank-you answers stored before 0007 took the token's customer on trust. The migration keeps what was already
 * synced, turns an unsynced lead's customer into a claim the worker checks against the order, and leaves orders/create
 * leads (signed by Shopify) as they were.
 */
describe.each(ENGINES)('0007_purchase-owner on %s', (engine) => {
  it('re-proves unsynced thank-you leads and trusts webhook leads', async (ctx) => {
    const database = await freshDatabaseUrl(engine);
    if (!database) return ctx.skip();
    const db =
      engine === 'sqlite'
        ? new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) })
        : new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 1 }) }) });
    try {
      const schema = engine === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema : undefined;
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, ...(schema ? { migrationTableSchema: schema } : {}) });
      expect((await migrator.migrateTo('0006_workspace')).error).toBeUndefined();
      const lead = (id: string, source: string, status: string, customer: string | null) =>
        sql`insert into leads (id, shop, created_at, email, locale, email_consent, status, shopify_customer_id, idempotency_key, body_hash, source, order_id)
            values (${id}, 's.myshopify.com', '2026-01-01T00:00:00.000Z', '', 'en', 1, ${status}, ${customer}, ${id}, 'h', ${source}, 'gid://shopify/Order/1')`.execute(
          db,
        );
      await lead('pending-claim', 'thank_you', 'pending', 'gid://shopify/Customer/7');
      await lead('synced-before', 'thank_you', 'synced', 'gid://shopify/Customer/8');
      await lead('guest', 'thank_you', 'pending', null);
      await lead('cart', 'cart', 'pending', 'gid://shopify/Customer/9');
      await lead('form', 'contact_form', 'pending', null);
      await migrateToLatest(db, schema);
      const rows = await sql<{ id: string; buyer_proof: string | null; buyer_claim: string | null; shopify_customer_id: string | null }>`
        select id, buyer_proof, buyer_claim, shopify_customer_id from leads order by id`.execute(db);
      expect(rows.rows).toEqual([
        { id: 'cart', buyer_proof: 'webhook', buyer_claim: null, shopify_customer_id: 'gid://shopify/Customer/9' },
        { id: 'form', buyer_proof: null, buyer_claim: null, shopify_customer_id: null },
        { id: 'guest', buyer_proof: 'none', buyer_claim: null, shopify_customer_id: null },
        { id: 'pending-claim', buyer_proof: 'pending', buyer_claim: 'customer:gid://shopify/Customer/7', shopify_customer_id: null },
        { id: 'synced-before', buyer_proof: 'none', buyer_claim: null, shopify_customer_id: 'gid://shopify/Customer/8' },
      ]);
    } finally {
      await db.destroy();
      await database.drop();
    }
  });
});
