import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { errorForLog } from '../core/logger.js';
import type { Engine } from '../storage/database.js';
import type { Database, OutboxJob } from '../storage/tables.js';
import { backoffMs, claimNextJob } from '../outbox/outbox.js';

/**
 * One kind of work the loop claims from the outbox: the Shopify sync (jobs/sync-worker.ts) or the mail
 * (jobs/mail-worker.ts). Each lane has its own kinds and its own room, so a throttled shop never holds up mail and a
 * slow SMTP server never holds up a customer write.
 */
export interface JobLane {
  name: string;
  kinds: readonly OutboxJob['kind'][];
  concurrency: number;
  /** At most one job of a shop in hand at once (the sync paces each shop's bucket on its own). */
  onePerShop?: boolean;
  /** Shops not to claim for now besides those in hand (the sync: shops whose bucket is still refilling). */
  skipShops?: () => string[];
  handle: (job: OutboxJob) => Promise<void>;
}

/**
 * Runs named duties one at a time, alone: a failure is logged (the error's name and frames; its message may quote
 * input) and the duty is skipped until a backoff has passed, so a duty that fails on every run neither floods the log
 * nor holds up the others.
 */
export class DutyRunner {
  private readonly failing = new Map<string, { failures: number; retryAt: number }>();

  constructor(
    private readonly log: Logger,
    private readonly clock: () => number,
    private readonly retryBaseMs: number,
  ) {}

  /** `now` ignores the backoff (drains, for tests and one-shot runs). */
  async run(name: string, work: () => Promise<unknown>, now = false): Promise<unknown> {
    const state = this.failing.get(name);
    if (state && !now && this.clock() < state.retryAt) return undefined;
    try {
      const result = await work();
      if (state) this.log.info({ duty: name, failures: state.failures }, 'worker duty recovered');
      this.failing.delete(name);
      return result;
    } catch (error) {
      const failures = (state?.failures ?? 0) + 1;
      const delay = backoffMs(failures, Math.random, this.retryBaseMs, 5 * 60_000);
      this.failing.set(name, { failures, retryAt: this.clock() + delay });
      this.log.error({ duty: name, failures, retryInMs: delay, error: errorForLog(error) }, 'worker duty failed; the other duties go on');
      return undefined;
    }
  }
}

export interface JobLoopOptions {
  db: Kysely<Database>;
  engine: Engine;
  log: Logger;
  pollMs: number;
  leaseMs?: number;
  clock?: () => number;
  retryBaseMs?: number;
  lanes: readonly JobLane[];
  /** Writes search terms of new leads; runs first on every wake, so a lead synced is a lead searchable. */
  indexer?: () => Promise<unknown>;
  /** The housekeeping duties (jobs/housekeeping.ts), by name; each fails on its own (DutyRunner). */
  duties?: Record<string, () => Promise<unknown>>;
}

/**
 * The one polling loop of a process: on each wake it runs the indexer and the duties, then claims due jobs for every
 * lane until the lane is full or nothing is due, and sleeps until the poll interval has passed or `nudge()` (a
 * committed job, outbox/lead-queued.ts) wakes it.
 */
export class JobLoop {
  private readonly clock: () => number;
  private readonly duties: DutyRunner;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** The jobs in hand, per lane. */
  private readonly inFlight = new Map<string, Map<Promise<void>, OutboxJob>>();

  constructor(private readonly options: JobLoopOptions) {
    this.clock = options.clock ?? Date.now;
    this.duties = new DutyRunner(options.log, this.clock, options.retryBaseMs ?? 1000);
    for (const lane of options.lanes) this.inFlight.set(lane.name, new Map());
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the jobs in hand, then stops; an unfinished lease simply expires and another worker takes the job. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  nudge(): void {
    this.wake?.();
  }

  private async run(): Promise<void> {
    const { db, engine, log } = this.options;
    while (this.running) {
      if (this.options.indexer) await this.duties.run('indexing', this.options.indexer);
      for (const [name, duty] of Object.entries(this.options.duties ?? {})) {
        if (!this.running) break;
        await this.duties.run(name, duty);
      }
      for (const lane of this.options.lanes) {
        const inHand = this.inFlight.get(lane.name)!;
        try {
          while (this.running && inHand.size < lane.concurrency) {
            const busy = [...(lane.onePerShop ? [...inHand.values()].map((j) => j.shop) : []), ...(lane.skipShops?.() ?? [])];
            const job = await claimNextJob(db, engine, this.options.leaseMs ?? 60_000, this.clock, busy, lane.kinds);
            if (!job) break;
            const work: Promise<void> = lane
              .handle(job)
              .catch((error: unknown) =>
                log.error({ error: errorForLog(error), job: job.id, lead: job.lead_id }, `${lane.name} job crashed; its lease will expire`),
              )
              .finally(() => {
                inHand.delete(work);
                this.wake?.();
              });
            inHand.set(work, job);
          }
        } catch (error) {
          log.error({ duty: lane.name, error: errorForLog(error) }, `${lane.name} worker could not claim jobs`);
        }
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
    await Promise.all([...this.inFlight.values()].flatMap((m) => [...m.keys()]));
  }
}
