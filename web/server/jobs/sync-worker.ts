import { syncError } from '../../../schema/sync-errors.js';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { nowIso } from '../core/ids.js';
import { isUnreadable } from '../storage/field-encryption.js';
import type { Engine } from '../storage/database.js';
import type { Database, OutboxJob } from '../storage/tables.js';
import type { AdminClient } from '../shopify/admin-client.js';
import { type Call, type ConsentProof, syncCorrection, syncLead } from '../shopify/lead-sync.js';
import { DEFAULT_MAX_CUSTOM_DEFINITIONS, ensureLeadDefinitions } from '../shopify/metafield-definitions.js';
import { SYNC_KINDS, backoffMs, claimNextJob, completeJob, failJob, rescheduleJob } from '../outbox/outbox.js';
import { DutyRunner, type JobLane } from './job-loop.js';
import { queueOwedFlowJob } from '../outbox/flow-events.js';
import { sendOwedFlowEvents } from './flow-sender.js';
import type { ShopTokens } from '../shopify/shops.js';
import { ThrottlePacer } from '../shopify/throttle.js';

export interface SyncWorkerOptions {
  db: Kysely<Database>;
  engine: Engine;
  client: AdminClient;
  tokens: ShopTokens;
  log: Logger;
  leaseMs?: number;
  maxAttempts?: number;
  /** Points one mutation is expected to cost; Shopify charges about 10. */
  mutationCost?: number;
  clock?: () => number;
  retryBaseMs?: number;
  /** Jobs at once, across shops; one per shop at most. */
  concurrency?: number;
  /** Writes search terms of new leads (leads/lead-terms.ts); `drain` runs it first so a drained lead is searchable. */
  indexer?: () => Promise<number>;
  /** Points Shopify charged (actualQueryCost), for the cost metric. */
  onCost?: (points: number) => void;
  onOutcome?: (outcome: 'synced' | 'rejected' | 'unauthorized' | 'retry' | 'gave_up' | 'dropped') => void;
  /** Custom metafield definitions the app may create per shop (MAX_CUSTOM_DEFINITIONS_PER_SHOP). */
  maxCustomDefinitions?: number;
  /** The lead in the workspace, as Flow triggers link to it (root.ts builds it from the app's URL). */
  workspaceLink?: (shop: string, leadId: string) => string;
}

