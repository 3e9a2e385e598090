import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { nowIso } from '../core/ids.js';
import type { Engine } from '../storage/database.js';
import type { Database, OutboxJob } from '../storage/tables.js';
import { MAIL_KINDS, backoffMs, claimNextJob, completeJob, failJob, rescheduleJob } from '../outbox/outbox.js';
import type { Mailer } from '../mail/transport.js';
import { TemplateError, renderMail } from '../mail/templates.js';
import { shopSender } from '../mail/sender.js';
import type { JobLane } from './job-loop.js';
import { errorForLog } from '../core/logger.js';
import { DigestJobInvalid, composeDigest, expandDigest } from '../leads/digest.js';
import type { WorkspaceLink } from '../leads/mail-recipients.js';

export interface MailWorkerOptions {
  db: Kysely<Database>;
  engine: Engine;
  /** null when SMTP_URL is not set: mail waits in the outbox, and the workspace says why. */
  mailer: Mailer | null;
  log: Logger;
  leaseMs?: number;
  /**
   * How long one worker may be talking to the SMTP server about one message. Another worker that finds the job (its
   * lease expired: the server is slow) leaves the message alone until then, so a slow server does not get it twice.
   * Longer than the mailer's own timeouts put together.
   */
  sendBudgetMs?: number;
  retryBaseMs?: number;
  maxAttempts?: number;
  /** How soon mail that cannot go out (no SMTP_URL, no sender address) is looked at again. */
  notConfiguredDelayMs?: number;
  concurrency?: number;
  clock?: () => number;
  onOutcome?: (outcome: 'sent' | 'retry' | 'failed' | 'waiting' | 'dropped') => void;
  /** The lead in the workspace, as a digest links to it (root.ts builds it from the app's URL). */
  workspaceLink?: WorkspaceLink;
}

const ANSWERABLE: ReadonlySet<string> = new Set(['reply', 'autoreply']);

/**
 * Sends the outbox's e-mails, apart from the Shopify sync: a slow SMTP server never holds up a customer write, and a
 * throttled shop never holds up mail. Each message is sent at most once per event (mail_messages.event_key), and a
 * message being sent is marked so (`sending_until`) for the other workers on the same database.
 */
export class MailWorker {
  private readonly clock: () => number;

  constructor(private readonly options: MailWorkerOptions) {
    this.clock = options.clock ?? Date.now;
  }

  /** The mail's part of the process's polling loop (jobs/job-loop.ts). */
  lane(): JobLane {
    return { name: 'mail', kinds: MAIL_KINDS, concurrency: this.options.concurrency ?? 4, handle: (job) => this.handle(job) };
  }

  /** Sends what is due until nothing is; returns how many jobs were handled. For tests and the bench. */
  async drain(): Promise<number> {
    let handled = 0;
    for (;;) {
      const job = await claimNextJob(this.options.db, this.options.engine, this.options.leaseMs ?? 60_000, this.clock, [], MAIL_KINDS);
      if (!job) return handled;
      await this.handle(job);
      handled++;
    }
  }

