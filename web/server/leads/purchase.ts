import { type CustomFieldKind, METAFIELDS, METAFIELD_KEY } from '../../../schema/fields.js';
import {
  ATTRIBUTE_PREFIX,
  CONSENT_ATTRIBUTE,
  CONSENT_GRANTED,
  CONSENT_TEXT_ATTRIBUTE,
  CUSTOM_KINDS_ATTRIBUTE,
  LOCALE_ATTRIBUTE,
  PURCHASE_QUESTIONS,
  attributeFor,
  parseCustomKinds,
} from '../../../schema/purchase-questions.js';
import { checkField, stripControls } from '../../../schema/rules.js';
import type { Submission } from '../../../schema/submission.js';
import type { BuyerProof, LeadSource } from '../storage/tables.js';
import type { IntakeInput } from './intake.js';

/**
 * Purchase answers (cart attributes on an order, or a thank-you page post) read with the shared catalogue
 * (schema/purchase-questions.ts): each value is checked with the same rules as on the page, and a value that fails is
 * left out rather than written to the customer. Keys the app writes itself can never be claimed by a custom field.
 */
export interface PurchaseAnswers {
  answers: Array<{ key: string; kind: CustomFieldKind; value: string }>;
  consent: boolean;
  consentText: string | null;
  locale: string | null;
  /** Values dropped because they failed their rule (counted, never logged). */
  rejected: number;
}

const RESERVED_KEYS = new Set<string>(Object.values(METAFIELDS).map((m) => m.key));
const CUSTOM_PREFIX = `${ATTRIBUTE_PREFIX}custom_`;

export function readPurchaseAnswers(attributes: ReadonlyMap<string, string>): PurchaseAnswers | null {
  if (![...attributes.keys()].some((k) => k.startsWith(ATTRIBUTE_PREFIX))) return null;
  const answers: PurchaseAnswers['answers'] = [];
  let rejected = 0;
  const take = (key: string, kind: CustomFieldKind, raw: string | undefined) => {
    const value = (raw ?? '').trim();
    if (!value) return;
    if (checkField({ kind, required: false }, kind === 'checkbox' ? (value === 'true' || value === 'on' ? 'on' : '') : value)) rejected++;
    else answers.push({ key, kind, value: kind === 'checkbox' ? String(value === 'true' || value === 'on') : value });
  };
  for (const field of PURCHASE_QUESTIONS) take(field.metafield.key, field.kind, attributes.get(attributeFor(field.key)));
  const kinds = parseCustomKinds(attributes.get(CUSTOM_KINDS_ATTRIBUTE));
  for (const [name, value] of attributes) {
    // The kinds list shares the custom prefix but is not an answer.
    if (!name.startsWith(CUSTOM_PREFIX) || name === CUSTOM_KINDS_ATTRIBUTE) continue;
    const key = name.slice(CUSTOM_PREFIX.length);
    if (!METAFIELD_KEY.test(key) || RESERVED_KEYS.has(key) || PURCHASE_QUESTIONS.some((f) => f.metafield.key === key)) {
      rejected++;
      continue;
    }
    take(key, kinds.get(key) ?? 'text', value);
  }
  return {
    answers,
    consent: attributes.get(CONSENT_ATTRIBUTE) === CONSENT_GRANTED,
    // What the shopper was shown is proof: stripped of control characters (no one saw them) rather than dropped.
    consentText:
      stripControls(attributes.get(CONSENT_TEXT_ATTRIBUTE) ?? '', true)
        .trim()
        .slice(0, 2000) || null,
    locale: attributes.get(LOCALE_ATTRIBUTE) ?? null,
    rejected,
  };
}

/** How the answers are tied to the buyer (storage/tables.ts BuyerProof), decided by the surface that received them. */
export interface PurchaseBuyer {
  proof: BuyerProof;
  /** The claim a thank-you post made (shopify/order-owner.ts); while `pending`, the worker checks it before any write. */
  claim?: string | null;
  /**
   * Who is posting, as far as the app can tell (a customer, a checkout token, a session token). It scopes the
   * idempotency key, so one poster's key can never be taken by another: a forger's post never blocks the buyer's.
   */
  identity?: string | null;
  /** For `none`: why the answers stay on the lead. */
  heldReason?: string | null;
}

/** The intake input for purchase answers: a lead with answers, consent to keep them, and its order. */
export function purchaseIntake(
  shop: string,
  source: Exclude<LeadSource, 'contact_form'>,
  order: { id: string; email: string | null; firstName?: string | null; lastName?: string | null; customerId: string | null; locale?: string | null },
  read: PurchaseAnswers,
  buyer: PurchaseBuyer,
): IntakeInput {
  const answers = Object.fromEntries(read.answers.map((a) => [a.key, a.value]));
  // Shopify accepted these with the order; they pass the same text rule as every entry point, cleaned field by field.
  const firstName = order.firstName ? stripControls(order.firstName).trim() : '';
  const lastName = order.lastName ? stripControls(order.lastName).trim() : '';
  const submission: Submission = {
    email: order.email ? stripControls(order.email).trim() : '',
    ...(firstName ? { first_name: firstName } : {}),
    ...(lastName ? { last_name: lastName } : {}),
    email_marketing_consent: read.consent,
    ...(read.consentText ? { consent_text: read.consentText } : {}),
    form_id: source,
    answers,
    custom: read.answers.map((a) => ({ key: a.key, kind: a.kind, required: false })),
  };
  const locale = (read.locale ?? order.locale ?? 'en').slice(0, 16);
  return {
    shop,
    loggedInCustomerId: null,
    submission,
    // One lead per order, surface and poster: Shopify's retries and a second post from the same page repeat, never add.
    idempotencyKey: `${source}-${order.id.replace(/\D/g, '')}${buyer.identity ? `-${buyer.identity}` : ''}`,
    locale: /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/.test(locale) ? locale : 'en',
    clientIp: 'unknown',
    tags: [],
    source,
    orderId: order.id,
    shopifyCustomerId: order.customerId,
    buyerProof: buyer.proof,
    buyerClaim: buyer.claim ?? null,
    heldReason: buyer.heldReason ?? null,
  };
}
