import type { CustomFieldKind } from './fields.js';
import { CUSTOM_FIELD_KINDS, METAFIELDS, METAFIELD_TYPE_OF } from './fields.js';

/**
 * The one definition of the questions asked at purchase time, on the cart page (theme block) and in checkout (UI
 * extension): each field's key, kind, the cart attribute that carries it to the order, and the customer metafield it
 * lands in. The server reads orders and thank-you posts with it, the cart block's Liquid and the checkout extension's
 * settings name the same keys, and tests/purchase-questions.test.ts fails when a toml or the block disagrees.
 */
export interface PurchaseQuestion {
  key: string;
  kind: CustomFieldKind;
  metafield: { key: string; type: string };
}

export const PURCHASE_QUESTIONS = [
  { key: 'birthday', kind: 'date', metafield: METAFIELDS.birthday },
  { key: 'company', kind: 'text', metafield: METAFIELDS.company },
  { key: 'heard_about', kind: 'text', metafield: { key: 'heard_about', type: METAFIELD_TYPE_OF.text } },
  { key: 'delivery_notes', kind: 'textarea', metafield: { key: 'delivery_notes', type: METAFIELD_TYPE_OF.textarea } },
] as const satisfies readonly PurchaseQuestion[];
export type PurchaseQuestionKey = (typeof PURCHASE_QUESTIONS)[number]['key'];

/**
 * Merchant-defined questions beyond the catalogue: a kind, a label and a metafield key each (the key must match
 * METAFIELD_KEY). The cart block has three slots, the checkout extension two (its settings are capped at 20).
 */
export const CART_CUSTOM_SLOTS = 3;
export const CHECKOUT_CUSTOM_SLOTS = 2;

/**
 * Cart attributes are visible to the merchant on the order ("Additional details"), so they read plainly; the prefix
 * marks them as ours. A custom answer travels as `cc_custom_<metafield key>`.
 */
export const ATTRIBUTE_PREFIX = 'cc_';
export const attributeFor = (key: string) => `${ATTRIBUTE_PREFIX}${key}`;
export const customAttributeFor = (metafieldKey: string) => `${ATTRIBUTE_PREFIX}custom_${metafieldKey}`;
/** The shopper's consent to keep these answers on their customer profile, and the wording they saw. */
export const CONSENT_ATTRIBUTE = 'cc_consent';
export const CONSENT_TEXT_ATTRIBUTE = 'cc_consent_text';
export const LOCALE_ATTRIBUTE = 'cc_locale';
/** Which surface asked: `cart` (theme block) or `checkout` (UI extension). */
export const SOURCE_ATTRIBUTE = 'cc_source';
/** Each custom answer's kind, so the server stores it with the right metafield type: `key:kind,key:kind`. */
export const CUSTOM_KINDS_ATTRIBUTE = 'cc_custom_kinds';

export const formatCustomKinds = (fields: ReadonlyArray<{ key: string; kind: CustomFieldKind }>) => fields.map((f) => `${f.key}:${f.kind}`).join(',');

/** The kinds named in CUSTOM_KINDS_ATTRIBUTE; a part that names no known kind is ignored. */
export function parseCustomKinds(spec: string | undefined): Map<string, CustomFieldKind> {
  const kinds = new Map<string, CustomFieldKind>();
  for (const part of (spec ?? '').split(',')) {
    const [key, kind] = part.split(':').map((s) => s.trim());
    if (key && kind && (CUSTOM_FIELD_KINDS as readonly string[]).includes(kind)) kinds.set(key, kind as CustomFieldKind);
  }
  return kinds;
}
export const CONSENT_GRANTED = 'yes';

/** The checkout extension's setting that turns a catalogue field on (`ask_birthday`...). */
export const askSetting = (key: string) => `ask_${key}`;
