import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import SQLite from 'better-sqlite3';
import { CompiledQuery, Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteThreadDialect } from './sqlite-thread.js';

interface Db {
  t: { id: string; body: Uint8Array | null };
}

describe('SQLite on its own thread', () => {
  const open: Array<Kysely<Db>> = [];
  const dirs: string[] = [];
  const database = async (path = ':memory:') => {
    const db = new Kysely<Db>({ dialect: new SqliteThreadDialect({ path, pragmas: ['journal_mode = WAL', 'synchronous = FULL'] }) });
    open.push(db);
    await sql`create table t (id text primary key, body blob)`.execute(db);
    return db;
  };
  afterEach(async () => {
    for (const db of open.splice(0)) await db.destroy();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('commits what a transaction wrote and discards what a rolled-back one wrote, on disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-thread-'));
    dirs.push(dir);
    const file = join(dir, 'a.sqlite');
    const db = await database(file);
    await db.transaction().execute((trx) => trx.insertInto('t').values({ id: 'kept', body: null }).execute());
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('t').values({ id: 'dropped', body: null }).execute();
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    // Another connection, in this thread, sees exactly what was committed.
    const reader = new SQLite(file, { readonly: true });
    expect(reader.prepare('select id from t').all()).toEqual([{ id: 'kept' }]);
    reader.close();
  });

  it('runs a transaction that ran no statement, and the ones around it, as transactions', async () => {
    const db = await database();
    await db.transaction().execute(async () => {});
    await expect(
      db.transaction().execute(async () => {
        throw new Error('before any statement');
      }),
    ).rejects.toThrow('before any statement');
    // BEGIN went with the first statement: a failed statement rolls back what ran before it in its transaction.
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('t').values({ id: 'x', body: null }).execute();
        await trx.insertInto('t').values({ id: 'x', body: null }).execute();
      }),
    ).rejects.toThrow();
    await db.transaction().execute((trx) => trx.insertInto('t').values({ id: 'y', body: null }).execute());
    expect(await db.selectFrom('t').select('id').execute()).toEqual([{ id: 'y' }]);
  });

  it("rejects with SQLite's own error class and code, so callers can tell a constraint from an outage", async () => {
    const db = await database();
    await db.insertInto('t').values({ id: 'a', body: null }).execute();
    const error = await db
      .insertInto('t')
      .values({ id: 'a', body: null })
      .execute()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SQLite.SqliteError);
    expect(error).toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
  });

  it('carries bytes both ways and reports affected rows', async () => {
    const db = await database();
    const result = await db
      .insertInto('t')
      .values({ id: 'b', body: Buffer.from([0, 1, 254, 255]) })
      .executeTakeFirst();
    expect(result.numInsertedOrUpdatedRows).toBe(1n);
    const row = await db.selectFrom('t').select('body').where('id', '=', 'b').executeTakeFirstOrThrow();
    expect([...row.body!]).toEqual([0, 1, 254, 255]);
  });

  it('leaves the main thread free while a statement runs', async () => {
    const db = await database();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    // A statement that keeps SQLite busy for a while (tens of milliseconds): on the main thread no timer could fire.
    await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < 3000000) select count(*) as c from n`.execute(db);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });

  // Principle 9: a value that cannot be copied to the thread (a function, a symbol) fails its own statement with its
  // own error; the transaction it opened is still one, and nothing is left waiting on the thread.
  it('fails a statement whose parameter cannot cross to the thread with that error, and nothing else', async () => {
    const db = await database();
    const uncloneable = CompiledQuery.raw('insert into t (id, body) values (?, null)', [() => 'x']);
    const error = await db
      .transaction()
      .execute(async (trx) => {
        await trx.executeQuery(uncloneable);
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'DataCloneError' });
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('t').values({ id: 'z', body: null }).execute();
        await trx.insertInto('t').values({ id: 'z', body: null }).execute();
      }),
    ).rejects.toThrow();
    expect(await db.selectFrom('t').select('id').execute()).toEqual([]);
  });

  it('does not hold the process open after a statement that could not be sent', () => {
    const script = [
      `import { CompiledQuery, Kysely } from ${JSON.stringify(pathToFileURL(createRequire(import.meta.url).resolve('kysely')).href)};`,
      `import { SqliteThreadDialect } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'sqlite-thread.ts')).href)};`,
      "const db = new Kysely({ dialect: new SqliteThreadDialect({ path: ':memory:', pragmas: [] }) });",
      "await db.executeQuery(CompiledQuery.raw('select ?', [Symbol('x')])).catch(() => {});",
      "await db.executeQuery(CompiledQuery.raw('select 1'));",
      "console.log('done');",
    ].join('\n');
    const dir = mkdtempSync(join(tmpdir(), 'cc-thread-'));
    dirs.push(dir);
    const file = join(dir, 'forgotten.mts');
    writeFileSync(file, script);
    // Never closed, as a script that forgot to: it must end on its own once nothing is under way.
    const run = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: import.meta.dirname, timeout: 15_000, encoding: 'utf8' });
    expect(run.stdout.trim()).toBe('done');
    expect(run.signal).toBeNull();
    expect(run.status).toBe(0);
  });

  it('refuses statements once closed', async () => {
    const db = await database();
    await db.destroy();
    open.splice(open.indexOf(db), 1);
    await expect(db.selectFrom('t').selectAll().execute()).rejects.toThrow();
  });
});
