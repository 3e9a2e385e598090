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
export interface ConsentChangeResult {
  /** The customer's leads the app holds. */
  held: number;
  /** Those that got a record (all of them, unless `onlyIfChanged` found some already in that state). */
  recorded: number;
}

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
    /**
     * Record it only on leads whose consent in force on this channel differs (and tell Flow only then). The customer
     * account page sends its switch's state on every save, so the same state again is no change; Shopify's webhooks
     * report changes Shopify made, each recorded.
     */
    onlyIfChanged?: boolean;
  },
  hash: LookupHash,
  clock: () => number = Date.now,
): Promise<ConsentChangeResult> {
  const recordedAt = change.at && !Number.isNaN(Date.parse(change.at)) ? new Date(change.at).toISOString() : nowIso(clock);
  // The leads are locked (shared) before their records are added: an erasure of the same customer either ran first
  // (and the change finds nothing to record) or waits for this one. Never an insert against a deleted lead.
  return transactionWithRetry(db, async (trx) => {
    // "Only if changed" reads the state in force and then records: two identical changes side by side would both read
    // the old state, so they take the rows in turn (update), and the second finds the first's record.
    const ids = await lockLeads(trx, await customerLeadIds(trx, shop, customer, hash), change.onlyIfChanged ? 'update' : 'share');
    if (!ids.length) return { held: 0, recorded: 0 };
    const granted = change.state.toUpperCase() === 'SUBSCRIBED' ? 1 : 0;
    const held = [];
    // In slices (storage/batches.ts): anyone may send the form with this person's email, as often as the limits allow.
    for (const slice of batches(ids, IDS_PER_STATEMENT))
      held.push(...(await trx.selectFrom('leads').select(['id', 'locale', 'created_at', CONSENT_COLUMN[change.channel]]).where('id', 'in', slice).execute()));
    if (!held.length) return { held: 0, recorded: 0 };
    const inForce = change.onlyIfChanged ? await consentInForce(trx, held, change.channel) : null;
    const leads = inForce ? held.filter((lead) => inForce.get(lead.id) !== granted) : held;
    if (!leads.length) return { held: held.length, recorded: 0 };
    const recordIds = new Map(leads.map((lead) => [lead.id, newId()]));
    const records = leads.map((lead) => ({
      id: recordIds.get(lead.id)!,
      shop,
      lead_id: lead.id,
      channel: change.channel,
      granted,
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
    return { held: held.length, recorded: leads.length };
  });
}

const CONSENT_COLUMN = { email: 'email_consent', sms: 'sms_consent', whatsapp: 'whatsapp_consent' } as const;

/**
 * Each lead's consent in force on a channel: its latest ledger record, or, with none, what the lead was sent with
 * (the form records no consent that was not given).
 */
async function consentInForce(
  db: Kysely<Database>,
  leads: ReadonlyArray<{ id: string } & Partial<Record<(typeof CONSENT_COLUMN)[keyof typeof CONSENT_COLUMN], number>>>,
  channel: keyof typeof CONSENT_COLUMN,
): Promise<Map<string, number>> {
  const state = new Map(leads.map((lead) => [lead.id, lead[CONSENT_COLUMN[channel]] ? 1 : 0]));
  for (const slice of batches(
    leads.map((lead) => lead.id),
    IDS_PER_STATEMENT,
  )) {
    const records = await db
      .selectFrom('consent_records')
      .select(['lead_id', 'granted'])
      .where('lead_id', 'in', slice)
      .where('channel', '=', channel)
      .orderBy('recorded_at')
      .orderBy('id')
      .execute();
    // Oldest first: the last one written for a lead is the one in force.
    for (const record of records) state.set(record.lead_id, record.granted ? 1 : 0);
  }
  return state;
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
