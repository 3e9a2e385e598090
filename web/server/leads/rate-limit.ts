import type { Kysely } from 'kysely';
import type { Database } from '../storage/tables.js';
import { rateLimited } from '../core/errors.js';

/**
 * Fixed-window request limits per client IP and per shop. A counter's key holds a keyed hash of the client's address
 * bucket (proxy/client-ip.ts), never the address, and is deleted once its window is over.
 *
 * The storefront's counters are kept in memory (RateCounters below) and merged into the `rate_counters` table every
 * second, so that every app process sharing the database shares the limits without a counter write for every
 * request: nearly every shopper posts once, and an address's first post needs no row. An address posting again is
 * counted in the database with its lead (claim()), so the per-IP limit stays exact across processes but for other
 * processes' first posts not yet flushed. The checkout's counters are counted in the database per post
 * (countRequest): it posts once per order.
 */
export interface RateLimits {
  perIpPerMinute: number;
  perShopPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { perIpPerMinute: 10, perShopPerMinute: 600 };
export const WINDOW_MS = 60_000;

export const windowOf = (now: number): number => Math.floor(now / WINDOW_MS);

/** Seconds until the current window ends, for Retry-After. */
export const retryAfterSeconds = (now: number): number => Math.max(1, Math.ceil(((windowOf(now) + 1) * WINDOW_MS - now) / 1000));

/** The answer to a request over one of its per-minute limits: try again when the window turns. */
export const overLimit = (now: number, detail = 'Too many requests; try again later.') => rateLimited('rate_limited', detail, retryAfterSeconds(now));

/** Counts one request against each key's current window; returns each key's count, this request included. */
export async function countRequest(db: Kysely<Database>, keys: string[], now: number): Promise<Map<string, number>> {
  const rows = await db
    .insertInto('rate_counters')
    .values(keys.map((key) => ({ key, window: windowOf(now), count: 1 })))
    .onConflict((oc) => oc.columns(['key', 'window']).doUpdateSet((eb) => ({ count: eb('rate_counters.count', '+', 1) })))
    .returning(['key', 'count'])
    .execute();
  return new Map(rows.map((r) => [r.key, Number(r.count)]));
}

/**
 * Deletes the counters of windows that are over. The window before the current one is kept, so that a process whose
 * clock runs a little behind still finds its counter; nothing older than two minutes remains.
 */
export async function deleteExpiredCounters(db: Kysely<Database>, now: number): Promise<number> {
  const result = await db
    .deleteFrom('rate_counters')
    .where('window', '<', windowOf(now) - 1)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** How often RateCounters merges its counts with the database's. */
export const FLUSH_MS = 1_000;

interface Count {
  /** Counted here and not yet added to the database's row. */
  pending: number;
  /** The database's count as last read (every process's flushed counts, this one's included). */
  shared: number;
  /**
   * claim() has seen the key in this window. Pending and shared alone do not say so: between a claim handing its delta
   * to a batch and the batch's learn(), both are 0, and a request then would pass as the key's first, unchecked.
   */
  claimed: boolean;
  /** Taken out of `pending` by a flush whose upsert is still under way: counted until the database's total is learnt. */
  inflight: number;
}

/**
 * Counts requests in memory and merges the counts with the `rate_counters` table every FLUSH_MS: this process's new
 * counts are added to the rows (one multi-row upsert), and the current window's rows counted more than once, by any
 * process, are read back (one indexed query).
 *
 * The bounds, per key and window, with N processes on one database (one process alone counts exactly):
 * - count() (the per-shop limit, the view beacon): a request is over when the key's count as this process knows it
 *   (the database's as last read, plus what this process counted since) is over the limit. That view misses at most
 *   what the OTHER processes counted in the last two flush intervals (a count reaches the table within one interval
 *   and is read back within the next); worst case, when all N see their first requests for a key in the same two
 *   seconds, the key gets up to N times its limit in that window, and after that every process refuses it.
 * - claim() (the per-IP limit): each process admits its first request for a key without asking (unless its batches are
 *   written at once, as on PostgreSQL: then every request is asked, see claim()); every later one is
 *   decided on the database's row, which holds every count but other processes' first requests not yet flushed. So
 *   at most N - 1 requests more than the limit get through in a window (none with one process), all within the flush
 *   interval after those first requests.
 *
 * Counts of a process that stops are flushed by stop(); a crash loses at most one interval's counts. Rows re-created
 * by a flush after a shop's data was erased hold keyed hashes only, and the sweep deletes them with their window.
 */
export class RateCounters {
  /** window -> key -> count; the current window and, until flushed, the one before. */
  private readonly windows = new Map<number, Map<string, Count>>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: { flushMs?: number; clock?: () => number; onError?: (error: unknown) => void } = {},
  ) {}

  /** Counts one request against each key's current window; returns each key's count as known here, this one included. */
  count(keys: readonly string[], now: number): number[] {
    const window = windowOf(now);
    return keys.map((key) => {
      const count = this.entry(window, key);
      count.pending += 1;
      return count.shared + count.inflight + count.pending;
    });
  }

  /**
   * Counts one request against its limits from the narrowest to the widest, stopping at the first it exceeds: a request
   * a narrower limit refuses is not counted against the wider ones, so one address cannot spend a whole shop's allowance.
   * True when every limit admits it.
   */
  admits(limits: ReadonlyArray<readonly [key: string, max: number]>, now: number): boolean {
    for (const [key, max] of limits) if (this.count([key], now)[0]! > max) return false;
    return true;
  }

  /** A key's count as known here, without counting: for a limit whose request is counted only once another allows it. */
  known(key: string, now: number): number {
    const count = this.windows.get(windowOf(now))?.get(key);
    return count ? count.shared + count.inflight + count.pending : 0;
  }

  /**
   * For a key whose limit must hold exactly across processes (the per-IP limit). The first request this process sees
   * for the key in a window is counted here, as with count() (`delta` 0: its count is 1, nothing else being known of
   * it); any later one is handed to the caller (`delta`: this request plus what is still pending here, taken out of
   * memory) to add to the database's row in its own transaction, which returns the key's exact total but for other
   * processes' first requests not yet flushed. The caller reports that total with learn(), or gives the delta back
   * with release() when it will not write it.
   */
  claim(key: string, now: number, askFirst = false): { window: number; delta: number } {
    const window = windowOf(now);
    const count = this.entry(window, key);
    // `askFirst`: batches are written at once, so a later request's batch may commit before the one that would carry
    // the first's count to the database, and the first would then take a place nobody counted: it is asked too.
    if (!askFirst && !count.claimed && count.pending === 0 && count.inflight === 0 && count.shared === 0) {
      count.claimed = true;
      count.pending = 1;
      return { window, delta: 0 };
    }
    count.claimed = true;
    const delta = count.pending + 1;
    count.pending = 0;
    return { window, delta };
  }

  /** The database's total for a key, as a caller's own upsert returned it. */
  learn(key: string, window: number, total: number): void {
    const count = this.entry(window, key);
    count.shared = Math.max(count.shared, total);
  }

  /** Gives back a claimed delta that was not written: the next flush adds it. */
  release(key: string, window: number, delta: number): void {
    this.entry(window, key).pending += delta;
  }

  private entry(window: number, key: string): Count {
    let counts = this.windows.get(window);
    if (!counts) {
      counts = new Map();
      this.windows.set(window, counts);
    }
    let count = counts.get(key);
    if (!count) {
      count = { pending: 0, shared: 0, claimed: false, inflight: 0 };
      counts.set(key, count);
    }
    return count;
  }

  /** Flushes every FLUSH_MS until stop(); a failed flush keeps its counts for the next one. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.flush().catch((error: unknown) => this.options.onError?.(error));
    }, this.options.flushMs ?? FLUSH_MS);
    // The counters never keep a process alive on their own.
    this.timer.unref();
  }

  /** Stops the timer and flushes what is left. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  /** Adds this process's new counts to the database and reads back the current window's keys counted more than once. */
  flush(): Promise<void> {
    // One flush at a time: a second caller waits for the one under way, then flushes what came after it.
    const run = async (): Promise<void> => {
      const previous = this.flushing;
      if (previous) await previous.catch(() => {});
      await this.push();
      await this.pull();
    };
    const current = run().finally(() => {
      if (this.flushing === current) this.flushing = null;
    });
    this.flushing = current;
    return current;
  }

  private async push(): Promise<void> {
    const now = (this.options.clock ?? Date.now)();
    // The pending counts are taken out of memory now, so that a claim() while the upsert is under way does not count
    // them a second time; a failed upsert gives them back.
    const rows: Array<{ key: string; window: number; count: number; entry: Count }> = [];
    for (const [window, counts] of this.windows) {
      for (const [key, entry] of counts) {
        if (entry.pending <= 0) continue;
        rows.push({ key, window, count: entry.pending, entry });
        entry.inflight += entry.pending;
        entry.pending = 0;
      }
    }
    // SQLite binds at most 32,766 values per statement and PostgreSQL 65,535: three per row.
    for (let i = 0; i < rows.length; i += 5_000) {
      const chunk = rows.slice(i, i + 5_000);
      let stored: Array<{ key: string; window: number; count: number }>;
      try {
        stored = await this.db
          .insertInto('rate_counters')
          .values(chunk.map(({ key, window, count }) => ({ key, window, count })))
          .onConflict((oc) => oc.columns(['key', 'window']).doUpdateSet((eb) => ({ count: eb('rate_counters.count', '+', eb.ref('excluded.count')) })))
          .returning(['key', 'window', 'count'])
          .execute();
      } catch (error) {
        for (const row of rows.slice(i)) {
          row.entry.pending += row.count;
          row.entry.inflight -= row.count;
        }
        throw error;
      }
      // The database's totals hold these counts now: learnt and no longer in flight, in one step.
      for (const row of stored) this.learn(row.key, Number(row.window), Number(row.count));
      for (const row of chunk) row.entry.inflight -= row.count;
    }
    // A window that is over is forgotten once flushed (the previous one is kept for a clock a little behind).
    for (const [window, counts] of this.windows) {
      if (window < windowOf(now) - 1 || (window < windowOf(now) && ![...counts.values()].some((c) => c.pending > 0))) this.windows.delete(window);
    }
  }

  private async pull(): Promise<void> {
    const window = windowOf((this.options.clock ?? Date.now)());
    const rows = await this.db.selectFrom('rate_counters').select(['key', 'count']).where('window', '=', window).where('count', '>', 1).execute();
    for (const row of rows) this.learn(row.key, window, Number(row.count));
  }
}
