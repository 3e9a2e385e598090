import type { Kysely } from 'kysely';
import { newId, nowIso } from '../core/ids.js';
import { enqueueMail } from '../outbox/mail-queue.js';
import { enqueueSync } from '../outbox/outbox.js';
import { lockLeads, transactionWithRetry } from '../storage/row-locks.js';
import type { Database } from '../storage/tables.js';

/**
 * Double opt-in: a consenting lead from a form with the setting on waits (`doi_state` pending) until the shopper
 * confirms from the e-mail's link; only then is it queued for Shopify, with the confirmation as its consent proof
 * (CONFIRMED_OPT_IN at the confirmation time). Whether a pending lead has expired is read from `doi_expires_at`.
 */
export const DOI_DEFAULT_DAYS = 7;
export const DOI_MAX_DAYS = 30;
/** Confirmation e-mails one address gets while a confirmation is pending: the first, and one resend on a new submission. */
export const DOI_MAX_MAILS = 2;
export const CONFIRMATION_SOURCE = 'double_opt_in_link';

export type DoiState = 'pending' | 'confirmed' | 'expired';

/** `doi_state` as stored, with expiry applied: a pending lead past its link's expiry is expired. */
export function doiStateOf(stored: string | null, expiresAt: string | null, nowMs: number): DoiState | null {
  if (stored === 'pending' && expiresAt && Date.parse(expiresAt) <= nowMs) return 'expired';
  return stored === 'pending' || stored === 'confirmed' ? stored : null;
}

export interface ConfirmationRequest {
  shop: string;
  leadId: string;
  email: string;
  emailHash: string | null;
  name: string | null;
  locale: string;
  url: string;
  expiresAt: string;
  /** Distinguishes a requested new link from the first one (`resend:<day>`). */
  reason?: string;
}

/**
 * Queues the confirmation e-mail in the caller's transaction, unless the address already had DOI_MAX_MAILS while
 * pending (a shopper submitting again gets one resend, not one mail per click).
 */
export async function queueConfirmation(db: Kysely<Database>, request: ConfirmationRequest, clock: () => number = Date.now): Promise<boolean> {
  if (request.emailHash) {
    const sent = await db
      .selectFrom('mail_messages')
      .innerJoin('leads', 'leads.id', 'mail_messages.lead_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('mail_messages.shop', '=', request.shop)
      .where('mail_messages.template', '=', 'confirm_optin')
      .where('leads.email_hash', '=', request.emailHash)
      .where('leads.doi_state', '=', 'pending')
      .where('leads.doi_expires_at', '>', nowIso(clock))
      .executeTakeFirst();
    if (Number(sent?.n ?? 0) >= DOI_MAX_MAILS) return false;
  }
  const created = await enqueueMail(
    db,
    [
      {
        shop: request.shop,
        leadId: request.leadId,
        eventKey: `confirm:${request.leadId}${request.reason ? `:${request.reason}` : ''}`,
        template: 'confirm_optin',
        locale: request.locale,
        to: request.email,
        params: { name: request.name, url: request.url, expiresAt: request.expiresAt },
      },
    ],
    clock,
  );
  return created.length > 0;
}

export type ConfirmOutcome = 'confirmed' | 'already_confirmed' | 'expired' | 'not_found';

/**
 * Confirms the clicked lead's e-mail consent, and only its own: the link names one lead, and another lead of the same
 * address (another form, another text, maybe someone else typing that address) waits for its own link. A consent
 * record (time and source), then the Shopify sync. Confirming twice changes nothing.
 */
export async function confirmLead(db: Kysely<Database>, shop: string, leadId: string, clock: () => number = Date.now): Promise<ConfirmOutcome> {
  return transactionWithRetry(db, async (trx) => {
    // Locked, then read: an erasure or a second click on the same link either finished before or waits for this one.
    const [locked] = await lockLeads(trx, [leadId]);
    if (!locked) return 'not_found';
    const lead = await trx
      .selectFrom('leads')
      .select(['id', 'locale', 'status', 'doi_state', 'doi_expires_at'])
      .where('id', '=', leadId)
      .where('shop', '=', shop)
      .executeTakeFirst();
    if (!lead || lead.doi_state === null) return 'not_found';
    if (lead.doi_state === 'confirmed') return 'already_confirmed';
    const now = clock();
    if (doiStateOf(lead.doi_state, lead.doi_expires_at, now) === 'expired') return 'expired';
    const at = nowIso(() => now);
    const proof = await trx
      .selectFrom('consent_records')
      .select(['text', 'text_sha256', 'page'])
      .where('lead_id', '=', lead.id)
      .where('channel', '=', 'email')
      .where('granted', '=', 1)
      .orderBy('recorded_at')
      .executeTakeFirst();
    await trx
      .insertInto('consent_records')
      .values({
        id: newId(),
        shop,
        lead_id: lead.id,
        channel: 'email',
        granted: 1,
        // What the shopper agreed to is the text of the form; the confirmation says when and how it was confirmed.
        text: proof?.text ?? null,
        text_sha256: proof?.text_sha256 ?? null,
        locale: lead.locale,
        page: proof?.page ?? null,
        source: CONFIRMATION_SOURCE,
        opt_in_level: 'CONFIRMED_OPT_IN',
        recorded_at: at,
      })
      .execute();
    await trx.updateTable('leads').set({ doi_state: 'confirmed', doi_confirmed_at: at }).where('id', '=', lead.id).execute();
    // Quarantined leads stay out of Shopify whatever the shopper confirms; staff release them as before. A lead whose
    // contact was kept (synced without marketing consent) is synced again, now with its confirmed consent.
    if (lead.status === 'pending' || lead.status === 'synced' || lead.status === 'failed') await enqueueSync(trx, shop, lead.id, clock);
    return 'confirmed';
  });
}
