import { postalAddressJson } from '../../../schema/contact-fields.js';
import { syncError } from '../../../schema/sync-errors.js';
import { CUSTOMER_TAG, CUSTOM_FIELD_KINDS, type CustomFieldKind, METAFIELDS, METAFIELD_TYPE_OF } from '../../../schema/fields.js';
import { addressColumn, answersColumn, parseJsonColumn, tagsColumn } from '../storage/json-column.js';
import type { Lead } from '../storage/tables.js';
import type { AdminResult } from './admin-client.js';
import { COUNTRY_CODES } from './country-codes.js';
import {
  CUSTOMER_ADDRESS_CREATE,
  CUSTOMER_ADDRESS_UPDATE,
  CUSTOMER_APP_METAFIELDS,
  CUSTOMER_CREATE,
  CUSTOMER_DEFAULT_ADDRESS,
  CUSTOMER_FOR_SYNC,
  CUSTOMER_SET,
  CUSTOMER_UPDATE,
  EMAIL_CONSENT_UPDATE,
  METAFIELDS_SET,
  METAFIELD_DEFINITION_CREATE,
  SMS_CONSENT_UPDATE,
  TAGS_ADD,
  WHATSAPP_CONSENT_UPDATE,
} from './operations.js';
import { checkOrderOwner, claimFromText } from './order-owner.js';
import { type ProposedChanges, type SyncWarning, parseProposedChanges } from './proposed-changes.js';
import { type Droppable, type Mutation, decide } from './user-errors.js';

/**
 * The Shopify writes for one consenting lead, in order. Each step is idempotent (upsert by email, metafieldsSet,
 * consent set to a state, tagsAdd), so a job retried after a crash or a timeout repeats nothing visible.
 */
export type Call = <T>(query: string, variables: Record<string, unknown>) => Promise<AdminResult<T>>;

export type SyncOutcome =
  /** `warnings`: values Shopify refused while the rest synced; `proposed`: replaces the lead's proposed changes when given. */
  | { kind: 'synced'; customerId: string; warnings?: SyncWarning[]; proposed?: ProposedChanges | null }
  | { kind: 'rejected'; reason: string }
  | { kind: 'retry'; reason: string; throttled: boolean }
  | { kind: 'unauthorized'; reason: string };

interface UserError {
  field?: string[] | null;
  message: string;
  code?: string | null;
  elementIndex?: number | null;
}

export interface ConsentProof {
  text: string | null;
  text_sha256: string | null;
  locale: string;
  page: string | null;
  recorded_at: string;
  /** CONFIRMED_OPT_IN for a double opt-in confirmation: written as such, at its own time. */
  opt_in_level?: string;
}

type Step<T> = { ok: true; value: T } | { ok: false; outcome: SyncOutcome };

/** Shopify's userErrors in its own words (its messages, codes and fields), for a stored sync error's parameter. */
function userErrorText(errors: UserError[]): string {
  const parts = errors.map((e) => `${e.message}${e.code ? ` (${e.code}${e.field?.length ? `, field ${e.field.join('.')}` : ''})` : ''}`);
  return parts.join('; ').slice(0, 1000);
}

function describe(errors: UserError[], what: string): string {
  return syncError('rejected', { what, errors: userErrorText(errors) });
}

const customerGone = (errors: UserError[]) => syncError('customer_gone', { errors: userErrorText(errors) });

function failed(result: Exclude<AdminResult<unknown>, { ok: true }>): SyncOutcome {
  switch (result.kind) {
    case 'throttled':
      return { kind: 'retry', reason: syncError('throttled'), throttled: true };
    case 'transient':
      return { kind: 'retry', reason: syncError('shopify_unavailable', { detail: result.detail }), throttled: false };
    case 'unauthorized':
      return { kind: 'unauthorized', reason: syncError('token_refused', { detail: result.detail }) };
    case 'graphql':
      return { kind: 'rejected', reason: syncError('request_refused', { detail: result.detail }) };
  }
}

/**
 * The customer id from customerSet can vanish before the next step: a merchant deletes or merges the customer in
 * the admin. That is not the lead's fault; the job is retried, and the retry's customerSet finds (or recreates) the
 * customer who now holds the email.
 */
const CUSTOMER_GONE = /owner does not exist|customer not found|resource not found|does not exist/i;

async function mutate<P extends { userErrors: UserError[] }>(
  call: Call,
  query: string,
  variables: Record<string, unknown>,
  field: string,
  what: string,
): Promise<Step<P>> {
  const result = await call<Record<string, P | null>>(query, variables);
  if (!result.ok) return { ok: false, outcome: failed(result) };
  const payload = result.data[field];
  if (!payload) return { ok: false, outcome: { kind: 'rejected', reason: syncError('no_payload', { what: field }) } };
  if (payload.userErrors.length) {
    const gone = field !== 'customerSet' && payload.userErrors.every((e) => CUSTOMER_GONE.test(e.message));
    const reason = describe(payload.userErrors, what);
    return {
      ok: false,
      outcome: gone ? { kind: 'retry', reason: customerGone(payload.userErrors), throttled: false } : { kind: 'rejected', reason },
    };
  }
  return { ok: true, value: payload };
}

