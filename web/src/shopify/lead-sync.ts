import { CUSTOMER_TAG, type CustomFieldKind, METAFIELDS, METAFIELD_TYPE_OF } from '../../../schema/fields.js';
import type { Lead } from '../storage/tables.js';
import type { AdminResult } from './admin-client.js';
import {
  CUSTOMER_ADDRESS_CREATE,
  CUSTOMER_ADDRESS_UPDATE,
  CUSTOMER_DEFAULT_ADDRESS,
  CUSTOMER_SET,
  CUSTOMER_UPDATE,
  EMAIL_CONSENT_UPDATE,
  METAFIELDS_SET,
  METAFIELD_DEFINITION_CREATE,
  ORDER_CUSTOMER,
  SMS_CONSENT_UPDATE,
  TAGS_ADD,
} from './operations.js';

/**
 * The Shopify writes for one consenting lead, in order. Each step is idempotent (upsert by email, metafieldsSet,
 * consent set to a state, tagsAdd), so a job retried after a crash or a timeout repeats nothing visible.
 */
export type Call = <T>(query: string, variables: Record<string, unknown>) => Promise<AdminResult<T>>;

export type SyncOutcome =
  | { kind: 'synced'; customerId: string }
  | { kind: 'rejected'; reason: string }
  | { kind: 'retry'; reason: string; throttled: boolean }
  | { kind: 'unauthorized'; reason: string };

interface UserError {
  field?: string[] | null;
  message: string;
  code?: string | null;
}

export interface ConsentProof {
  text: string | null;
  text_sha256: string | null;
  locale: string;
  page: string | null;
  recorded_at: string;
}

type Step<T> = { ok: true; value: T } | { ok: false; outcome: SyncOutcome };

function describe(errors: UserError[], what: string): string {
  const parts = errors.map((e) => `${e.message}${e.code ? ` (${e.code}${e.field?.length ? `, field ${e.field.join('.')}` : ''})` : ''}`);
  return `Shopify rejected the ${what}: ${parts.join('; ')}`.slice(0, 1000);
}

function failed(result: Exclude<AdminResult<unknown>, { ok: true }>): SyncOutcome {
  switch (result.kind) {
    case 'throttled':
      return { kind: 'retry', reason: 'Shopify asked us to slow down (THROTTLED)', throttled: true };
    case 'transient':
      return { kind: 'retry', reason: `Shopify was unavailable: ${result.detail}`, throttled: false };
    case 'unauthorized':
      return { kind: 'unauthorized', reason: `The shop's access token was refused; reinstall or reopen the app. ${result.detail}` };
    case 'graphql':
      return { kind: 'rejected', reason: `Shopify refused the request: ${result.detail}` };
  }
}

/**
 * The customer id from customerSet can vanish before the next step: a merchant deletes or merges the customer in
 * the admin. That is not the lead's fault; the job is retried, and the retry's customerSet finds (or recreates) the
 * customer who now holds the email.
 */
const CUSTOMER_GONE = /owner does not exist|customer not found|resource not found|does not exist/i;

async function mutate<P extends { userErrors: UserError[] }>(call: Call, query: string, variables: Record<string, unknown>, field: string, what: string): Promise<Step<P>> {
  const result = await call<Record<string, P | null>>(query, variables);
  if (!result.ok) return { ok: false, outcome: failed(result) };
  const payload = result.data[field];
  if (!payload) return { ok: false, outcome: { kind: 'rejected', reason: `Shopify returned no ${field} payload` } };
  if (payload.userErrors.length) {
    const gone = field !== 'customerSet' && payload.userErrors.every((e) => CUSTOMER_GONE.test(e.message));
    const reason = describe(payload.userErrors, what);
    return { ok: false, outcome: gone ? { kind: 'retry', reason: `The Shopify customer was deleted or merged during the sync. ${reason}`, throttled: false } : { kind: 'rejected', reason } };
  }
  return { ok: true, value: payload };
}

function parseAnswers(json: string | null): Array<{ key: string; kind: CustomFieldKind; value: string; held?: string }> {
  return json ? (JSON.parse(json) as Array<{ key: string; kind: CustomFieldKind; value: string; held?: string }>) : [];
}

export interface MetafieldValue {
  key: string;
  type: string;
  value: string;
}