  private async handle(job: OutboxJob): Promise<void> {
    if (job.kind === 'mail_digest') return this.handleDigest(job);
    const { db, log } = this.options;
    const mail = await db.selectFrom('mail_messages').selectAll().where('job_id', '=', job.id).executeTakeFirst();
    if (!mail || mail.status === 'sent' || mail.status === 'failed') {
      // Erased with its lead, or already finished by another worker: nothing to send.
      await completeJob(db, job, this.clock);
      this.options.onOutcome?.('dropped');
      return;
    }
    const sender = await shopSender(db, job.shop);
    const { mailer } = this.options;
    if (!mailer || !sender) {
      const reason = !mailer ? 'E-mail is not configured (SMTP_URL); the message waits.' : "The shop's sender address is not set; the message waits.";
      await db.updateTable('mail_messages').set({ last_error: reason }).where('id', '=', mail.id).execute();
      await rescheduleJob(db, job, reason, this.options.notConfiguredDelayMs ?? 5 * 60_000, this.clock);
      this.options.onOutcome?.('waiting');
      return;
    }
    const now = this.clock();
    const budget = this.options.sendBudgetMs ?? 120_000;
    // Take the message for this worker: only one worker at a time talks to the server about it.
    const taken = await db
      .updateTable('mail_messages')
      .set((eb) => ({ status: 'sending', sending_until: nowIso(() => now + budget), attempts: eb('attempts', '+', 1) }))
      .where('id', '=', mail.id)
      .where((w) =>
        w.or([
          w('status', 'in', ['queued', 'retrying']),
          w.and([
            w('status', '=', 'sending'),
            w(
              'sending_until',
              '<',
              nowIso(() => now),
            ),
          ]),
        ]),
      )
      .executeTakeFirst();
    if (!Number(taken.numUpdatedRows)) {
      const current = await db.selectFrom('mail_messages').select(['status', 'sending_until']).where('id', '=', mail.id).executeTakeFirst();
      if (!current || current.status === 'sent' || current.status === 'failed') {
        await completeJob(db, job, this.clock);
        return;
      }
      // Another worker is sending it now: look again once its budget is over (it will have finished the job by then).
      const wait = Math.max(50, Date.parse(current.sending_until ?? nowIso(this.clock)) - now + 50);
      await rescheduleJob(db, job, 'being sent by another worker', wait, this.clock);
      return;
    }
    const attempts = mail.attempts + 1;
    let rendered;
    try {
      const stored: unknown = JSON.parse(mail.params);
      // A digest holds ids; its leads' summaries are read now (leads/digest.ts), so an erased lead is not in it.
      const params = mail.template === 'digest' ? await expandDigest(db, job.shop, stored) : stored;
      rendered = renderMail(mail.template, mail.locale, params, sender.name);
    } catch (error) {
      const reason = error instanceof TemplateError ? error.message : 'the stored message cannot be read';
      await this.fail(job, mail.id, reason);
      return;
    }
    const outcome = await mailer.send({
      from: { name: sender.name, address: sender.address },
      to: mail.to_address,
      // Shoppers answer replies and autoresponders; staff notifications and confirmations are not conversations.
      ...(sender.replyTo && ANSWERABLE.has(mail.template) ? { replyTo: sender.replyTo } : {}),
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      messageId: mail.message_id,
      language: rendered.language,
      automatic: rendered.automatic,
    });
    if (outcome.ok) {
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('mail_messages')
          .set({ status: 'sent', sent_at: nowIso(this.clock), sending_until: null, last_error: null })
          .where('id', '=', mail.id)
          .execute();
        await completeJob(trx, job, this.clock);
      });
      this.options.onOutcome?.('sent');
      log.info({ mail: mail.id, lead: mail.lead_id, template: mail.template, attempts }, 'mail sent');
      return;
    }
    const maxAttempts = this.options.maxAttempts ?? 10;
    if (outcome.kind === 'permanent' || attempts >= maxAttempts) {
      await this.fail(job, mail.id, outcome.kind === 'permanent' ? outcome.reason : `Gave up after ${attempts} attempts. Last problem: ${outcome.reason}`);
      return;
    }
    const delay = backoffMs(attempts, Math.random, this.options.retryBaseMs ?? 30_000, 60 * 60_000);
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('mail_messages').set({ status: 'retrying', sending_until: null, last_error: outcome.reason }).where('id', '=', mail.id).execute();
      await rescheduleJob(trx, job, outcome.reason, delay, this.clock);
    });
    this.options.onOutcome?.('retry');
    log.info({ mail: mail.id, lead: mail.lead_id, attempts, delayMs: delay }, 'mail deferred; will be retried');
  }

  /**
   * A form's digest of one period (leads/digest.ts): its mails are queued and the job completed in one transaction, so
   * a retry, or a second worker taking the job after this one's lease expired, finds the mails queued and queues none.
   */
  private async handleDigest(job: OutboxJob): Promise<void> {
    const { db, log } = this.options;
    const link = this.options.workspaceLink ?? ((shop, id) => `https://${shop}/admin/apps/contact-capture?lead=${encodeURIComponent(id)}`);
    try {
      const queued = await db.transaction().execute(async (trx) => {
        const count = await composeDigest(trx, job, link, this.clock);
        await completeJob(trx, job, this.clock);
        return count;
      });
      log.info({ job: job.id, mails: queued }, queued ? 'digest queued' : 'digest: nothing to send');
    } catch (error) {
      if (error instanceof DigestJobInvalid || job.attempts >= (this.options.maxAttempts ?? 10)) {
        await failJob(db, job, error instanceof DigestJobInvalid ? error.message : 'the digest could not be put together', this.clock);
        log.warn({ job: job.id, error: errorForLog(error) }, 'digest failed');
        return;
      }
      const delay = backoffMs(job.attempts, Math.random, this.options.retryBaseMs ?? 30_000, 60 * 60_000);
      await rescheduleJob(db, job, 'the digest could not be put together; retried', delay, this.clock);
      log.warn({ job: job.id, delayMs: delay, error: errorForLog(error) }, 'digest will be retried');
    }
  }

  private async fail(job: OutboxJob, mailId: string, reason: string): Promise<void> {
    await this.options.db.transaction().execute(async (trx) => {
      await trx.updateTable('mail_messages').set({ status: 'failed', sending_until: null, last_error: reason }).where('id', '=', mailId).execute();
      await failJob(trx, job, reason, this.clock);
    });
    this.options.onOutcome?.('failed');
    this.options.log.warn({ mail: mailId, lead: job.lead_id }, 'mail failed permanently');
  }
}
