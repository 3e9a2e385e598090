import { type Kysely, sql } from 'kysely';
import { newId, nowIso } from '../core/ids.js';
import { afterCommit } from '../storage/commit-hooks.js';
import type { Engine } from '../storage/database.js';
import { type LeadQueued, leadQueued } from './lead-queued.js';
import type { Database, OutboxJob } from '../storage/tables.js';

/** The jobs the sync worker works (jobs/sync-worker.ts: Shopify writes and Flow triggers). */
export const SYNC_KINDS: readonly OutboxJob['kind'][] = ['sync_lead', 'update_customer', 'flow_trigger'];

/** The jobs the mail lane works (jobs/mail-worker.ts): an e-mail to send, and a form's digest to put together. */
export const MAIL_KINDS: readonly OutboxJob['kind'][] = ['send_mail', 'mail_digest'];

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
  /** Only jobs of these kinds: the Shopify sync and the mail sender each claim their own. */
  kinds: readonly OutboxJob['kind'][] = SYNC_KINDS,
): Promise<OutboxJob | undefined> {
  const now = nowIso(clock);
  const leaseUntil = nowIso(() => clock() + leaseMs);
  return (
    db
      .updateTable('outbox_jobs')
      .set({ lease_until: leaseUntil, attempts: sql`attempts + 1`, updated_at: now })
      .where('id', '=', (eb) =>
        eb
          .selectFrom('outbox_jobs')
          .select('id')
          .where('state', '=', 'pending')
          .where('kind', 'in', kinds)
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
      .executeTakeFirst()
  );
}

export interface NewJob {
  shop: string;
  /** The lead the job is about; null for a shop's job (a form's digest). */
  leadId: string | null;
  /** sync_lead (default) creates or finds the customer; update_customer writes a correction to it. */
  kind?: OutboxJob['kind'];
  /** When the job was queued and may first run (ISO); now by default. Intake gives its lead's own time. */
  at?: string;
  /** The job's id, when a row written beside it names it (mail-queue.ts); a new one by default. */
  jobId?: string;
  /** When it may first run, if later than `at` (a digest waits for the end of its period). */
  runAfter?: string;
  /**
   * Unique per shop: a job with a key already queued (by a second instance, a retried request) is not queued again,
   * and stays as it is. The digest of a form's period is one job whoever asks for it first.
   */
  idempotencyKey?: string;
}

/**
 * The one way outbox jobs are written: all of them in one statement (intake's group-commit batch stays a single
 * INSERT), in the caller's transaction, so the job commits or rolls back with the change that made it. Once that
 * transaction has committed, "lead queued" is announced (lead-queued.ts) and the worker wakes; announcing earlier
 * would let it look before the rows are visible and sleep a whole poll with them waiting.
 */
export async function enqueueJobs(db: Kysely<Database>, jobs: readonly NewJob[], clock: () => number = Date.now): Promise<void> {
  if (!jobs.length) return;
  const now = nowIso(clock);
  const rows = jobs.map((job) => {
    const at = job.at ?? now;
    return {
      id: job.jobId ?? newId(),
      shop: job.shop,
      lead_id: job.leadId,
      kind: job.kind ?? ('sync_lead' as const),
      idempotency_key: job.idempotencyKey ?? null,
      state: 'pending' as const,
      run_after: job.runAfter ?? at,
      lease_until: null,
      last_error: null,
      created_at: at,
      updated_at: at,
    };
  });
  await db
    .insertInto('outbox_jobs')
    .values(rows)
    // Rows without a key never conflict (nulls are distinct in a unique index, on SQLite and PostgreSQL alike).
    .$if(
      rows.some((r) => r.idempotency_key !== null),
      (qb) => qb.onConflict((oc) => oc.columns(['shop', 'idempotency_key']).doNothing()),
    )
    .execute();
  const event: LeadQueued = { jobs: rows.map((r) => ({ shop: r.shop, leadId: r.lead_id, kind: r.kind })) };
  await afterCommit(db, () => leadQueued.emit(event));
}

/** Queues one lead for Shopify (after a release from quarantine, a retry, or a correction). */
export function enqueueSync(
  db: Kysely<Database>,
  shop: string,
  leadId: string,
  clock: () => number = Date.now,
  kind: OutboxJob['kind'] = 'sync_lead',
): Promise<void> {
  return enqueueJobs(db, [{ shop, leadId, kind }], clock);
}

export async function completeJob(db: Kysely<Database>, job: OutboxJob, clock: () => number): Promise<void> {
  await db
    .updateTable('outbox_jobs')
    .set({ state: 'done', lease_until: null, last_error: null, updated_at: nowIso(clock) })
    .where('id', '=', job.id)
    .execute();
}

export async function failJob(db: Kysely<Database>, job: OutboxJob, reason: string, clock: () => number): Promise<void> {
  await db
    .updateTable('outbox_jobs')
    .set({ state: 'failed', lease_until: null, last_error: reason, updated_at: nowIso(clock) })
    .where('id', '=', job.id)
    .execute();
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