/** The customer metafields a lead gives, in the app-reserved namespace. */
export function metafieldsOf(lead: Lead, consent: ConsentProof | null): MetafieldValue[] {
  const out: MetafieldValue[] = [];
  const add = (field: { key: string; type: string }, value: string | null) => value && out.push({ key: field.key, type: field.type, value });
  add(METAFIELDS.lastMessage, lead.message);
  add(METAFIELDS.sourceForm, lead.form_id);
  add(METAFIELDS.consentProof, consent ? JSON.stringify(consent) : null);
  add(METAFIELDS.company, lead.company);
  add(METAFIELDS.birthday, lead.birthday);
  add(METAFIELDS.postalAddress, lead.address);
  // A held answer (unsigned spec, an app key, past the definitions cap) stays on the lead only.
  for (const answer of parseAnswers(lead.answers)) if (!answer.held) out.push({ key: answer.key, type: METAFIELD_TYPE_OF[answer.kind], value: answer.value });
  return out;
}

async function setMetafields(call: Call, customerId: string, metafields: MetafieldValue[]): Promise<SyncOutcome | null> {
  if (!metafields.length) return null;
  const step = await mutate(call, METAFIELDS_SET, { metafields: metafields.map((m) => ({ ownerId: customerId, ...m })) }, 'metafieldsSet', 'metafields');
  return step.ok ? null : step.outcome;
}

/**
 * Answers given at purchase time land on the customer who placed the order: known from the webhook or the checkout
 * token, or looked up from the order. Names, email and marketing consent stay as checkout set them; the shopper's
 * consent here is to keep the answers on their profile, and it is recorded as the proof metafield.
 */
async function syncPurchase(call: Call, lead: Lead, consent: ConsentProof | null): Promise<SyncOutcome> {
  let customerId = lead.shopify_customer_id;
  if (!customerId && lead.order_id) {
    const order = await call<{ order: { email: string | null; customer: { id: string } | null } | null }>(ORDER_CUSTOMER, { id: lead.order_id });
    if (!order.ok) return failed(order);
    customerId = order.data.order?.customer?.id ?? null;
  }
  if (!customerId && lead.email) {
    const set = await mutate<{ userErrors: UserError[]; customer: { id: string } | null }>(call, CUSTOMER_SET, { email: lead.email, input: { email: lead.email } }, 'customerSet', 'customer');
    if (!set.ok) return set.outcome;
    customerId = set.value.customer?.id ?? null;
  }
  if (!customerId) return { kind: 'rejected', reason: 'The order has no customer to keep these answers on (guest checkout without an email).' };
  const problem = await setMetafields(call, customerId, metafieldsOf(lead, consent));
  if (problem) return problem;
  const tags = await mutate(call, TAGS_ADD, { id: customerId, tags: [CUSTOMER_TAG] }, 'tagsAdd', 'tags');
  if (!tags.ok) return tags.outcome;
  return { kind: 'synced', customerId };
}

/**
 * Metafield definitions for keys the shop does not have yet (type and name for the merchant's admin). A definition
 * that exists already (TAKEN) is what was wanted; any other refusal is left to show in metafieldsSet's answer.
 */
export async function defineMetafields(call: Call, fields: Array<{ key: string; type: string }>): Promise<{ defined: string[]; outcome: SyncOutcome | null }> {
  const defined: string[] = [];
  for (const field of fields) {
    const name = `Contact Capture: ${field.key.replace(/[_-]+/g, ' ')}`;
    const result = await call<{ metafieldDefinitionCreate: { userErrors: UserError[] } | null }>(METAFIELD_DEFINITION_CREATE, {
      definition: { name, namespace: '$app', key: field.key, type: field.type, ownerType: 'CUSTOMER', access: { admin: 'MERCHANT_READ_WRITE', customerAccount: 'NONE', storefront: 'NONE' } },
    });
    if (!result.ok) return { defined, outcome: failed(result) };
    const errors = result.data.metafieldDefinitionCreate?.userErrors ?? [];
    if (!errors.length || errors.every((e) => e.code === 'TAKEN')) defined.push(field.key);
  }
  return { defined, outcome: null };
}