function parseAnswers(json: string | null): Array<{ key: string; kind: CustomFieldKind; value: string; held?: string }> {
  // An answer of a kind the app does not write is skipped rather than sent with a type Shopify would refuse.
  return (parseJsonColumn(answersColumn, json) ?? []).filter((a): a is typeof a & { kind: CustomFieldKind } =>
    (CUSTOM_FIELD_KINDS as readonly string[]).includes(a.kind),
  );
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
  add(METAFIELDS.attachment, lead.attachment_file_id);
  // A held answer (unsigned spec, an app key, past the definitions cap) stays on the lead only.
  for (const answer of parseAnswers(lead.answers)) if (!answer.held) out.push({ key: answer.key, type: METAFIELD_TYPE_OF[answer.kind], value: answer.value });
  return out;
}

/**
 * Answers given at purchase time land only on the customer proven to have placed the order: Shopify's own
 * orders/create payload, or a thank-you post whose buyer was checked against the order (at intake, or here when
 * Shopify could not say then). An unproven lead's order is never looked up: its answers stay on the lead. Names,
 * email and marketing consent stay as checkout set them; the shopper's consent here is to keep the answers on their
 * profile, and it is recorded as the proof metafield.
 */
async function syncPurchase(call: Call, lead: Lead, consent: ConsentProof | null): Promise<SyncOutcome> {
  const buyer = await provenBuyer(call, lead);
  if ('outcome' in buyer) return buyer.outcome;
  let customerId = buyer.customerId;
  const email = buyer.email;
  if (!customerId && email) {
    const set = await mutate<{ userErrors: UserError[]; customer: { id: string } | null }>(
      call,
      CUSTOMER_SET,
      { email, input: { email } },
      'customerSet',
      'customer',
    );
    if (!set.ok) return set.outcome;
    customerId = set.value.customer?.id ?? null;
  }
  if (!customerId) return { kind: 'rejected', reason: syncError('order_no_customer') };
  // Only a signed-in buyer's own answers may overwrite: a guest's order is tied to whoever holds its email (Shopify
  // attaches it so, and anyone can type an email at checkout), so theirs only fill what is empty.
  if (lead.buyer_proof !== 'customer') {
    const warnings: Warnings = [];
    const changes: ProposedChanges['changes'] = [];
    const filled = await fillMetafields(call, customerId, metafieldsOf(lead, consent), warnings, changes, new Set());
    if (!filled.ok) return filled.outcome;
    const tags = await mutate(call, TAGS_ADD, { id: customerId, tags: [CUSTOMER_TAG] }, 'tagsAdd', 'tags');
    if (!tags.ok) return tags.outcome;
    return outcomeOf(customerId, warnings, changes.length ? { customer_id: customerId, found_at: new Date().toISOString(), changes, accepted: null } : null);
  }
  // The buyer's own answers overwrite, but one Shopify refuses (a merchant's validation) is left out with a warning,
  // as for the contact form, instead of failing the rest.
  const warnings: Warnings = [];
  const metafields = metafieldsOf(lead, consent);
  if (metafields.length) {
    const written = await writeMetafields(call, customerId, metafields, warnings);
    if (!written.ok) return written.outcome;
  }
  const tags = await mutate(call, TAGS_ADD, { id: customerId, tags: [CUSTOMER_TAG] }, 'tagsAdd', 'tags');
  if (!tags.ok) return tags.outcome;
  return outcomeOf(customerId, warnings, undefined);
}

/** The customer (or, for a guest's order, the email) a purchase lead's answers may go to, or why they may not. */
async function provenBuyer(call: Call, lead: Lead): Promise<{ customerId: string | null; email: string | null } | { outcome: SyncOutcome }> {
  switch (lead.buyer_proof) {
    case 'webhook':
    case 'customer':
      return { customerId: lead.shopify_customer_id, email: lead.email || null };
    case 'checkout_token':
    case 'pending': {
      if (lead.shopify_customer_id) return { customerId: lead.shopify_customer_id, email: null };
      const claim = claimFromText(lead.buyer_claim);
      if (!claim || !lead.order_id) break;
      const check = await checkOrderOwner(call, lead.order_id, claim);
      if (check.kind === 'owner') return { customerId: check.customerId, email: check.email };
      if (check.kind === 'unavailable') return { outcome: failed(check.result) };
      if (check.kind === 'order_not_found')
        return {
          outcome: { kind: 'retry', reason: syncError('order_not_visible'), throttled: false },
        };
      return { outcome: { kind: 'rejected', reason: syncError('order_not_buyers') } };
    }
  }
  return { outcome: { kind: 'rejected', reason: syncError('buyer_unproven') } };
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
      definition: {
        name,
        namespace: '$app',
        key: field.key,
        type: field.type,
        ownerType: 'CUSTOMER',
        // The customer sees and edits their own answers in their account's profile block (extensions/customer-account).
        access: { admin: 'MERCHANT_READ_WRITE', customerAccount: 'READ_WRITE', storefront: 'NONE' },
      },
    });
    if (!result.ok) return { defined, outcome: failed(result) };
    const errors = result.data.metafieldDefinitionCreate?.userErrors ?? [];
    if (!errors.length || errors.every((e) => e.code === 'TAKEN')) defined.push(field.key);
  }
  return { defined, outcome: null };
}

