import type { Kysely } from 'kysely';
import { newId, nowIso } from '../core/ids.js';
import type { Database } from '../storage/tables.js';
import { enqueueJobs } from './outbox.js';

/** The app's Flow triggers, by extension handle (extensions/lead-captured-flow, extensions/lead-consent-changed-flow). */
export const FLOW_TRIGGERS = { leadCaptured: 'lead-captured', consentChanged: 'lead-consent-changed' } as const;
export type FlowHandle = (typeof FLOW_TRIGGERS)[keyof typeof FLOW_TRIGGERS];
export const FLOW_HANDLES: readonly FlowHandle[] = Object.values(FLOW_TRIGGERS);

/** Of these shops, those whose Flow has an enabled workflow using the trigger: one indexed read for a whole batch. */
export async function listeningShops(db: Kysely<Database>, handle: FlowHandle, shops: readonly string[]): Promise<Set<string>> {
  if (!shops.length) return new Set();
  const rows = await db
    .selectFrom('flow_subscriptions')
    .select('shop')
    .where('handle', '=', handle)
    .where('enabled', '=', 1)
    .where('shop', 'in', [...new Set(shops)])
    .execute();
  return new Set(rows.map((r) => r.shop));
}

export interface OwedEvent {
  shop: string;
  leadId: string;
  handle: FlowHandle;
  /** What makes the event one: the lead id for Lead captured, the consent record id for Lead consent changed. */
  eventKey: string;
  consentRecordId?: string | null;
  at: string;
}

/**
 * Records trigger events the app owes Flow, in the caller's transaction. The unique (shop, handle, event_key) makes each
 * event exist once whoever records it (a retried webhook, two instances). With `send`, the outbox job that carries them
 * is queued at once; without, it is queued when the lead's sync ends (`queueOwedFlowJob`), so that the trigger carries
 * the customer the sync found or made.
 */
export async function recordFlowEvents(db: Kysely<Database>, events: readonly OwedEvent[], send: boolean): Promise<void> {
  if (!events.length) return;
  const inserted = await db
    .insertInto('flow_events')
    .values(
      events.map((e) => ({
        id: newId(),
        shop: e.shop,
        lead_id: e.leadId,
        handle: e.handle,
        event_key: e.eventKey,
        consent_record_id: e.consentRecordId ?? null,
        created_at: e.at,
        claimed_until: null,
        sent_at: null,
        outcome: null,
      })),
    )
    .onConflict((oc) => oc.columns(['shop', 'handle', 'event_key']).doNothing())
    .returning(['shop', 'lead_id', 'created_at'])
    .execute();
  if (!send || !inserted.length) return;
  await enqueueJobs(
    db,
    inserted.map((r) => ({ shop: r.shop, leadId: r.lead_id, kind: 'flow_trigger' as const, at: r.created_at })),
  );
}

/** After a lead's sync ends (synced or failed for good): queues the job for its Flow events still owed, if any. */
export async function queueOwedFlowJob(db: Kysely<Database>, shop: string, leadId: string, clock: () => number = Date.now): Promise<boolean> {
  const owed = await db
    .selectFrom('flow_events')
    .select('id')
    .where('lead_id', '=', leadId)
    .where('shop', '=', shop)
    .where('sent_at', 'is', null)
    .where('outcome', 'is', null)
    .limit(1)
    .executeTakeFirst();
  if (!owed) return false;
  await enqueueJobs(db, [{ shop, leadId, kind: 'flow_trigger' }], clock);
  return true;
}

/**
 * Stores what Flow's lifecycle callback says. Shopify says a callback with a newer timestamp takes precedence and an
 * older one is ignored: the row changes only when this one is newer than what is stored. Returns whether it changed.
 */
export async function recordLifecycle(
  db: Kysely<Database>,
  change: { shop: string; handle: FlowHandle; enabled: boolean; notifiedAt: string },
  clock: () => number = Date.now,
): Promise<boolean> {
  const row = { shop: change.shop, handle: change.handle, enabled: change.enabled ? 1 : 0, notified_at: change.notifiedAt, updated_at: nowIso(clock) };
  const result = await db
    .insertInto('flow_subscriptions')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['shop', 'handle'])
        .doUpdateSet({ enabled: row.enabled, notified_at: row.notified_at, updated_at: row.updated_at })
        .where('flow_subscriptions.notified_at', '<', row.notified_at),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}
