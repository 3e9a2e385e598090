import { answersColumn, parseJsonColumn, tagsColumn } from '../storage/json-column.js';
import type { Lead } from '../storage/tables.js';
import type { AdminResult } from './admin-client.js';
import { FLOW_TRIGGER_RECEIVE } from './operations.js';

/**
 * Shopify documents a limit of 50 KB on a trigger's payload ("Properties size exceeds the limit of 50000 bytes");
 * measured here as the UTF-8 bytes of its JSON. A payload over it is refused whole, so the one field that can grow (the
 * answers) is cut to fit instead.
 */
export const FLOW_PAYLOAD_LIMIT_BYTES = 50_000;

export type FlowPayload = Record<string, string | number | boolean>;

/** The numeric id Flow's customer_reference takes (`customer_id`), from the customer's GID. */
function customerId(gid: string | null): { customer_id: number } | Record<string, never> {
  const id = gid?.match(/^gid:\/\/shopify\/Customer\/(\d{1,20})$/)?.[1];
  return id ? { customer_id: Number(id) } : {};
}

/** Payload keys are the `key`s of extensions/lead-captured-flow/shopify.extension.toml (a test keeps them equal). */
export function leadCapturedPayload(lead: Lead, workspaceLink: string): FlowPayload {
  const answers = (parseJsonColumn(answersColumn, lead.answers) ?? []).filter((a) => !a.held);
  const payload: FlowPayload = {
    ...customerId(lead.shopify_customer_id),
    'Lead id': lead.id,
    Form: lead.form_id ?? '',
    Source: lead.source,
    'Email consent': lead.email_consent === 1,
    'SMS consent': lead.sms_consent === 1,
    'WhatsApp consent': lead.whatsapp_consent === 1,
    Tags: (parseJsonColumn(tagsColumn, lead.tags) ?? []).join(', '),
    Answers: answers.map((a) => `${a.key}: ${a.value}`).join('; '),
    'Workspace link': workspaceLink,
  };
  return fitAnswers(payload);
}

export function consentChangedPayload(
  lead: Pick<Lead, 'id' | 'shopify_customer_id'>,
  change: { channel: string; granted: boolean; state: string },
  workspaceLink: string,
): FlowPayload {
  return {
    ...customerId(lead.shopify_customer_id),
    'Lead id': lead.id,
    Channel: change.channel,
    Subscribed: change.granted,
    State: change.state,
    'Workspace link': workspaceLink,
  };
}

export const payloadBytes = (payload: FlowPayload) => Buffer.byteLength(JSON.stringify(payload), 'utf8');

function fitAnswers(payload: FlowPayload): FlowPayload {
  const over = payloadBytes(payload) - FLOW_PAYLOAD_LIMIT_BYTES;
  if (over <= 0) return payload;
  const answers = String(payload.Answers);
  const marker = ' […]';
  // Cut by bytes, then drop a split character: JSON escaping can only make the cut larger than needed, never smaller.
  const keep = Math.max(0, Buffer.byteLength(answers, 'utf8') - over - Buffer.byteLength(marker) - 16);
  const cut = Buffer.from(answers, 'utf8')
    .subarray(0, keep)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  const fitted = { ...payload, Answers: `${cut}${marker}` };
  return payloadBytes(fitted) <= FLOW_PAYLOAD_LIMIT_BYTES ? fitted : { ...payload, Answers: marker.trim() };
}

export type FlowSendResult = { kind: 'sent' } | { kind: 'refused'; reason: string } | { kind: 'failed'; result: Exclude<AdminResult<unknown>, { ok: true }> };

export type FlowCall = <T>(query: string, variables: Record<string, unknown>) => Promise<AdminResult<T>>;

/** One flowTriggerReceive. A userError is Flow refusing this payload: sending it again would be refused again. */
export async function sendFlowTrigger(call: FlowCall, handle: string, payload: FlowPayload): Promise<FlowSendResult> {
  const result = await call<{ flowTriggerReceive: { userErrors: Array<{ field?: string[] | null; message: string }> } | null }>(FLOW_TRIGGER_RECEIVE, {
    handle,
    payload,
  });
  if (!result.ok) return { kind: 'failed', result };
  const errors = result.data.flowTriggerReceive?.userErrors ?? [];
  if (!result.data.flowTriggerReceive) return { kind: 'refused', reason: 'Shopify returned no flowTriggerReceive payload' };
  if (errors.length)
    return {
      kind: 'refused',
      reason: errors
        .map((e) => e.message)
        .join('; ')
        .slice(0, 500),
    };
  return { kind: 'sent' };
}