/**
 * Who may change what (README "Who may change a Shopify customer"). A submission is VERIFIED for a customer when the
 * proxy's signed `logged_in_customer_id` is that customer; a customer the app creates for the lead is the lead's own.
 * Anything else is UNVERIFIED: the email is only what someone typed, so it records consent, adds tags and fills the
 * app metafields that are empty; every value it would overwrite is kept on the lead as a proposed change for staff.
 */
export function submittedBy(lead: Pick<Lead, 'logged_in_customer_id'>, customerId: string): boolean {
  const id = lead.logged_in_customer_id;
  return Boolean(id && /^\d+$/.test(id) && customerId === `gid://shopify/Customer/${id}`);
}

/**
 * Metafields that describe the submission itself rather than the customer (the consent it records, its message and
 * form): written on every sync, as the consent and the tag are. The other metafields (company, birthday, postal
 * address, the merchant's questions) are about the person and follow the fill-empty rule.
 */
const SUBMISSION_RECORD: ReadonlySet<string> = new Set([
  METAFIELDS.consentProof.key,
  METAFIELDS.lastMessage.key,
  METAFIELDS.sourceForm.key,
  // The file is the submission's own, like its message: the latest one is written even for an unverified sender.
  METAFIELDS.attachment.key,
]);

type Warnings = SyncWarning[];

/**
 * Whether a consenting lead's marketing consent is written to a channel: always for the customer's own submission (or
 * one the app created); for anyone else, only where the customer has not chosen yet. `kept` = already subscribed (the
 * customer's own consent and its proof stay), `opted_out` = unsubscribed (left so, with a warning for staff).
 */
function marketingDecision(verified: boolean, state: string | null): 'write' | 'kept' | 'opted_out' {
  if (verified) return 'write';
  if (state === 'UNSUBSCRIBED') return 'opted_out';
  if (state === 'SUBSCRIBED') return 'kept';
  return 'write';
}

interface Written<P> {
  /** null when nothing was left to write. */
  payload: P | null;
  dropped: Set<Droppable>;
  /** Values another writer set first (compareDigest): theirs stays. */
  taken: Set<Droppable>;
}

/**
 * One mutation, with Shopify's userErrors decided by user-errors.ts: a value refused on its own is left out and the
 * write tried again (the lead keeps the value, staff get a warning); anything about the customer as a whole fails.
 */
async function write<P extends { userErrors: UserError[] }>(
  call: Call,
  mutation: Mutation,
  query: string,
  build: (dropped: ReadonlySet<Droppable>) => Record<string, unknown> | null,
  what: string,
  warnings: Warnings,
  keys: (dropped: ReadonlySet<Droppable>) => string[] = () => [],
): Promise<Step<Written<P>> | { ok: true; value: 'exists' }> {
  const dropped = new Set<Droppable>();
  const taken = new Set<Droppable>();
  // Each round drops at least one more value, so this ends; the bound is a guard against a confused answer.
  for (let round = 0; round < 8; round++) {
    const variables = build(dropped);
    if (!variables) return { ok: true, value: { payload: null, dropped, taken } };
    const result = await call<Record<string, P | null>>(query, variables);
    if (!result.ok) return { ok: false, outcome: failed(result) };
    const payload = result.data[mutation];
    if (!payload) return { ok: false, outcome: { kind: 'rejected', reason: syncError('no_payload', { what: mutation }) } };
    if (!payload.userErrors.length) return { ok: true, value: { payload, dropped, taken } };
    const decisions = payload.userErrors.map((error) => ({ error, ...decide(mutation, error, keys(dropped)) }));
    const reason = describe(payload.userErrors, what);
    if (decisions.some((d) => d.verdict === 'customer')) return { ok: false, outcome: { kind: 'rejected', reason } };
    if (decisions.some((d) => d.verdict === 'gone'))
      return { ok: false, outcome: { kind: 'retry', reason: customerGone(payload.userErrors), throttled: false } };
    if (decisions.some((d) => d.verdict === 'transient')) return { ok: false, outcome: { kind: 'retry', reason, throttled: false } };
    if (decisions.some((d) => d.verdict === 'exists' && !d.drop)) return { ok: true, value: 'exists' };
    let progress = false;
    for (const d of decisions) {
      if (!d.drop || dropped.has(d.drop)) continue;
      dropped.add(d.drop);
      progress = true;
      if (d.verdict === 'exists') taken.add(d.drop);
      else warnings.push({ field: d.drop, code: d.error.code ?? null, message: d.error.message.slice(0, 300) });
    }
    if (!progress) return { ok: false, outcome: { kind: 'rejected', reason } };
  }
  return { ok: false, outcome: { kind: 'rejected', reason: syncError('kept_refusing', { what }) } };
}

