import { type Kysely, sql } from 'kysely';
import { newId, nowIso } from '../core/ids.js';
import type { Engine } from '../storage/database.js';
import type { Database, OutboxJob } from '../storage/tables.js';

/**
 * The outbox queue. A job is claimed by setting a lease; a worker that dies leaves the lease to expire, and the job
 * is taken again. On PostgreSQL, `FOR UPDATE SKIP LOCKED` lets many processes claim without waiting on each other.
 */
export async function claimNextJob(
  db: Kysely<Database>,
  engine: Engine,
  leaseMs: number,
  clock: () => number,
  skipShops: string[] = [],
): Promise<OutboxJob | undefined> {
  const now = nowIso(clock);
  const leaseUntil = nowIso(() => clock() + leaseMs);
  return db
    .updateTable('outbox_jobs')
    .set({ lease_until: leaseUntil, attempts: sql`attempts + 1`, updated_at: now })
    .where('id', '=', (eb) =>
      eb
        .selectFrom('outbox_jobs')
        .select('id')
        .where('state', '=', 'pending')
        .where('run_after', '<=', now)
        .where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<', now)]))
        .$if(skipShops.length > 0, (qb) => qb.where('shop', 'not in', skipShops))
        .orderBy('run_after')
        .limit(1)
        .$if(engine === 'postgres', (qb) => qb.forUpdate().skipLocked()),
    )
    // A second guard in the UPDATE itself: on SQLite, or if the row changed between select and update.
    .where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<', now)]))
    .returningAll()
    .executeTakeFirst();
}

/** Queues one lead for Shopify (after a release from quarantine, a retry, or a correction). */
export async function enqueueSync(db: Kysely<Database>, shop: string, leadId: string, clock: () => number = Date.now, kind: OutboxJob['kind'] = 'sync_lead'): Promise<void> {
  const now = nowIso(clock);
  await db
    .insertInto('outbox_jobs')
    .values({ id: newId(), shop, lead_id: leadId, kind, state: 'pending', run_after: now, lease_until: null, last_error: null, created_at: now, updated_at: now })
    .execute();
}

export async function completeJob(db: Kysely<Database>, job: OutboxJob, clock: () => number): Promise<void> {
  await db.updateTable('outbox_jobs').set({ state: 'done', lease_until: null, last_error: null, updated_at: nowIso(clock) }).where('id', '=', job.id).execute();
}

export async function failJob(db: Kysely<Database>, job: OutboxJob, reason: string, clock: () => number): Promise<void> {
  await db.updateTable('outbox_jobs').set({ state: 'failed', lease_until: null, last_error: reason, updated_at: nowIso(clock) }).where('id', '=', job.id).execute();
}

export async function rescheduleJob(db: Kysely<Database>, job: OutboxJob, reason: string, delayMs: number, clock: () => number): Promise<void> {
  await db
    .updateTable('outbox_jobs')
    .set({ run_after: nowIso(() => clock() + delayMs), lease_until: null, last_error: reason, updated_at: nowIso(clock) })
    .where('id', '=', job.id)
    .execute();
}

/** Exponential backoff with full jitter, capped, so retries from many jobs do not arrive together. */
export function backoffMs(attempt: number, random: () => number = Math.random, baseMs = 1000, capMs = 15 * 60_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
