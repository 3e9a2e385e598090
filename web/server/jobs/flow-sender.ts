import type { Kysely } from 'kysely';
import { nowIso } from '../core/ids.js';
import { type FlowHandle, FLOW_TRIGGERS, listeningShops } from '../outbox/flow-events.js';
import { type FlowCall, type FlowPayload, consentChangedPayload, leadCapturedPayload, sendFlowTrigger } from '../shopify/flow-trigger.js';
import type { Database, OutboxJob } from '../storage/tables.js';

export interface FlowSenderOptions {
  db: Kysely<Database>;
  clock: () => number;
  /** How long a sender holds an event before another may take it (the job lease). */
  leaseMs: number;
  /** The lead in the workspace, inside the shop's admin. */
  workspaceLink: (shop: string, leadId: string) => string;
}

export type FlowJobOutcome = { kind: 'done'; sent: number } | { kind: 'retry'; reason: string } | { kind: 'unauthorized'; reason: string };

/**
 * Sends the Flow triggers a lead still owes (flow_events), each once. An event is claimed before it is sent (a
 * conditional update: of two workers, or two instances, only one gets it) and marked sent in the same statement that
 * releases the claim. What cannot be made exactly-once is Shopify's side: a sender that dies after Shopify accepted
 * and before the mark leaves the event to be sent again when its claim expires (at least once, never twice otherwise).
 */
export async function sendOwedFlowEvents(options: FlowSenderOptions, call: FlowCall, job: OutboxJob): Promise<FlowJobOutcome> {
  const { db, clock } = options;
  const events = await db
    .selectFrom('flow_events')
    .selectAll()
    .where('shop', '=', job.shop)
    .where('lead_id', '=', job.lead_id)
    .where('sent_at', 'is', null)
    .where('outcome', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  let sent = 0;
  for (const event of events) {
    const now = nowIso(clock);
    const claimed = await db
      .updateTable('flow_events')
      .set({ claimed_until: nowIso(() => clock() + options.leaseMs) })
      .where('id', '=', event.id)
      .where('sent_at', 'is', null)
      .where('outcome', 'is', null)
      .where((w) => w.or([w('claimed_until', 'is', null), w('claimed_until', '<', now)]))
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) continue;
    const settle = (fields: { sent_at?: string; outcome: string | null }) =>
      db
        .updateTable('flow_events')
        .set({ ...fields, claimed_until: null })
        .where('id', '=', event.id)
        .execute();

    // The shop may have turned its workflow off since the event was owed: Flow would run nothing.
    const handle = event.handle as FlowHandle;
    if (!(await listeningShops(db, handle, [job.shop])).has(job.shop)) {
      await settle({ outcome: 'not_listening' });
      continue;
    }
    const payload = await payloadOf(options, handle, event);
    if (!payload) {
      await settle({ outcome: 'lead_gone' });
      continue;
    }
    const result = await sendFlowTrigger(call, handle, payload);
    if (result.kind === 'sent') {
      await settle({ sent_at: nowIso(clock), outcome: 'sent' });
      sent++;
    } else if (result.kind === 'refused') {
      await settle({ outcome: `refused: ${result.reason}` });
    } else {
      await settle({ outcome: null });
      if (result.result.kind === 'unauthorized') return { kind: 'unauthorized', reason: `The shop's access token was refused. ${result.result.detail}` };
      const detail = 'detail' in result.result ? result.result.detail : 'THROTTLED';
      return { kind: 'retry', reason: `Shopify Flow trigger not sent: ${result.result.kind} ${detail}`.slice(0, 500) };
    }
  }
  return { kind: 'done', sent };
}

async function payloadOf(
  options: FlowSenderOptions,
  handle: FlowHandle,
  event: { shop: string; lead_id: string; consent_record_id: string | null },
): Promise<FlowPayload | null> {
  const lead = await options.db.selectFrom('leads').selectAll().where('id', '=', event.lead_id).where('shop', '=', event.shop).executeTakeFirst();
  if (!lead) return null;
  const link = options.workspaceLink(event.shop, lead.id);
  if (handle === FLOW_TRIGGERS.leadCaptured) return leadCapturedPayload(lead, link);
  if (!event.consent_record_id) return null;
  const record = await options.db
    .selectFrom('consent_records')
    .select(['channel', 'granted', 'source'])
    .where('id', '=', event.consent_record_id)
    .executeTakeFirst();
  if (!record) return null;
  return consentChangedPayload(lead, { channel: record.channel, granted: record.granted === 1, state: record.source.replace(/^shopify:/, '') }, link);
}
