import { afterEach, describe, expect, it, vi } from 'vitest';
import { openStorage, type Storage } from '../web/server/storage/database.js';
import { concurrent, settled } from '../web/server/storage/concurrent.js';
import { ENGINES, freshDatabaseUrl } from './helpers/databases.js';

/**
 * Statements a transaction issues at once (storage/concurrent.ts): one message to the SQLite thread, one round trip to
 * PostgreSQL in pipeline mode. They must behave as the same statements issued one by one: all in the transaction, in
 * order, and on a failure the failure itself is reported (not PostgreSQL's "transaction is aborted" of those after it)
 * and nothing is committed.
 */
describe.each(ENGINES)('statements issued together on %s', (engine) => {
  let storage: Storage | null = null;
  let drop: (() => Promise<void>) | null = null;
  afterEach(async () => {
    vi.restoreAllMocks();
    await storage?.close();
    await drop?.();
    storage = null;
    drop = null;
  });
  const open = async () => {
    const fresh = await freshDatabaseUrl(engine);
    if (!fresh) return null;
    drop = fresh.drop;
    storage = await openStorage(fresh.url);
    return storage.db;
  };
  const counter = (key: string) => ({ key, window: 1, count: 1 });

  it('run in the transaction, in the order issued, and commit together', async (ctx) => {
    const db = await open();
    if (!db) return ctx.skip();
    const warned = vi.spyOn(process, 'emitWarning');
    const seen = await db.transaction().execute(async (trx) => {
      const together = await concurrent(trx);
      const [, , rows] = await settled(
        together.insertInto('rate_counters').values(counter('a')).execute(),
        together.updateTable('rate_counters').set({ count: 5 }).where('key', '=', 'a').execute(),
        together.selectFrom('rate_counters').select(['key', 'count']).execute(),
      );
      return rows;
    });
    expect(seen.map((r) => [r.key, Number(r.count)])).toEqual([['a', 5]]);
    expect((await db.selectFrom('rate_counters').select('key').execute()).map((r) => r.key)).toEqual(['a']);
    // pg warns when asked for a query while one is under way, unless in pipeline mode.
    expect(warned).not.toHaveBeenCalled();
  });

  it('report the failure itself, and commit none of them', async (ctx) => {
    const db = await open();
    if (!db) return ctx.skip();
    await db.insertInto('rate_counters').values(counter('taken')).execute();
    const error = await db
      .transaction()
      .execute(async (trx) => {
        const together = await concurrent(trx);
        await settled(
          together.insertInto('rate_counters').values(counter('first')).execute(),
          together.insertInto('rate_counters').values(counter('taken')).execute(),
          together.insertInto('rate_counters').values(counter('after')).execute(),
        );
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: engine === 'postgres' ? '23505' : 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    expect((await db.selectFrom('rate_counters').select('key').execute()).map((r) => r.key)).toEqual(['taken']);
    // The connection is usable by the next transaction.
    await db.transaction().execute((trx) => trx.insertInto('rate_counters').values(counter('next')).execute());
    expect((await db.selectFrom('rate_counters').select('key').orderBy('key').execute()).map((r) => r.key)).toEqual(['next', 'taken']);
  });
});
