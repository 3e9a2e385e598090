import type { Kysely } from 'kysely';
import { newId, nowIso, sha256Hex } from '../core/ids.js';
import { type CustomerRef, type LookupHash, customerLeadIds } from '../leads/erasure.js';
import { IDS_PER_STATEMENT, batches } from '../storage/batches.js';
import { lockLeads, transactionWithRetry } from '../storage/row-locks.js';
import type { Database } from '../storage/tables.js';
import { FLOW_TRIGGERS, listeningShops, recordFlowEvents } from '../outbox/flow-events.js';

/**
 * The consent ledger is append-only: a change in Shopify (a shopper unsubscribing from an email, a merchant editing
 * consent) adds a record to each of that customer's leads; nothing is rewritten. The latest record per channel is
 * the consent in force; the earlier ones are the proof of what was given, and when.
 */
export async function recordConsentChange(
  db: Kysely<Database>,
  shop: string,
  customer: CustomerRef,
  change: {
    channel: 'email' | 'sms' | 'whatsapp';
    state: string;
    optInLevel: string | null;
    at: string | null;
    /** Who changed it: `shopify:<state>` (a webhook) unless said; `customer_account:<state>` is the customer's own change. */
    source?: string;
    /** The wording the customer read when they made the change themselves, kept as it was shown. */
    text?: string | null;
  },
  hash: LookupHash,
  clock: () => number = Date.now,
): Promise<number> {
  const recordedAt = change.at && !Number.isNaN(Date.parse(change.at)) ? new Date(change.at).toISOString() : nowIso(clock);
  // The leads are locked (shared) before their records are added: an erasure of the same customer either ran first
  // (and the change finds nothing to record) or waits for this one. Never an insert against a deleted lead.
  return transactionWithRetry(db, async (trx) => {
    const ids = await lockLeads(trx, await customerLeadIds(trx, shop, customer, hash), 'share');
    if (!ids.length) return 0;
    const leads = [];
    // In slices (storage/batches.ts): anyone may send the form with this person's email, as often as the limits allow.
    for (const slice of batches(ids, IDS_PER_STATEMENT))
      leads.push(...(await trx.selectFrom('leads').select(['id', 'locale', 'created_at']).where('id', 'in', slice).execute()));
    if (!leads.length) return 0;
    const recordIds = new Map(leads.map((lead) => [lead.id, newId()]));
    const records = leads.map((lead) => ({
      id: recordIds.get(lead.id)!,
      shop,
      lead_id: lead.id,
      channel: change.channel,
      granted: change.state.toUpperCase() === 'SUBSCRIBED' ? 1 : 0,
      text: change.text ?? null,
      text_sha256: change.text ? sha256Hex(change.text) : null,
      locale: lead.locale,
      page: null,
      source: change.source ?? `shopify:${change.state.toLowerCase()}`,
      opt_in_level: change.optInLevel ?? 'UNKNOWN',
      recorded_at: recordedAt,
    }));
    for (const batch of batches(records)) await trx.insertInto('consent_records').values(batch).execute();
    // One "Lead consent changed" per change, on the customer's newest lead, for shops whose Flow listens; keyed on
    // its consent record, so Shopify's retry of the webhook (or a second instance) owes it once.
    if ((await listeningShops(trx, FLOW_TRIGGERS.consentChanged, [shop])).has(shop)) {
      const newest = leads.reduce((a, b) => (b.created_at > a.created_at || (b.created_at === a.created_at && b.id > a.id) ? b : a));
      const recordId = recordIds.get(newest.id)!;
      await recordFlowEvents(
        trx,
        [{ shop, leadId: newest.id, handle: FLOW_TRIGGERS.consentChanged, eventKey: recordId, consentRecordId: recordId, at: nowIso(clock) }],
        true,
      );
    }
    return leads.length;
  });
}

/** The ledger of one lead, oldest first: what was shown and agreed, and every later change. */
export function consentLedger(db: Kysely<Database>, shop: string, leadId: string) {
  return db
    .selectFrom('consent_records')
    .select(['channel', 'granted', 'text', 'text_sha256', 'locale', 'page', 'source', 'opt_in_level', 'recorded_at'])
    .where('shop', '=', shop)
    .where('lead_id', '=', leadId)
    .orderBy('recorded_at')
    .orderBy('id')
    .execute();
}
