import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { concurrent, settled } from './concurrent.js';
import { withCommitHooks, afterCommit } from './commit-hooks.js';
import { SqliteThreadDialect } from './sqlite-thread.js';

interface Db {
  t: { id: string };
}

describe('statements a transaction issues together', () => {
  const open: Array<Kysely<Db>> = [];
  const database = async () => {
    const db = new Kysely<Db>({ dialect: withCommitHooks(new SqliteThreadDialect({ path: ':memory:', pragmas: [] })) });
    open.push(db);
    await sql`create table t (id text primary key)`.execute(db);
    return db;
  };
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const db of open.splice(0)) await db.destroy();
  });

  it('go to the SQLite thread in one message, run in the order issued, and keep the transaction and its commit hooks', async () => {
    const db = await database();
    const posted = vi.spyOn(Worker.prototype, 'postMessage');
    let hooked = false;
    const ids = await db.transaction().execute(async (trx) => {
      const together = await concurrent(trx);
      posted.mockClear();
      await settled(
        together.insertInto('t').values({ id: 'a' }).execute(),
        together.insertInto('t').values({ id: 'b' }).execute(),
        afterCommit<Db>(together, () => (hooked = true)),
      );
      expect(posted).toHaveBeenCalledTimes(1);
      expect(hooked).toBe(false);
      // Later statements see the earlier ones: one connection, one transaction.
      return (await together.selectFrom('t').select('id').orderBy('id').execute()).map((r) => r.id);
    });
    expect(ids).toEqual(['a', 'b']);
    expect(hooked).toBe(true);
  });

  it('after a failing one, run none of the rest, and the failure is the one reported', async () => {
    const db = await database();
    await db.insertInto('t').values({ id: 'taken' }).execute();
    const error = await db
      .transaction()
      .execute(async (trx) => {
        const together = await concurrent(trx);
        await settled(
          together.insertInto('t').values({ id: 'first' }).execute(),
          together.insertInto('t').values({ id: 'taken' }).execute(),
          together.insertInto('t').values({ id: 'after' }).execute(),
        );
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SQLite.SqliteError);
    expect(error).toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    // Rolled back: what ran before the failure is gone too, and the connection serves the next transaction.
    expect((await db.selectFrom('t').select('id').execute()).map((r) => r.id)).toEqual(['taken']);
    await db.transaction().execute((trx) => trx.insertInto('t').values({ id: 'next' }).execute());
    expect((await db.selectFrom('t').select('id').orderBy('id').execute()).map((r) => r.id)).toEqual(['next', 'taken']);
  });
});

describe('settled', () => {
  it('waits for every promise before reporting the failure that came first', async () => {
    const order: string[] = [];
    const late = new Promise<string>((resolve) => setTimeout(() => resolve(order.push('late') ? 'late' : ''), 20));
    const error = await settled(late, Promise.reject(new Error('first')), new Promise((_, reject) => setTimeout(() => reject(new Error('second')), 5))).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ message: 'first' });
    expect(order).toEqual(['late']);
    await expect(settled(Promise.resolve(1), Promise.resolve('x'))).resolves.toEqual([1, 'x']);
  });
});