/** A job about one lead (every kind the sync works). */
type LeadJob = OutboxJob & { lead_id: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Drains the outbox into Shopify. Consent is checked again here, from the database, so a lead without consent never
 * reaches Shopify even if a job for it were written by mistake.
 */
export class SyncWorker {
  private readonly pacer: ThrottlePacer;
  private readonly clock: () => number;
  private readonly duties: DutyRunner;

  constructor(private readonly options: SyncWorkerOptions) {
    this.clock = options.clock ?? Date.now;
    this.pacer = new ThrottlePacer(this.clock);
    this.duties = new DutyRunner(options.log, this.clock, options.retryBaseMs ?? 1000);
  }

  /**
   * The sync's part of the process's polling loop (jobs/job-loop.ts): up to `concurrency` jobs at once, never two of
   * one shop (each shop's bucket is paced on its own), and never a shop whose bucket is still refilling: a throttled
   * shop does not hold up the others.
   */
  lane(): JobLane {
    const cost = this.options.mutationCost ?? 10;
    return {
      name: 'sync',
      kinds: SYNC_KINDS,
      concurrency: this.options.concurrency ?? 4,
      onePerShop: true,
      skipShops: () => this.pacer.refilling(cost),
      handle: (job) => this.handle(job),
    };
  }

  /** Runs due jobs until none is left; returns how many were handled. For tests and one-shot runs. */
  async drain(): Promise<number> {
    const indexer = this.options.indexer;
    if (indexer) while (Number(await this.duties.run('indexing', indexer, true)) > 0);
    let handled = 0;
    while (await this.runOne()) handled++;
    return handled;
  }

  async runOne(): Promise<boolean> {
    const { db, engine } = this.options;
    const job = await claimNextJob(db, engine, this.options.leaseMs ?? 60_000, this.clock);
    if (!job) return false;
    await this.handle(job);
    return true;
  }

  private async handle(job: OutboxJob): Promise<void> {
    const { db, log } = this.options;
    if (job.kind === 'flow_trigger') return this.handleFlow(job);
    if (job.lead_id === null) {
      // A shop's job (a digest) is the mail lane's; one here was written by mistake and has nothing to sync.
      await completeJob(db, job, this.clock);
      this.options.onOutcome?.('dropped');
      return;
    }
    const leadJob: LeadJob = { ...job, lead_id: job.lead_id };
    const lead = await db.selectFrom('leads').selectAll().where('id', '=', job.lead_id).where('shop', '=', job.shop).executeTakeFirst();
    // A double opt-in lead waits for its confirmation (leads/double-opt-in.ts queues it again then), unless the shop keeps
    // the contact meanwhile: then its customer is written without marketing consent (shopify/lead-sync.ts).
    if (!lead || lead.email_consent !== 1 || lead.status === 'quarantined' || (lead.doi_state === 'pending' && lead.doi_keep_contact !== 1)) {
      await completeJob(db, job, this.clock);
      this.options.onOutcome?.('dropped');
      log.info({ job: job.id, lead: job.lead_id }, 'job dropped: lead gone or without consent');
      return;
    }
    // A field no listed key opens (logged by the storage with the lead's id) would reach Shopify as garbage.
    if (Object.values(lead).some(isUnreadable)) {
      await this.finish(leadJob, { kind: 'rejected', reason: syncError('undecryptable') });
      return;
    }
    const token = await this.options.tokens.get(job.shop);
    if (!token) {
      await this.finish(leadJob, { kind: 'rejected', reason: syncError('no_token') });
      return;
    }
    const consentRow = await db
      .selectFrom('consent_records')
      .select(['text', 'text_sha256', 'locale', 'page', 'recorded_at', 'opt_in_level'])
      .where('lead_id', '=', lead.id)
      .where('channel', 'in', ['email', 'profile'])
      .orderBy('recorded_at', 'desc')
      .executeTakeFirst();
    const consent: ConsentProof | null = consentRow ?? null;
    const call = this.paced(job.shop, token);
    const prepared = await ensureLeadDefinitions(db, job.shop, call, lead, consent, this.options.maxCustomDefinitions ?? DEFAULT_MAX_CUSTOM_DEFINITIONS);
    const outcome = prepared.outcome ?? (await (job.kind === 'update_customer' ? syncCorrection : syncLead)(call, prepared.lead, consent));
    await this.finish(leadJob, outcome);
  }

  /** A lead's Flow triggers still owed (jobs/flow-sender.ts): retried like a sync, never touching the lead's status. */
  private async handleFlow(job: OutboxJob): Promise<void> {
    const { db, log } = this.options;
    const token = await this.options.tokens.get(job.shop);
    const outcome = token
      ? await sendOwedFlowEvents(
          {
            db,
            clock: this.clock,
            leaseMs: this.options.leaseMs ?? 60_000,
            workspaceLink: this.options.workspaceLink ?? ((shop, id) => `https://${shop}/admin/apps/contact-capture?lead=${encodeURIComponent(id)}`),
          },
          this.paced(job.shop, token),
          job,
        )
      : ({ kind: 'unauthorized', reason: syncError('no_token') } as const);
    if (outcome.kind === 'done') {
      await completeJob(db, job, this.clock);
      log.info({ job: job.id, lead: job.lead_id, sent: outcome.sent }, 'flow triggers handled');
      return;
    }
    if (outcome.kind === 'unauthorized' || job.attempts >= (this.options.maxAttempts ?? 12)) {
      await failJob(db, job, outcome.reason, this.clock);
      log.warn({ job: job.id, lead: job.lead_id }, 'flow triggers not sent');
      return;
    }
    await rescheduleJob(db, job, outcome.reason, backoffMs(job.attempts, Math.random, this.options.retryBaseMs ?? 1000), this.clock);
  }

  private async finish(job: LeadJob, outcome: Awaited<ReturnType<typeof syncLead>>): Promise<void> {
    const { db, log } = this.options;
    const now = nowIso(this.clock);
    this.options.onOutcome?.(outcome.kind === 'retry' && job.attempts >= (this.options.maxAttempts ?? 12) ? 'gave_up' : outcome.kind);
    switch (outcome.kind) {
      case 'synced':
        await db.transaction().execute(async (trx) => {
          await trx
            .updateTable('leads')
            .set({
              status: 'synced',
              shopify_customer_id: outcome.customerId,
              sync_error: null,
              synced_at: now,
              // Each sync says afresh what Shopify refused; proposed changes are replaced only when the sync compared.
              sync_warnings: outcome.warnings?.length ? JSON.stringify(outcome.warnings) : null,
              ...(outcome.proposed === undefined ? {} : { proposed_changes: outcome.proposed ? JSON.stringify(outcome.proposed) : null }),
            })
            .where('id', '=', job.lead_id)
            .execute();
          await completeJob(trx, job, this.clock);
          // "Lead captured" waited for the sync so that it carries the customer (outbox/flow-events.ts).
          await queueOwedFlowJob(trx, job.shop, job.lead_id, this.clock);
        });
        // Field names only: the values and Shopify's messages stay out of the log.
        log.info(
          {
            job: job.id,
            lead: job.lead_id,
            attempts: job.attempts,
            refused: outcome.warnings?.map((w) => w.field),
            proposed: outcome.proposed?.changes.length,
          },
          outcome.warnings?.length ? 'lead synced with warnings' : 'lead synced',
        );
        return;
      case 'rejected':
      case 'unauthorized':
        await db.transaction().execute(async (trx) => {
          await trx.updateTable('leads').set({ status: 'failed', sync_error: outcome.reason }).where('id', '=', job.lead_id).execute();
          await failJob(trx, job, outcome.reason, this.clock);
          await queueOwedFlowJob(trx, job.shop, job.lead_id, this.clock);
        });
        log.warn({ job: job.id, lead: job.lead_id, outcome: outcome.kind }, 'lead sync failed permanently');
        return;
      case 'retry': {
        const maxAttempts = this.options.maxAttempts ?? 12;
        if (job.attempts >= maxAttempts) {
          const reason = syncError('gave_up', { attempts: job.attempts, last: outcome.reason });
          await db.transaction().execute(async (trx) => {
            await trx.updateTable('leads').set({ status: 'failed', sync_error: reason }).where('id', '=', job.lead_id).execute();
            await failJob(trx, job, reason, this.clock);
            await queueOwedFlowJob(trx, job.shop, job.lead_id, this.clock);
          });
          log.warn({ job: job.id, lead: job.lead_id }, 'lead sync gave up');
          return;
        }
        const delay = backoffMs(job.attempts, Math.random, this.options.retryBaseMs ?? 1000);
        await rescheduleJob(db, job, outcome.reason, delay, this.clock);
        log.info({ job: job.id, lead: job.lead_id, attempts: job.attempts, delayMs: delay }, 'lead sync will be retried');
      }
    }
  }

  /**
   * A call that waits for room in the shop's bucket first, retries a THROTTLED answer in place once the bucket has
   * refilled (several app processes share one bucket, so one may still be surprised), and retries a transient failure
   * (5xx, timeout, network) a few times with backoff: every step is idempotent, so repeating one is safe, and a job
   * does not start over for one lost answer. Only a problem that lasts sends the job back to the queue.
   */
  private paced(shop: string, token: string): Call {
    const cost = this.options.mutationCost ?? 10;
    const base = this.options.retryBaseMs ?? 1000;
    return async <T>(query: string, variables: Record<string, unknown>) => {
      let throttled = 0;
      let transient = 0;
      for (;;) {
        const wait = this.pacer.waitFor(shop, cost);
        if (wait > 0) await sleep(wait);
        this.pacer.spend(shop, cost);
        const result = await this.options.client.request<T>(shop, token, query, variables);
        if (result.ok || result.kind === 'throttled') this.pacer.observe(shop, result.cost);
        if (result.ok && result.cost?.actualQueryCost) this.options.onCost?.(result.cost.actualQueryCost);
        if (result.ok) return result;
        if (result.kind === 'throttled' && throttled++ < 10) {
          if (!result.cost) await sleep(1000);
          continue;
        }
        if (result.kind === 'transient' && transient++ < 3) {
          await sleep(backoffMs(transient, Math.random, base));
          continue;
        }
        return result;
      }
    };
  }
}