interface CustomerSnapshot {
  id: string;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  defaultAddress: Record<string, string | null> | null;
  /**
   * Marketing states as Shopify holds them (SUBSCRIBED, UNSUBSCRIBED, NOT_SUBSCRIBED or, for channels read on the
   * phone number, NEVER_SUBSCRIBED, ...); null when unknown. Only UNSUBSCRIBED changes what the sync does.
   */
  emailState: string | null;
  smsState: string | null;
  whatsAppState: string | null;
}

async function findCustomer(call: Call, email: string): Promise<Step<CustomerSnapshot | null>> {
  type Found = {
    id: string;
    firstName: string | null;
    lastName: string | null;
    defaultPhoneNumber: { phoneNumber: string; smsMarketingConsent?: { state: string } | null; whatsAppMarketingConsent?: { state: string } | null } | null;
    defaultEmailAddress?: { marketingState?: string | null } | null;
    defaultAddress: Record<string, string | null> | null;
  };
  const result = await call<{ customerByIdentifier: Found | null }>(CUSTOMER_FOR_SYNC, { email });
  if (!result.ok) return { ok: false, outcome: failed(result) };
  const c = result.data.customerByIdentifier;
  return {
    ok: true,
    value: c
      ? {
          id: c.id,
          firstName: c.firstName,
          lastName: c.lastName,
          phone: c.defaultPhoneNumber?.phoneNumber ?? null,
          defaultAddress: c.defaultAddress,
          emailState: c.defaultEmailAddress?.marketingState ?? null,
          smsState: c.defaultPhoneNumber?.smsMarketingConsent?.state ?? null,
          whatsAppState: c.defaultPhoneNumber?.whatsAppMarketingConsent?.state ?? null,
        }
      : null,
  };
}

/** The lead's address as Shopify's MailingAddressInput, or null (with a warning when Shopify could not take it at all). */
function addressFor(lead: Pick<Lead, 'address' | 'first_name' | 'last_name'>, warnings: Warnings): Record<string, string> | null {
  const address = mailingAddress(lead);
  if (address?.countryCode && !COUNTRY_CODES.has(address.countryCode)) {
    // Sent anyway, the whole request would fail schema validation, not just the address.
    warnings.push({ field: 'address', code: 'INCLUSION', message: `Country ${address.countryCode} is not a country code Shopify knows` });
    return null;
  }
  return address;
}

const ADDRESS_KEYS = ['address1', 'address2', 'city', 'zip', 'provinceCode'] as const;

/** The customer's default address in the lead's address shape, for proposed changes. */
function leadAddressOf(a: Record<string, string | null>): string {
  // '{}' for a default address without any part, as it read before the lead's shape had one builder.
  return (
    postalAddressJson({ address1: a.address1, address2: a.address2, city: a.city, province: a.provinceCode, zip: a.zip, country: a.countryCodeV2 }) ?? '{}'
  );
}

function sameAddress(current: Record<string, string | null> | null | undefined, wanted: Record<string, string>): boolean {
  if (!current) return false;
  const norm = (v: string | null | undefined) => (v ?? '').trim().toLowerCase();
  return ADDRESS_KEYS.every((k) => norm(current[k]) === norm(wanted[k])) && norm(current.countryCodeV2) === norm(wanted.countryCode);
}

/**
 * The address becomes the customer's default address: the current default is updated in place, or one is created.
 * A correction and a verified submission take the same path, so both end with the same record.
 */
async function writeDefaultAddress(call: Call, customerId: string, address: Record<string, string>, warnings: Warnings): Promise<Step<null>> {
  const current = await call<{ customer: { defaultAddress: ({ id: string } & Record<string, string | null>) | null } | null }>(CUSTOMER_DEFAULT_ADDRESS, {
    id: customerId,
  });
  if (!current.ok) return { ok: false, outcome: failed(current) };
  if (!current.data.customer) return { ok: false, outcome: { kind: 'retry', reason: syncError('customer_gone'), throttled: false } };
  const existing = current.data.customer.defaultAddress;
  if (sameAddress(existing, address)) return { ok: true, value: null };
  const step = existing
    ? await write(
        call,
        'customerAddressUpdate',
        CUSTOMER_ADDRESS_UPDATE,
        (d) => (d.has('address') ? null : { customerId, addressId: existing.id, address }),
        'address',
        warnings,
      )
    : await write(call, 'customerAddressCreate', CUSTOMER_ADDRESS_CREATE, (d) => (d.has('address') ? null : { customerId, address }), 'address', warnings);
  return step.ok ? { ok: true, value: null } : step;
}

