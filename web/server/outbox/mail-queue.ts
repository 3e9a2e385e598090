import type { Kysely } from 'kysely';
import { newId, nowIso } from '../core/ids.js';
import type { Database } from '../storage/tables.js';
import { enqueueJobs } from './outbox.js';

/** An e-mail some change asks for; rendered from `template` in `locale` when the mail worker sends it. */
export interface NewMail {
  shop: string;
  /** The lead it is about; null for a shop's mail about no one lead (a digest). */
  leadId: string | null;
  /**
   * What caused it, unique per shop: `confirm:<lead>`, `reply:<note id>`. Asking again for the same event (a retried
   * request, a second instance handling the same lead) finds the first and makes nothing.
   */
  eventKey: string;
  template: string;
  locale: string;
  to: string;
  params: Record<string, unknown>;
}

/**
 * Queues e-mails in the caller's transaction: a mail row (recipient and values encrypted at rest) and its outbox job,
 * committed together with the change that asked for them, never sent in the request path. Returns the ids of the mails
 * that are new; an event already queued is left as it is.
 */
export async function enqueueMail(db: Kysely<Database>, mails: readonly NewMail[], clock: () => number = Date.now): Promise<string[]> {
  const created: string[] = [];
  const jobs: { shop: string; leadId: string | null; kind: 'send_mail'; jobId: string }[] = [];
  const now = nowIso(clock);
  for (const mail of mails) {
    const id = newId();
    const jobId = newId();
    const inserted = await db
      .insertInto('mail_messages')
      .values({
        id,
        shop: mail.shop,
        lead_id: mail.leadId,
        event_key: mail.eventKey,
        template: mail.template,
        locale: mail.locale,
        to_address: mail.to,
        params: JSON.stringify(mail.params),
        job_id: jobId,
        status: 'queued',
        sending_until: null,
        last_error: null,
        // Fixed now, so a resend after an unknown outcome (a worker lost mid-send) carries the same Message-ID and the
        // receiving side can recognise it.
        message_id: `<${id}@${mail.shop}>`,
        created_at: now,
        sent_at: null,
      })
      .onConflict((oc) => oc.columns(['shop', 'event_key']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) continue;
    created.push(id);
    jobs.push({ shop: mail.shop, leadId: mail.leadId, kind: 'send_mail', jobId });
  }
  await enqueueJobs(db, jobs, clock);
  return created;
}
