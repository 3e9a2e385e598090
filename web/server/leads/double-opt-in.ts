import type { Kysely } from 'kysely';
import { newId, nowIso } from '../core/ids.js';
import { enqueueMail } from '../outbox/mail-queue.js';
import { enqueueSync } from '../outbox/outbox.js';
import { batches } from '../storage/batches.js';
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
 * Confirms a pending lead, and every other pending lead of the same address in the shop (the address's owner said
 * yes): a consent record each (time and source), then the Shopify sync. Confirming twice changes nothing.
 */
export async function confirmLead(db: Kysely<Database>, shop: string, leadId: string, clock: () => number = Date.now): Promise<ConfirmOutcome> {
  return transactionWithRetry(db, async (trx) => {
    const first = await trx.selectFrom('leads').select(['id', 'email_hash']).where('id', '=', leadId).where('shop', '=', shop).executeTakeFirst();
    if (!first) return 'not_found';
    const now = clock();
    const at = nowIso(() => now);
    const siblings = first.email_hash
      ? await trx
          .selectFrom('leads')
          .select('id')
          .where('shop', '=', shop)
          .where('email_hash', '=', first.email_hash)
          .where('doi_state', '=', 'pending')
          .where('doi_expires_at', '>', at)
          .execute()
      : [];
    // All of them locked at once, in id order (storage/row-locks.ts), then read again: an erasure or another
    // confirmation of the same leads either finished before or waits for this one.
    const ids = await lockLeads(trx, [...new Set([first.id, ...siblings.map((s) => s.id)])]);
    const rows = await trx
      .selectFrom('leads')
      .select(['id', 'locale', 'status', 'doi_state', 'doi_expires_at'])
      .where('id', 'in', ids.length ? ids : [''])
      .execute();
    const lead = rows.find((r) => r.id === leadId);
    if (!lead || lead.doi_state === null) return 'not_found';
    if (lead.doi_state === 'confirmed') return 'already_confirmed';
    if (doiStateOf(lead.doi_state, lead.doi_expires_at, now) === 'expired') return 'expired';
    const leads = rows.filter((r) => doiStateOf(r.doi_state, r.doi_expires_at, now) === 'pending');
    const confirmed = leads.map((l) => l.id);
    const proofs = await trx
      .selectFrom('consent_records')
      .select(['lead_id', 'text', 'text_sha256', 'page'])
      .where('lead_id', 'in', confirmed)
      .where('channel', '=', 'email')
      .where('granted', '=', 1)
      .execute();
    const records = leads.map((l) => {
      const proof = proofs.find((p) => p.lead_id === l.id);
      return {
        id: newId(),
        shop,
        lead_id: l.id,
        channel: 'email' as const,
        granted: 1,
        // What the shopper agreed to is the text of the form; the confirmation says when and how it was confirmed.
        text: proof?.text ?? null,
        text_sha256: proof?.text_sha256 ?? null,
        locale: l.locale,
        page: proof?.page ?? null,
        source: CONFIRMATION_SOURCE,
        opt_in_level: 'CONFIRMED_OPT_IN',
        recorded_at: at,
      };
    });
    for (const batch of batches(records)) await trx.insertInto('consent_records').values(batch).execute();
    await trx.updateTable('leads').set({ doi_state: 'confirmed', doi_confirmed_at: at }).where('id', 'in', confirmed).execute();
    // Quarantined leads stay out of Shopify whatever the shopper confirms; staff release them as before.
    for (const l of leads) if (l.status === 'pending') await enqueueSync(trx, shop, l.id, clock);
    return 'confirmed';
  });
}