/** metafieldsSet for a list of values, leaving out any value Shopify refuses on its own. */
async function writeMetafields(
  call: Call,
  customerId: string,
  metafields: Array<MetafieldValue & { compareDigest?: null }>,
  warnings: Warnings,
): Promise<Step<Set<Droppable>>> {
  const kept = (d: ReadonlySet<Droppable>) => metafields.filter((m) => !d.has(`metafield:${m.key}`));
  const step = await write(
    call,
    'metafieldsSet',
    METAFIELDS_SET,
    (d) => (kept(d).length ? { metafields: kept(d).map((m) => ({ ownerId: customerId, ...m })) } : null),
    'metafields',
    warnings,
    (d) => kept(d).map((m) => m.key),
  );
  if (!step.ok) return step;
  if (step.value === 'exists') return { ok: false, outcome: { kind: 'rejected', reason: syncError('metafields_refused') } };
  return { ok: true, value: step.value.taken };
}

async function createCustomer(
  call: Call,
  lead: Lead,
  address: Record<string, string> | null,
  warnings: Warnings,
): Promise<Step<{ id: string; phone: boolean } | 'exists'>> {
  const build = (d: ReadonlySet<Droppable>) => {
    const input: Record<string, unknown> = { email: lead.email };
    if (lead.first_name && !d.has('first_name')) input.firstName = lead.first_name;
    if (lead.last_name && !d.has('last_name')) input.lastName = lead.last_name;
    if (lead.phone && !d.has('phone')) input.phone = lead.phone;
    if (lead.locale && !d.has('locale')) input.locale = lead.locale;
    return { input };
  };
  const step = await write<{ userErrors: UserError[]; customer: { id: string } | null }>(call, 'customerCreate', CUSTOMER_CREATE, build, 'customer', warnings);
  if (!step.ok) return step;
  if (step.value === 'exists') return { ok: true, value: 'exists' };
  const id = step.value.payload?.customer?.id;
  if (!id) return { ok: false, outcome: { kind: 'rejected', reason: syncError('no_customer_id') } };
  // `CustomerInput.addresses` is deprecated in 2026-10 for the address mutations, so the address is a second write,
  // straight after the first. A retry after a crash between the two finds the customer existing, and the address of
  // an unverified lead then waits for staff as a proposed change instead of being written.
  if (address) {
    const placed = await write(
      call,
      'customerAddressCreate',
      CUSTOMER_ADDRESS_CREATE,
      (d) => (d.has('address') ? null : { customerId: id, address }),
      'address',
      warnings,
    );
    if (!placed.ok) return placed;
  }
  return { ok: true, value: { id, phone: Boolean(lead.phone) && !step.value.dropped.has('phone') } };
}

/** What the lead would change on the customer, for staff to apply (an unverified submission may not). */
function contactDifferences(lead: Lead, customer: CustomerSnapshot, address: Record<string, string> | null): ProposedChanges['changes'] {
  const changes: ProposedChanges['changes'] = [];
  const differ = (proposed: string | null | undefined, current: string | null) => typeof proposed === 'string' && proposed !== '' && proposed !== current;
  if (differ(lead.first_name, customer.firstName)) changes.push({ field: 'first_name', current: customer.firstName, proposed: lead.first_name! });
  if (differ(lead.last_name, customer.lastName)) changes.push({ field: 'last_name', current: customer.lastName, proposed: lead.last_name! });
  if (differ(lead.phone, customer.phone)) changes.push({ field: 'phone', current: customer.phone, proposed: lead.phone! });
  if (address && lead.address && !sameAddress(customer.defaultAddress, address)) {
    changes.push({ field: 'address', current: customer.defaultAddress ? leadAddressOf(customer.defaultAddress) : null, proposed: lead.address });
  }
  return changes;
}

