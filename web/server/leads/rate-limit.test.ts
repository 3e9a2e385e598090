import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ENGINES, type TestEngine, freshDatabaseUrl } from '../../../tests/helpers/databases.js';
import { SECRET, SHOP, type TestApp, jsonPost, startTestApp } from '../../../tests/helpers/runtime.js';
import { signProxyQuery } from '../../../dev/proxy-signer.js';
import { type Runtime, createRuntime } from '../root.js';
import { type Storage, openStorage } from '../storage/database.js';
import { RateCounters, WINDOW_MS, windowOf } from './rate-limit.js';

/**
 * The storefront's limits count in memory and merge with the database every second (rate-limit.ts). These tests call
 * flush() where the timer would, so they say exactly which interval each count belongs to.
 */

// A time in the middle of a window, so that nothing here crosses a window's edge.
const NOW = 1_000 * WINDOW_MS + WINDOW_MS / 2;

/** A database two processes can share: a PostgreSQL schema, or an SQLite file (":memory:" is one connection's own). */
async function sharedDatabase(engine: TestEngine): Promise<{ url: string; drop(): Promise<void> } | null> {
  if (engine === 'postgres') return freshDatabaseUrl(engine);
  const dir = mkdtempSync(join(tmpdir(), 'cc-counters-'));
  return { url: `sqlite:${join(dir, 'db.sqlite')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

describe.each(ENGINES)('rate counters on %s', (engine) => {
  const opened: Storage[] = [];
  let drop: (() => Promise<void>) | null = null;
  afterEach(async () => {
    for (const storage of opened.splice(0)) await storage.close();
    await drop?.();
    drop = null;
  });

  /** Two "processes": two connections (pools) to one database, each with its own counters. */
  async function twoProcesses(): Promise<[RateCounters, RateCounters, Storage] | null> {
    const database = await sharedDatabase(engine);
    if (!database) return null;
    drop = database.drop;
    const a = await openStorage(database.url);
    const b = await openStorage(database.url);
    opened.push(a, b);
    return [new RateCounters(a.db, { clock: () => NOW }), new RateCounters(b.db, { clock: () => NOW }), a];
  }
  const stored = async (storage: Storage, key: string) =>
    Number(
      (await storage.db.selectFrom('rate_counters').select('count').where('key', '=', key).where('window', '=', windowOf(NOW)).executeTakeFirst())?.count ?? 0,
    );

  it('counts exactly in one process, before any flush', async (ctx) => {
    const processes = await twoProcesses();
    if (!processes) return ctx.skip();
    const [a] = processes;
    expect(Array.from({ length: 4 }, () => a.count(['ip:x', 'shop:s'], NOW))).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ]);
    // Another window starts from nothing.
    expect(a.count(['ip:x'], NOW + WINDOW_MS)).toEqual([1]);
  });

  it("tells a key's count without counting it, before, during and after a flush, and per window", async (ctx) => {
    const processes = await twoProcesses();
    if (!processes) return ctx.skip();
    const [a, b] = processes;
    expect(a.known('shop:s', NOW)).toBe(0);
    a.count(['shop:s'], NOW);
    a.count(['shop:s'], NOW);
    expect([a.known('shop:s', NOW), a.known('shop:s', NOW)]).toEqual([2, 2]);
    const flushing = a.flush();
    expect(a.known('shop:s', NOW)).toBe(2);
    await flushing;
    expect(a.known('shop:s', NOW)).toBe(2);
    // Another process learns the flushed count with its own flush, and looking creates nothing to flush.
    await b.flush();
    expect(b.known('shop:s', NOW)).toBe(2);
    expect(b.known('shop:other', NOW)).toBe(0);
    expect(a.known('shop:s', NOW + WINDOW_MS)).toBe(0);
  });

  it('counts exactly while a flush is being written: what it took out of memory is still counted', async (ctx) => {
    const processes = await twoProcesses();
    if (!processes) return ctx.skip();
    const [a, , storage] = processes;
    for (let i = 0; i < 3; i++) a.count(['view:x'], NOW);
    // The flush's upsert is under way (SQLite runs on its own thread, PostgreSQL over the network): a request now still
    // sees the three before it (a view beacon past the limit was admitted while the counts were in flight).
    const flushing = a.flush();
    expect(a.count(['view:x'], NOW)).toEqual([4]);
    await flushing;
    expect(await stored(storage, 'view:x')).toBe(3);
    expect(a.count(['view:x'], NOW)).toEqual([5]);
    await a.flush();
    expect(await stored(storage, 'view:x')).toBe(5);
  });

  it('adds its counts to the table on each flush, once, and keeps counting across flushes', async (ctx) => {
    const processes = await twoProcesses();
    if (!processes) return ctx.skip();
    const [a, , storage] = processes;
    for (let i = 0; i < 3; i++) a.count(['ip:x'], NOW);
    await a.flush();
    expect(await stored(storage, 'ip:x')).toBe(3);
    await a.flush();
    expect(await stored(storage, 'ip:x')).toBe(3);
    expect(a.count(['ip:x'], NOW)).toEqual([4]);
    await a.stop();
    expect(await stored(storage, 'ip:x')).toBe(4);
  });

  it('keeps the counts of a flush the database refused, and adds them on the next', async (ctx) => {
    const processes = await twoProcesses();
    if (!processes) return ctx.skip();
    const [a, , storage] = processes;
    a.count(['ip:x'], NOW);
    a.count(['ip:x'], NOW);
    await sql`alter table rate_counters rename to rate_counters_away`.execute(storage.db);
    await expect(a.flush()).rejects.toThrow();
    await sql`alter table rate_counters_away rename to rate_counters`.execute(storage.db);
    await a.flush();
    expect(await stored(storage, 'ip:x')).toBe(2);
    expect(a.count(['ip:x'], NOW)).toEqual([3]);
  });

  it('shares counts between processes within two flush intervals: the limit holds across them up to that', async (ctx) => {
    const processes = await twoProcesses();
    if (!processes) return ctx.skip();
    const [a, b] = processes;
    const limit = 5;
    const admitted = (counters: RateCounters) => counters.count(['ip:x'], NOW)[0]! <= limit;
    // A takes the whole limit of key x; B, which has not heard of x, admits one more before its flush: the lag.
    expect(Array.from({ length: 5 }, () => admitted(a))).toEqual([true, true, true, true, true]);
    await a.flush();
    expect(admitted(b)).toBe(true);
    await b.flush();
    // From here both know x is over: B from its own flush, A from the read-back of keys counted more than once.
    expect(admitted(b)).toBe(false);
    await a.flush();
    expect(admitted(a)).toBe(false);
    // A process that never counted a key still learns it once it is counted more than once anywhere.
    for (let i = 0; i < 3; i++) b.count(['ip:y'], NOW);
    await b.flush();
    await a.flush();
    expect(a.count(['ip:y'], NOW)).toEqual([4]);
  });

  it('decides claimed keys on the database row: two processes alternating admit exactly the limit, without a flush', async (ctx) => {
    const processes = await twoProcesses();
    if (!processes) return ctx.skip();
    const [a, b, storage] = processes;
    const limit = 5;
    /** What the intake does with a claim: a first request admitted here, a later one counted in the database. */
    const post = async (counters: RateCounters) => {
      const claim = counters.claim('ip:z', NOW);
      if (claim.delta === 0) return true;
      const row = await storage.db
        .insertInto('rate_counters')
        .values({ key: 'ip:z', window: claim.window, count: claim.delta })
        .onConflict((oc) => oc.columns(['key', 'window']).doUpdateSet((eb) => ({ count: eb('rate_counters.count', '+', eb.ref('excluded.count')) })))
        .returning('count')
        .executeTakeFirstOrThrow();
      counters.learn('ip:z', claim.window, Number(row.count));
      return Number(row.count) <= limit;
    };
    const admitted = [];
    for (let i = 0; i < 10; i++) admitted.push(await post(i % 2 ? a : b));
    expect(admitted).toEqual([true, true, true, true, true, false, false, false, false, false]);
    // Nothing is counted twice when the flush comes: the first requests went into the row with the later ones.
    await a.flush();
    await b.flush();
    expect(await stored(storage, 'ip:z')).toBe(10);
  });

  it('admits at most one more than the limit per other process: the first request each one sees', async (ctx) => {
    const processes = await twoProcesses();
    if (!processes) return ctx.skip();
    const [a, b, storage] = processes;
    for (let i = 0; i < 3; i++) {
      const claim = a.claim('ip:w', NOW);
      if (claim.delta) {
        const row = await storage.db
          .insertInto('rate_counters')
          .values({ key: 'ip:w', window: claim.window, count: claim.delta })
          .onConflict((oc) => oc.columns(['key', 'window']).doUpdateSet((eb) => ({ count: eb('rate_counters.count', '+', eb.ref('excluded.count')) })))
          .returning('count')
          .executeTakeFirstOrThrow();
        a.learn('ip:w', claim.window, Number(row.count));
      }
    }
    // b has never seen the key: its first request is admitted without asking, the next one goes to the row.
    expect(b.claim('ip:w', NOW)).toEqual({ window: windowOf(NOW), delta: 0 });
    expect(b.claim('ip:w', NOW)).toEqual({ window: windowOf(NOW), delta: 2 });
    // A claim given back (a request refused before it was written) is flushed like any count.
    b.release('ip:w', windowOf(NOW), 2);
    await b.flush();
    expect(await stored(storage, 'ip:w')).toBe(5);
  });

  it('sends every request after the first of a key to the database, even while the earlier ones are still being written', () => {
    const counters = new RateCounters(null as never);
    expect(counters.claim('ip:v', NOW)).toEqual({ window: windowOf(NOW), delta: 0 });
    // The second is handed to a batch that has not committed yet (nothing learned): the third is no "first" either,
    // or every request arriving during a write would be admitted without asking the database.
    expect(counters.claim('ip:v', NOW)).toEqual({ window: windowOf(NOW), delta: 2 });
    expect(counters.claim('ip:v', NOW)).toEqual({ window: windowOf(NOW), delta: 1 });
  });

  it('lets a restarted process find the counts its predecessor flushed when it stopped', async (ctx) => {
    const processes = await twoProcesses();
    if (!processes) return ctx.skip();
    const [a, b] = processes;
    for (let i = 0; i < 4; i++) a.count(['shop:s'], NOW);
    await a.stop();
    // b stands for the restarted process: its timer's first flush reads the hot keys back.
    await b.flush();
    expect(b.count(['shop:s'], NOW)).toEqual([5]);
  });
});

describe.each(ENGINES)('the per-IP limit across two app instances sharing one database, on %s', (engine) => {
  let t: TestApp | null = null;
  let second: Runtime | null = null;
  let drop: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await second?.close();
    await t?.close();
    await drop?.();
    second = null;
    t = null;
    drop = null;
  });

  it("admits at most one more than the limit (the other instance's first request for the address), then refuses on both", async (ctx) => {
    const database = await sharedDatabase(engine);
    if (!database) return ctx.skip();
    drop = database.drop;
    t = await startTestApp(engine, { DATABASE_URL: database.url, RATE_LIMIT_PER_IP_PER_MINUTE: '3' });
    if (!t) return ctx.skip();
    second = await createRuntime(t.config, { log: pino({ level: 'silent' }) });
    const left = WINDOW_MS - (Date.now() % WINDOW_MS);
    if (left < 10_000) await new Promise((r) => setTimeout(r, left + 50));
    let n = 0;
    const post = async (runtime: Runtime) => {
      const query = signProxyQuery(new URLSearchParams(), { shop: SHOP, loggedInCustomerId: null, pathPrefix: '/apps/contact-capture' }, SECRET);
      const body = jsonPost(
        { email: `two${n++}@example.com`, email_marketing_consent: true, rendered_at: Date.now() - 10_000 },
        { 'x-forwarded-for': '203.0.113.99' },
      );
      return (await runtime.app.request(`/proxy/submit?${query}`, body)).status;
    };
    const first = t.runtime;
    expect([await post(first), await post(first), await post(first), await post(first)]).toEqual([202, 202, 202, 429]);
    // On SQLite the second instance admits its first request for the address without asking: one over the limit (the
    // bound, N - 1). On PostgreSQL batches are written at once, so every request is asked: exact across instances.
    expect(await post(second)).toBe(engine === 'postgres' ? 429 : 202);
    // Its next one is decided on the row, as are the first instance's: no flush needed.
    expect(await post(second)).toBe(429);
    expect(await post(first)).toBe(429);
    const leads = await first.storage.db.selectFrom('leads').select('id').execute();
    expect(leads).toHaveLength(engine === 'postgres' ? 3 : 4);
  });
});
