import SQLite from 'better-sqlite3';
import { type DatabaseConnection, type Dialect, type Driver, Kysely, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { ENGINES, type TestEngine, freshDatabaseUrl } from '../../../tests/helpers/databases.js';
import type { Submission } from '../../../schema/submission.js';
import { LeadIntake } from '../leads/intake.js';
import { withCommitHooks } from '../storage/commit-hooks.js';
import { type Storage, openStorage } from '../storage/database.js';
import { migrateToLatest } from '../storage/migrations.js';
import { transactionWithRetry } from '../storage/row-locks.js';
import type { Database } from '../storage/tables.js';
import { type LeadQueued, Notifier, leadQueued } from './lead-queued.js';
import { enqueueJobs, enqueueSync } from './outbox.js';

const SHOP = 'outbox-test.myshopify.com';

const submission = (email: string, consent: boolean): Submission => ({
  email,
  email_marketing_consent: consent,
  consent_text: 'Email me offers.',
  form_id: 'contact',
  custom: [],
  answers: {},
});

/** Writes a lead through intake (consenting: with its job) and returns its id. */
async function lead(db: Kysely<Database>, email: string, consent = false): Promise<string> {
  const intake = new LeadIntake(db, (v) => `h:${v}`, { perIpPerMinute: 1000, perShopPerMinute: 100_000 });
  const { lead } = await intake.accept({
    shop: SHOP,
    loggedInCustomerId: null,
    submission: submission(email, consent),
    idempotencyKey: null,
    locale: 'en',
    clientIp: 'test',
    tags: [],
  });
  return lead.id;
}

/** Collects the "lead queued" events fired while a test runs. */
function listen(): { events: LeadQueued[]; stop: () => void } {
  const events: LeadQueued[] = [];
  const stop = leadQueued.subscribe((e) => events.push(e));
  return { events, stop };
}

const retryable = () => Object.assign(new Error('could not serialize access'), { code: '40001' });

describe('lead queued fires after the commit', () => {
  it('comes after COMMIT has returned, never from inside the transaction', async () => {
    // A driver that writes down when COMMIT returns, under the commit hooks, as openStorage stacks them.
    const log: string[] = [];
    const inner = new SqliteDialect({ database: new SQLite(':memory:') });
    const logging: Dialect = {
      createAdapter: () => inner.createAdapter(),
      createIntrospector: (db) => inner.createIntrospector(db),
      createQueryCompiler: () => inner.createQueryCompiler(),
      createDriver: (): Driver => {
        const driver = inner.createDriver();
        return {
          init: () => driver.init(),
          acquireConnection: () => driver.acquireConnection(),
          beginTransaction: (c, s) => driver.beginTransaction(c, s),
          async commitTransaction(c: DatabaseConnection) {
            await driver.commitTransaction(c);
            log.push('commit');
          },
          rollbackTransaction: (c) => driver.rollbackTransaction(c),
          releaseConnection: (c) => driver.releaseConnection(c),
          destroy: () => driver.destroy(),
        };
      },
    };
    const db = new Kysely<Database>({ dialect: withCommitHooks(logging) });
    await migrateToLatest(db as Kysely<unknown>);
    const id = await lead(db, 'ann@example.com');
    const stop = leadQueued.subscribe((e) => log.push(`queued ${e.jobs.map((j) => j.leadId).join()}`));
    try {
      log.length = 0;
      await db.transaction().execute(async (trx) => {
        await enqueueSync(trx, SHOP, id);
        log.push('enqueued');
      });
      expect(log).toEqual(['enqueued', 'commit', `queued ${id}`]);
      // Intake's batch writes its jobs through the same writer.
      log.length = 0;
      const consenting = await lead(db, 'bob@example.com', true);
      expect(log).toEqual(['commit', `queued ${consenting}`]);
    } finally {
      stop();
      await db.destroy();
    }
  });

  it('refuses a transaction on a database without commit hooks rather than never waking the worker', async () => {
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
    await migrateToLatest(db as Kysely<unknown>);
    const id = await lead(db, 'ann@example.com').catch(() => null);
    // Intake writes no job for a lead without consent, so the lead is there; a job in a transaction is refused.
    expect(id).not.toBeNull();
    await expect(db.transaction().execute((trx) => enqueueSync(trx, SHOP, id!))).rejects.toThrow(/commit hooks/);
    expect(await db.selectFrom('outbox_jobs').select('id').execute()).toEqual([]);
    await db.destroy();
  });
});

describe.each(ENGINES)('outbox writer on %s', (engine: TestEngine) => {
  let storage: Storage | null = null;
  let drop: (() => Promise<void>) | null = null;
  let listening: { events: LeadQueued[]; stop: () => void } | null = null;
  afterEach(async () => {
    listening?.stop();
    await storage?.close();
    await drop?.();
    storage = null;
    drop = null;
    listening = null;
  });

  async function open(): Promise<Kysely<Database> | null> {
    const database = await freshDatabaseUrl(engine);
    if (!database) return null;
    drop = database.drop;
    storage = await openStorage(database.url);
    return storage.db;
  }

  it('announces the committed jobs, which a worker looking then finds', async (ctx) => {
    const db = await open();
    if (!db) return ctx.skip();
    const ids = [await lead(db, 'a@example.com'), await lead(db, 'b@example.com')];
    const seen: Array<Promise<Array<string | null>>> = [];
    // What a woken worker does: look for due jobs, from another connection on PostgreSQL.
    const stop = leadQueued.subscribe(() =>
      seen.push(
        db
          .selectFrom('outbox_jobs')
          .select('lead_id')
          .where('state', '=', 'pending')
          .execute()
          .then((rows) => rows.map((r) => r.lead_id).sort()),
      ),
    );
    listening = listen();
    try {
      await db.transaction().execute((trx) =>
        enqueueJobs(trx, [
          { shop: SHOP, leadId: ids[0]! },
          { shop: SHOP, leadId: ids[1]!, kind: 'update_customer' },
        ]),
      );
    } finally {
      stop();
    }
    expect(listening.events).toEqual([
      {
        jobs: [
          { shop: SHOP, leadId: ids[0], kind: 'sync_lead' },
          { shop: SHOP, leadId: ids[1], kind: 'update_customer' },
        ],
      },
    ]);
    expect(await Promise.all(seen)).toEqual([[...ids].sort()]);
  });

  it('announces nothing when the transaction rolls back', async (ctx) => {
    const db = await open();
    if (!db) return ctx.skip();
    const id = await lead(db, 'a@example.com');
    listening = listen();
    await expect(
      db.transaction().execute(async (trx) => {
        await enqueueSync(trx, SHOP, id);
        throw new Error('the change that made the job failed');
      }),
    ).rejects.toThrow('the change that made the job failed');
    expect(listening.events).toEqual([]);
    expect(await db.selectFrom('outbox_jobs').select('id').execute()).toEqual([]);
    // The connection's next transaction does not inherit the rolled-back one's announcement.
    await db.transaction().execute(async (trx) => {
      await trx.selectFrom('leads').select('id').execute();
    });
    expect(listening.events).toEqual([]);
  });

  it('announces a retried transaction once, for the attempt that committed', async (ctx) => {
    const db = await open();
    if (!db) return ctx.skip();
    const id = await lead(db, 'a@example.com');
    listening = listen();
    let attempts = 0;
    await transactionWithRetry(db, async (trx) => {
      await enqueueSync(trx, SHOP, id);
      if (++attempts === 1) throw retryable();
    });
    expect(attempts).toBe(2);
    expect(listening.events).toHaveLength(1);
    expect(await db.selectFrom('outbox_jobs').select('id').execute()).toHaveLength(1);
  });

  it('announces a write outside a transaction once the statement has run', async (ctx) => {
    const db = await open();
    if (!db) return ctx.skip();
    const id = await lead(db, 'a@example.com');
    listening = listen();
    await enqueueSync(db, SHOP, id);
    expect(listening.events).toEqual([{ jobs: [{ shop: SHOP, leadId: id, kind: 'sync_lead' }] }]);
  });

  it('keeps the write when a listener throws, and the other listeners still hear of it', async (ctx) => {
    const db = await open();
    if (!db) return ctx.skip();
    const id = await lead(db, 'a@example.com');
    const stopFailing = leadQueued.subscribe(() => {
      throw new Error('listener broke');
    });
    listening = listen();
    try {
      await db.transaction().execute((trx) => enqueueSync(trx, SHOP, id));
    } finally {
      stopFailing();
    }
    expect(listening.events).toHaveLength(1);
    expect(await db.selectFrom('outbox_jobs').select('id').execute()).toHaveLength(1);
  });

  it('writes nothing and announces nothing for no jobs', async (ctx) => {
    const db = await open();
    if (!db) return ctx.skip();
    listening = listen();
    await db.transaction().execute((trx) => enqueueJobs(trx, []));
    expect(listening.events).toEqual([]);
  });
});

describe('notifier', () => {
  it('stops calling a listener once it unsubscribes, and keeps two subscriptions of one function apart', () => {
    const notifier = new Notifier<number>();
    const heard: number[] = [];
    const listener = (n: number) => heard.push(n);
    const first = notifier.subscribe(listener);
    const second = notifier.subscribe(listener);
    notifier.emit(1);
    first();
    notifier.emit(2);
    second();
    notifier.emit(3);
    expect(heard).toEqual([1, 1, 2]);
  });
});