/** Fills the app metafields the customer does not have; a value it has and the lead would change becomes a proposal. */
async function fillMetafields(
  call: Call,
  customerId: string,
  metafields: MetafieldValue[],
  warnings: Warnings,
  changes: ProposedChanges['changes'],
  overwrite: ReadonlySet<string>,
): Promise<Step<null>> {
  if (!metafields.length) return { ok: true, value: null };
  const read = await call<{ customer: { metafields: { nodes: Array<{ key: string; value: string }> } } | null }>(CUSTOMER_APP_METAFIELDS, { id: customerId });
  if (!read.ok) return { ok: false, outcome: failed(read) };
  if (!read.data.customer) return { ok: false, outcome: { kind: 'retry', reason: syncError('customer_gone'), throttled: false } };
  const current = new Map(read.data.customer.metafields.nodes.map((m) => [m.key, m.value]));
  const writes: Array<MetafieldValue & { compareDigest?: null }> = [];
  for (const m of metafields) {
    const value = current.get(m.key);
    if (overwrite.has(m.key)) writes.push(m);
    // compareDigest null: written only if the value still does not exist, so a race cannot overwrite either.
    else if (value === undefined) writes.push({ ...m, compareDigest: null });
    // The submission's own record (its proof, message, form) stays on the lead; only the person's values are proposed.
    else if (value !== m.value && !SUBMISSION_RECORD.has(m.key)) changes.push({ field: `metafield:${m.key}`, current: value, proposed: m.value });
  }
  if (!writes.length) return { ok: true, value: null };
  const step = await writeMetafields(call, customerId, writes, warnings);
  if (!step.ok) return step;
  for (const drop of step.value) {
    const m = writes.find((w) => `metafield:${w.key}` === drop);
    if (m) changes.push({ field: drop, current: null, proposed: m.value });
  }
  return { ok: true, value: null };
}

const outcomeOf = (customerId: string, warnings: Warnings, proposed: ProposedChanges | null | undefined): SyncOutcome => ({
  kind: 'synced',
  customerId,
  ...(warnings.length ? { warnings } : {}),
  ...(proposed === undefined ? {} : { proposed }),
});