export async function syncLead(call: Call, lead: Lead, consent: ConsentProof | null): Promise<SyncOutcome> {
  if (lead.source !== 'contact_form') return syncPurchase(call, lead, consent);
  const input: Record<string, unknown> = { email: lead.email };
  if (lead.first_name) input.firstName = lead.first_name;
  if (lead.last_name) input.lastName = lead.last_name;
  if (lead.phone) input.phone = lead.phone;
  if (lead.locale) input.locale = lead.locale;

  const set = await mutate<{ userErrors: UserError[]; customer: { id: string } | null }>(call, CUSTOMER_SET, { email: lead.email, input }, 'customerSet', 'customer');
  if (!set.ok) return set.outcome;
  const customerId = set.value.customer?.id;
  if (!customerId) return { kind: 'rejected', reason: 'Shopify returned no customer id' };

  const problem = await setMetafields(call, customerId, metafieldsOf(lead, consent));
  if (problem) return problem;

  const consentStep = await mutate(
    call,
    EMAIL_CONSENT_UPDATE,
    {
      input: {
        customerId,
        emailMarketingConsent: { marketingState: 'SUBSCRIBED', marketingOptInLevel: 'SINGLE_OPT_IN', consentUpdatedAt: lead.created_at },
      },
    },
    'customerEmailMarketingConsentUpdate',
    'marketing consent',
  );
  if (!consentStep.ok) return consentStep.outcome;

  if (lead.sms_consent === 1 && lead.phone) {
    const sms = await mutate(
      call,
      SMS_CONSENT_UPDATE,
      { input: { customerId, smsMarketingConsent: { marketingState: 'SUBSCRIBED', marketingOptInLevel: 'SINGLE_OPT_IN', consentUpdatedAt: lead.created_at } } },
      'customerSmsMarketingConsentUpdate',
      'SMS marketing consent',
    );
    if (!sms.ok) return sms.outcome;
  }

  const merchantTags = lead.tags ? (JSON.parse(lead.tags) as string[]) : [];
  const tags = await mutate(call, TAGS_ADD, { id: customerId, tags: [CUSTOMER_TAG, ...merchantTags] }, 'tagsAdd', 'tags');
  if (!tags.ok) return tags.outcome;
  return { kind: 'synced', customerId };
}

/** Shopify's MailingAddressInput from the lead's address; province only when it is a code Shopify would accept. */
export function mailingAddress(lead: Pick<Lead, 'address' | 'first_name' | 'last_name'>): Record<string, string> | null {
  if (!lead.address) return null;
  const a = JSON.parse(lead.address) as Record<string, string | undefined>;
  const out: Record<string, string> = {};
  for (const key of ['address1', 'address2', 'city', 'zip'] as const) if (a[key]) out[key] = a[key];
  if (a.country) out.countryCode = a.country.toUpperCase();
  if (a.province && /^[A-Z0-9]{1,3}$/i.test(a.province)) out.provinceCode = a.province.toUpperCase();
  if (lead.first_name) out.firstName = lead.first_name;
  if (lead.last_name) out.lastName = lead.last_name;
  return out;
}

/**
 * A staff correction reaching the Shopify customer: the customer is updated by id (the email may be what changed,
 * so an upsert by email would make a second customer), the default address is updated in place or created, and the
 * postal-address metafield follows. A lead that never reached Shopify takes the first sync instead.
 */
export async function syncCorrection(call: Call, lead: Lead, consent: ConsentProof | null): Promise<SyncOutcome> {
  let customerId = lead.shopify_customer_id;
  if (!customerId) {
    const first = await syncLead(call, lead, consent);
    if (first.kind !== 'synced') return first;
    customerId = first.customerId;
  } else {
    const input: Record<string, unknown> = { id: customerId, email: lead.email, firstName: lead.first_name, lastName: lead.last_name, phone: lead.phone };
    const update = await mutate(call, CUSTOMER_UPDATE, { input }, 'customerUpdate', 'corrected contact');
    if (!update.ok) return update.outcome;
  }
  const address = mailingAddress(lead);
  if (address) {
    const current = await call<{ customer: { defaultAddress: { id: string } | null } | null }>(CUSTOMER_DEFAULT_ADDRESS, { id: customerId });
    if (!current.ok) return failed(current);
    if (!current.data.customer) return { kind: 'retry', reason: 'The Shopify customer was deleted or merged during the sync.', throttled: false };
    const addressId = current.data.customer.defaultAddress?.id;
    const step = addressId
      ? await mutate(call, CUSTOMER_ADDRESS_UPDATE, { customerId, addressId, address }, 'customerAddressUpdate', 'address')
      : await mutate(call, CUSTOMER_ADDRESS_CREATE, { customerId, address }, 'customerAddressCreate', 'address');
    if (!step.ok) return step.outcome;
    const metafield = await mutate(
      call,
      METAFIELDS_SET,
      { metafields: [{ ownerId: customerId, key: METAFIELDS.postalAddress.key, type: METAFIELDS.postalAddress.type, value: lead.address }] },
      'metafieldsSet',
      'metafields',
    );
    if (!metafield.ok) return metafield.outcome;
  }
  return { kind: 'synced', customerId };
}
