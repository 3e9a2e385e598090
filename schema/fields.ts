/**
 * The one definition of the contact form's fields: their rules, their autocomplete tokens and where each lands in
 * Shopify. The server (zod, submission.ts), the storefront widget (rules.ts) and the Liquid block (the same names)
 * all follow it, so a field can never be validated one way on the page and another way on the server.
 */
import type { FieldKind } from './rules.js';

export const API_VERSION = '2026-10' as const;

/** Re-exported: the limits live in limits.ts so that rules.ts can read them without importing this module. */
export { LIMITS } from './limits.js';

/** Custom fields: the kinds a merchant can pick, and the Shopify metafield type each is stored as. */
export const CUSTOM_FIELD_KINDS = ['text', 'textarea', 'number', 'date', 'select', 'checkbox'] as const satisfies readonly FieldKind[];
export type CustomFieldKind = (typeof CUSTOM_FIELD_KINDS)[number];
export const CUSTOM_FIELD_SLOTS = 6;
export const METAFIELD_TYPE_OF: Record<CustomFieldKind, string> = {
  text: 'single_line_text_field',
  textarea: 'multi_line_text_field',
  number: 'number_decimal',
  date: 'date',
  select: 'single_line_text_field',
  checkbox: 'boolean',
};
/** A metafield key as Shopify accepts it (2-64 of a-z, 0-9, _ and -), kept lower-case. */
export const METAFIELD_KEY = /^[a-z0-9_-]{2,64}$/;

/**
 * Customer metafields the app writes, in the app-reserved namespace ($app). Custom fields use their own keys.
 */
export const METAFIELDS = {
  lastMessage: { key: 'last_message', type: 'multi_line_text_field' },
  sourceForm: { key: 'source_form', type: 'single_line_text_field' },
  consentProof: { key: 'consent_proof', type: 'json' },
  company: { key: 'company', type: 'single_line_text_field' },
  birthday: { key: 'birthday', type: 'date' },
  postalAddress: { key: 'postal_address', type: 'json' },
  /** The shopper's attachment, a file in the shop's Files (leads/uploads.ts). */
  attachment: { key: 'attachment', type: 'file_reference' },
} as const;

/** The tag every customer created or updated by the app carries, so merchants can segment on it. */
export const CUSTOMER_TAG = 'contact-capture';
export const MAX_MERCHANT_TAGS = 10;

/** Reasons a field can be rejected; each is a key under `contact_form.errors` in the extension's locales. */
export const FIELD_ERROR_CODES = ['required', 'invalid_email', 'invalid_phone', 'too_long', 'invalid', 'consent_required'] as const;
export type FieldErrorCode = (typeof FIELD_ERROR_CODES)[number];