export async function syncLead(call: Call, lead: Lead, proof: ConsentProof | null): Promise<SyncOutcome> {
  if (lead.source !== 'contact_form') return syncPurchase(call, lead, proof);
  // Double opt-in not confirmed yet, the shop keeping the contact: the customer is written, but no marketing consent
  // on any channel and no consent proof; the confirmation queues this lead again, and that sync writes them.
  const awaitingConfirmation = lead.doi_state === 'pending';
  const consent = awaitingConfirmation ? null : proof;
  const warnings: Warnings = [];
  const address = addressFor(lead, warnings);

  const found = await findCustomer(call, lead.email);
  if (!found.ok) return found.outcome;
  let customer = found.value;
  let created = false;
  let phoneOnCustomer = false;
  if (!customer) {
    const made = await createCustomer(call, lead, address, warnings);
    if (!made.ok) return made.outcome;
    if (made.value === 'exists') {
      // Someone created the customer since we looked: they are now an existing customer like any other.
      const again = await findCustomer(call, lead.email);
      if (!again.ok) return again.outcome;
      if (!again.value) return { kind: 'retry', reason: syncError('email_taken_pending'), throttled: false };
      customer = again.value;
      warnings.length = 0;
      if (lead.address && !address) addressFor(lead, warnings);
    } else {
      created = true;
      phoneOnCustomer = made.value.phone;
      customer = {
        id: made.value.id,
        firstName: null,
        lastName: null,
        phone: null,
        defaultAddress: null,
        emailState: null,
        smsState: null,
        whatsAppState: null,
      };
    }
  }
  const customerId = customer.id;
  const verified = created || submittedBy(lead, customerId);
  const changes: ProposedChanges['changes'] = [];

  if (!created && verified) {
    const update = await write(
      call,
      'customerUpdate',
      CUSTOMER_UPDATE,
      (d) => {
        const input: Record<string, unknown> = { id: customerId };
        if (lead.first_name && !d.has('first_name')) input.firstName = lead.first_name;
        if (lead.last_name && !d.has('last_name')) input.lastName = lead.last_name;
        if (lead.phone && !d.has('phone')) input.phone = lead.phone;
        if (lead.locale && !d.has('locale')) input.locale = lead.locale;
        return { input };
      },
      'customer',
      warnings,
    );
    if (!update.ok) return update.outcome;
    if (update.value === 'exists') return { kind: 'rejected', reason: syncError('customer_update_refused') };
    phoneOnCustomer = Boolean(lead.phone) && !update.value.dropped.has('phone');
    if (address) {
      const placed = await writeDefaultAddress(call, customerId, address, warnings);
      if (!placed.ok) return placed.outcome;
    }
  } else if (!created) {
    changes.push(...contactDifferences(lead, customer, address));
    phoneOnCustomer = Boolean(lead.phone) && lead.phone === customer.phone;
  }

  // An unverified sender may give consent for a customer who never chose, but never re-subscribe one who opted out,
  // and never replace the proof of a consent the customer already gave (the lead keeps its own record either way).
  const email = awaitingConfirmation ? 'waits' : marketingDecision(verified, customer.emailState);
  const metafields = metafieldsOf(lead, consent);
  if (verified) {
    const set = metafields.length ? await writeMetafields(call, customerId, metafields, warnings) : ({ ok: true, value: new Set() } as const);
    if (!set.ok) return set.outcome;
  } else {
    const filled = await fillMetafields(
      call,
      customerId,
      metafields,
      warnings,
      changes,
      email === 'write' ? new Set([METAFIELDS.consentProof.key]) : new Set(),
    );
    if (!filled.ok) return filled.outcome;
  }

  if (email === 'write') {
    const consentStep = await write(
      call,
      'customerEmailMarketingConsentUpdate',
      EMAIL_CONSENT_UPDATE,
      () => ({
        input: {
          customerId,
          emailMarketingConsent:
            consent?.opt_in_level === 'CONFIRMED_OPT_IN'
              ? { marketingState: 'SUBSCRIBED', marketingOptInLevel: 'CONFIRMED_OPT_IN', consentUpdatedAt: consent.recorded_at }
              : { marketingState: 'SUBSCRIBED', marketingOptInLevel: 'SINGLE_OPT_IN', consentUpdatedAt: lead.created_at },
        },
      }),
      'marketing consent',
      warnings,
    );
    if (!consentStep.ok) return consentStep.outcome;
  } else if (email === 'opted_out') {
    warnings.push({
      field: 'email_consent',
      code: 'UNSUBSCRIBED',
      message: 'The customer had unsubscribed; a submission that is not signed in as them does not subscribe them again.',
    });
  }

  if (lead.sms_consent === 1 && lead.phone && !awaitingConfirmation) {
    const sms = marketingDecision(verified, customer.smsState);
    if (!phoneOnCustomer) {
      // SMS consent belongs to a phone number: the customer's is not the one this shopper gave.
      warnings.push({ field: 'sms_consent', code: 'PHONE_NOT_ON_CUSTOMER', message: "The customer's phone is not the one given with this consent." });
    } else if (sms === 'opted_out') {
      warnings.push({
        field: 'sms_consent',
        code: 'UNSUBSCRIBED',
        message: 'The customer had unsubscribed from SMS; a submission that is not signed in as them does not subscribe them again.',
      });
    } else if (sms === 'write') {
      const step = await write(
        call,
        'customerSmsMarketingConsentUpdate',
        SMS_CONSENT_UPDATE,
        (d) =>
          d.has('sms_consent')
            ? null
            : {
                input: {
                  customerId,
                  smsMarketingConsent: { marketingState: 'SUBSCRIBED', marketingOptInLevel: 'SINGLE_OPT_IN', consentUpdatedAt: lead.created_at },
                },
              },
        'SMS marketing consent',
        warnings,
      );
      if (!step.ok) return step.outcome;
    }
  }

  if (lead.whatsapp_consent === 1 && lead.phone && !awaitingConfirmation) {
    const step = await writeWhatsAppConsent(call, lead, customerId, verified, customer.whatsAppState, phoneOnCustomer, warnings);
    if (!step.ok) return step.outcome;
  }

  const merchantTags = parseJsonColumn(tagsColumn, lead.tags) ?? [];
  const tags = await write(
    call,
    'tagsAdd',
    TAGS_ADD,
    (d) => ({ id: customerId, tags: d.has('tags') ? [CUSTOMER_TAG] : [CUSTOMER_TAG, ...merchantTags] }),
    'tags',
    warnings,
  );
  if (!tags.ok) return tags.outcome;

  const proposed = changes.length ? { customer_id: customerId, found_at: new Date().toISOString(), changes, accepted: null } : null;
  return outcomeOf(customerId, warnings, proposed);
}

/**
 * WhatsApp marketing consent (2026-07), held on the customer's phone number like SMS and decided the same way: only
 * for the phone the shopper gave, never re-subscribing someone who opted out unless they are the signed-in customer.
 * Its input is the channel-neutral CustomerMarketingConsentInput (`state`, `optInLevel`, `updatedAt`).
 */
async function writeWhatsAppConsent(
  call: Call,
  lead: Lead,
  customerId: string,
  verified: boolean,
  state: string | null,
  phoneOnCustomer: boolean,
  warnings: Warnings,
): Promise<Step<unknown>> {
  if (!phoneOnCustomer) {
    warnings.push({ field: 'whatsapp_consent', code: 'PHONE_NOT_ON_CUSTOMER', message: "The customer's phone is not the one given with this consent." });
    return { ok: true, value: null };
  }
  const decision = marketingDecision(verified, state);
  if (decision === 'opted_out') {
    warnings.push({
      field: 'whatsapp_consent',
      code: 'UNSUBSCRIBED',
      message: 'The customer had unsubscribed from WhatsApp; a submission that is not signed in as them does not subscribe them again.',
    });
    return { ok: true, value: null };
  }
  if (decision === 'kept') return { ok: true, value: null };
  return write(
    call,
    'customerWhatsAppMarketingConsentUpdate',
    WHATSAPP_CONSENT_UPDATE,
    (d) =>
      d.has('whatsapp_consent')
        ? null
        : { input: { customerId, whatsAppMarketingConsent: { state: 'SUBSCRIBED', optInLevel: 'SINGLE_OPT_IN', updatedAt: lead.created_at } } },
    'WhatsApp marketing consent',
    warnings,
  );
}

