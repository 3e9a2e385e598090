import type { Kysely } from 'kysely';
import { conflict, notFound } from '../core/errors.js';
import { newId, nowIso } from '../core/ids.js';
import { enqueueMail } from '../outbox/mail-queue.js';
import { isUnreadable } from '../storage/field-encryption.js';
import type { Database } from '../storage/tables.js';

/** Longest reply staff may send: a letter, not an attachment. */
export const REPLY_MAX_CHARS = 10_000;

export interface ReplyRequest {
  shop: string;
  leadId: string;
  author: string;
  body: string;
  /**
   * The client's key for this one reply: the same key again (a double click, a retried request) finds the first
   * reply and sends nothing more.
   */
  key: string;
}

export interface ReplyEntry {
  id: string;
  author: string;
  body: string;
  created_at: string;
  kind: 'reply';
  mail_id: string;
}

/**
 * A staff reply to the shopper: one transaction queues the e-mail (outbox, from the shop's sender, in the shopper's
 * language) and keeps the text on the lead as a thread entry (lead_notes, kind reply, body encrypted at rest), so
 * neither exists without the other. `replayed` when the key was used before for this lead.
 */
export async function replyToLead(
  db: Kysely<Database>,
  request: ReplyRequest,
  clock: () => number = Date.now,
): Promise<{ entry: ReplyEntry; replayed: boolean }> {
  return db.transaction().execute(async (trx) => {
    const lead = await trx
      .selectFrom('leads')
      .select(['id', 'email', 'first_name', 'locale'])
      .where('shop', '=', request.shop)
      .where('id', '=', request.leadId)
      .executeTakeFirst();
    if (!lead) throw notFound('lead_not_found');
    const eventKey = `reply:${lead.id}:${request.key}`;
    const [mailId] = await enqueueMail(
      trx,
      lead.email && !isUnreadable(lead.email)
        ? [
            {
              shop: request.shop,
              leadId: lead.id,
              eventKey,
              template: 'reply',
              locale: lead.locale,
              to: lead.email,
              params: { name: lead.first_name && !isUnreadable(lead.first_name) ? lead.first_name : null, body: request.body },
            },
          ]
        : [],
      clock,
    );
    if (!mailId) {
      // Either this key was used before (its mail row is there, committed), or the lead has no address to answer.
      const earlier = await trx
        .selectFrom('mail_messages')
        .innerJoin('lead_notes', 'lead_notes.mail_id', 'mail_messages.id')
        .select(['lead_notes.id', 'lead_notes.author', 'lead_notes.body', 'lead_notes.created_at', 'mail_messages.id as mail_id'])
        .where('mail_messages.shop', '=', request.shop)
        .where('mail_messages.event_key', '=', eventKey)
        .executeTakeFirst();
      if (earlier) return { entry: { ...earlier, kind: 'reply' as const }, replayed: true };
      throw conflict('no_email', 'The lead has no readable e-mail address to reply to.');
    }
    const entry: ReplyEntry = { id: newId(), author: request.author, body: request.body, created_at: nowIso(clock), kind: 'reply', mail_id: mailId };
    await trx
      .insertInto('lead_notes')
      .values({
        id: entry.id,
        shop: request.shop,
        lead_id: lead.id,
        author: entry.author,
        body: entry.body,
        created_at: entry.created_at,
        kind: 'reply',
        mail_id: mailId,
      })
      .execute();
    return { entry, replayed: false };
  });
}
