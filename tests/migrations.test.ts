import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openStorage } from '../web/server/storage/database.js';
import { parseKeyring } from '../web/server/storage/keyring.js';
import { migrations } from '../web/server/storage/migrations.js';
import { SqliteThreadDialect } from '../web/server/storage/sqlite-thread.js';
import { ENGINES, TEST_DATABASE_URL, freshDatabaseUrl } from './helpers/databases.js';

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

/**
 * 0011_mail-digest lets a job or a mail belong to no lead (a digest). SQLite cannot drop a NOT NULL, so its tables are
 * rebuilt: their rows, their indexes and the cascade from leads must come through, on both engines.
 */
describe.each(ENGINES)('migration 0011_mail-digest on %s', (engine) => {
  it('keeps the rows, indexes and cascade of outbox_jobs and mail_messages, and allows shop-level jobs once per key', async (ctx) => {
    const database = await freshDatabaseUrl(engine);
    if (!database) return ctx.skip();
    const file = join(tmpdir(), `migration-0011-${process.pid}-${Date.now()}.sqlite`);
    const db = new Kysely<any>({
      dialect:
        engine === 'sqlite'
          ? new SqliteThreadDialect({ path: file, pragmas: ['foreign_keys = ON'] })
          : new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 2 }) }),
    });
    const schema = engine === 'postgres' ? new URL(database.url).searchParams.get('options')!.split('=').pop()! : undefined;
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, ...(schema ? { migrationTableSchema: schema } : {}) });
    try {
      expect((await migrator.migrateTo('0010_mail2')).error).toBeUndefined();
      const at = new Date().toISOString();
      const lead = (id: string) => ({
        id,
        shop: 's',
        created_at: at,
        email: 'x',
        locale: 'en',
        email_consent: 1,
        status: 'pending',
        idempotency_key: id,
        body_hash: 'h',
      });
      await db
        .insertInto('leads')
        .values([lead('l1'), lead('l2')])
        .execute();
      const job = (id: string, leadId: string) => ({
        id,
        shop: 's',
        lead_id: leadId,
        kind: 'sync_lead',
        state: 'pending',
        run_after: at,
        created_at: at,
        updated_at: at,
      });
      await db
        .insertInto('outbox_jobs')
        .values([job('j1', 'l1'), job('j2', 'l2')])
        .execute();
      await db
        .insertInto('mail_messages')
        .values({
          id: 'm1',
          shop: 's',
          lead_id: 'l1',
          event_key: 'e1',
          template: 'reply',
          locale: 'en',
          to_address: 'x',
          params: '{}',
          job_id: 'j1',
          status: 'queued',
          message_id: '<m1>',
          created_at: at,
        })
        .execute();
      expect((await migrator.migrateToLatest()).error).toBeUndefined();

      expect(
        (await db.selectFrom('outbox_jobs').select(['id', 'lead_id', 'idempotency_key']).orderBy('id').execute()).map((r) => [
          r.id,
          r.lead_id,
          r.idempotency_key,
        ]),
      ).toEqual([
        ['j1', 'l1', null],
        ['j2', 'l2', null],
      ]);
      // A shop-level job, and its key unique per shop.
      const digest = { ...job('d1', 'l1'), lead_id: null, kind: 'mail_digest', idempotency_key: 'digest:k' };
      await db.insertInto('outbox_jobs').values(digest).execute();
      await expect(
        db
          .insertInto('outbox_jobs')
          .values({ ...digest, id: 'd2' })
          .execute(),
      ).rejects.toThrow();
      await db
        .insertInto('outbox_jobs')
        .values({ ...digest, id: 'd3', shop: 'other' })
        .execute();
      await db
        .insertInto('mail_messages')
        .values({
          id: 'm2',
          shop: 's',
          lead_id: null,
          event_key: 'e2',
          template: 'digest',
          locale: 'en',
          to_address: 'x',
          params: '{}',
          job_id: 'd1',
          status: 'queued',
          message_id: '<m2>',
          created_at: at,
        })
        .execute();
      await expect(
        db
          .insertInto('mail_messages')
          .values({
            id: 'm3',
            shop: 's',
            lead_id: null,
            event_key: 'e2',
            template: 'digest',
            locale: 'en',
            to_address: 'x',
            params: '{}',
            job_id: 'd1',
            status: 'queued',
            message_id: '<m3>',
            created_at: at,
          })
          .execute(),
      ).rejects.toThrow();
      // The cascade from leads still holds.
      await db.deleteFrom('leads').where('id', '=', 'l2').execute();
      expect((await db.selectFrom('outbox_jobs').select('id').orderBy('id').execute()).map((r) => r.id)).toEqual(['d1', 'd3', 'j1']);
    } finally {
      await db.destroy();
      await database.drop();
      rmSync(file, { force: true });
    }
  });
});