/** Shopify's MailingAddressInput from the lead's address; province only when it is a code Shopify would accept. */
export function mailingAddress(lead: Pick<Lead, 'address' | 'first_name' | 'last_name'>): Record<string, string> | null {
  const a = parseJsonColumn(addressColumn, lead.address);
  if (!a) return null;
  const out: Record<string, string> = {};
  for (const key of ['address1', 'address2', 'city', 'zip'] as const) if (a[key]) out[key] = a[key];
  if (a.country) out.countryCode = a.country.toUpperCase();
  if (a.province && /^[A-Z0-9]{1,3}$/i.test(a.province)) out.provinceCode = a.province.toUpperCase();
  if (lead.first_name) out.firstName = lead.first_name;
  if (lead.last_name) out.lastName = lead.last_name;
  return out;
}

/**
 * A staff member's change reaching the Shopify customer, by id (the email may be what changed, so an upsert by email
 * would make a second customer); the address becomes the default address, updated in place or created.
 * Two kinds: staff applying proposed changes (only those fields, with the values the proposal showed), or a
 * correction of the lead (the whole contact as staff set it). A lead that never reached Shopify takes the first sync.
 */
export async function syncCorrection(call: Call, lead: Lead, consent: ConsentProof | null): Promise<SyncOutcome> {
  const customerId = lead.shopify_customer_id;
  if (!customerId) return syncLead(call, lead, consent);
  const warnings: Warnings = [];
  const proposal = parseProposedChanges(lead.proposed_changes);
  const accepted = proposal?.accepted ? new Set<string>(proposal.accepted.fields) : null;
  const proposedValue = (field: string) => proposal?.changes.find((c) => c.field === field)?.proposed ?? null;
  const wants = (field: string) => (accepted ? accepted.has(field) && proposedValue(field) !== null : true);

  const update = await write(
    call,
    'customerUpdate',
    CUSTOMER_UPDATE,
    (d) => {
      const input: Record<string, unknown> = { id: customerId };
      if (accepted) {
        for (const [field, name] of [
          ['first_name', 'firstName'],
          ['last_name', 'lastName'],
          ['phone', 'phone'],
        ] as const)
          if (wants(field) && !d.has(field)) input[name] = proposedValue(field);
      } else {
        input.email = lead.email;
        if (!d.has('first_name')) input.firstName = lead.first_name;
        if (!d.has('last_name')) input.lastName = lead.last_name;
        if (!d.has('phone')) input.phone = lead.phone;
      }
      return Object.keys(input).length > 1 ? { input } : null;
    },
    accepted ? 'proposed changes' : 'corrected contact',
    warnings,
  );
  if (!update.ok) return update.outcome;

  const addressJson = accepted ? (wants('address') ? proposedValue('address') : null) : lead.address;
  const address = addressJson ? addressFor({ address: addressJson, first_name: lead.first_name, last_name: lead.last_name }, warnings) : null;
  if (address) {
    const placed = await writeDefaultAddress(call, customerId, address, warnings);
    if (!placed.ok) return placed.outcome;
  }
  const metafields: MetafieldValue[] = [];
  if (addressJson) metafields.push({ key: METAFIELDS.postalAddress.key, type: METAFIELDS.postalAddress.type, value: addressJson });
  if (accepted) {
    const types = new Map(metafieldsOf(lead, consent).map((m) => [m.key, m.type]));
    for (const field of accepted) {
      const key = field.startsWith('metafield:') ? field.slice('metafield:'.length) : null;
      const value = proposedValue(field);
      const type = key ? types.get(key) : undefined;
      if (key && value !== null && type && key !== METAFIELDS.postalAddress.key) metafields.push({ key, type, value });
      else if (key === METAFIELDS.postalAddress.key && value !== null && !addressJson) metafields.push({ key, type: METAFIELDS.postalAddress.type, value });
    }
  }
  if (metafields.length) {
    const set = await writeMetafields(call, customerId, metafields, warnings);
    if (!set.ok) return set.outcome;
  }
  // What is left to propose: a staff correction wrote the whole contact, so only metafield proposals remain.
  const remaining = proposal?.changes.filter((c) => (accepted ? !accepted.has(c.field) : c.field.startsWith('metafield:'))) ?? [];
  return outcomeOf(customerId, warnings, proposal ? (remaining.length ? { ...proposal, changes: remaining, accepted: null } : null) : undefined);
}
