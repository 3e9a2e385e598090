/**
 * The one definition of the contact form's fields: their limits, their autocomplete tokens and where each lands in
 * Shopify. The server (zod), the storefront widget (zod/mini in the browser) and the Liquid block (rendered names)
 * all read these, so a field can never be validated one way on the page and another way on the server.
 */
export const API_VERSION = '2026-10' as const;

export const LIMITS = {
  name: 100,
  email: 254,
  phone: 32,
  message: 5000,
  consentText: 2000,
  locale: 16,
  page: 2048,
  formId: 64,
} as const;

export type StandardFieldKey = 'first_name' | 'last_name' | 'email' | 'phone' | 'message';

export interface StandardField {
  key: StandardFieldKey;
  input: 'text' | 'email' | 'tel' | 'textarea';
  autocomplete: string;
  maxLength: number;
}

export const STANDARD_FIELDS: readonly StandardField[] = [
  { key: 'first_name', input: 'text', autocomplete: 'given-name', maxLength: LIMITS.name },
  { key: 'last_name', input: 'text', autocomplete: 'family-name', maxLength: LIMITS.name },
  { key: 'email', input: 'email', autocomplete: 'email', maxLength: LIMITS.email },
  { key: 'phone', input: 'tel', autocomplete: 'tel', maxLength: LIMITS.phone },
  { key: 'message', input: 'textarea', autocomplete: 'off', maxLength: LIMITS.message },
];

/**
 * Customer metafields the app writes, in the app-reserved namespace ($app). Keys are 2-64 chars of [A-Za-z0-9_-]
 * as Shopify requires; the types are Shopify metafield type names.
 */
export const METAFIELDS = {
  lastMessage: { key: 'last_message', type: 'multi_line_text_field' },
  sourceForm: { key: 'source_form', type: 'single_line_text_field' },
  consentProof: { key: 'consent_proof', type: 'json' },
} as const;

/** The tag every customer created or updated by the app carries, so merchants can segment on it. */
export const CUSTOMER_TAG = 'contact-capture';

/** Reasons a field can be rejected; each is a key under `contact_form.errors` in the extension's locales. */
export const FIELD_ERROR_CODES = ['required', 'invalid_email', 'invalid_phone', 'too_long', 'invalid', 'consent_required'] as const;
export type FieldErrorCode = (typeof FIELD_ERROR_CODES)[number];
