/**
 * Length limits of what a shopper sends, in characters. Their own module because both the field definitions
 * (fields.ts, contact-fields.ts) and the rules (rules.ts) read them: with the limits in fields.ts, fields.ts and
 * rules.ts imported each other.
 */
export const LIMITS = {
  name: 100,
  email: 254,
  phone: 32,
  message: 5000,
  consentText: 2000,
  locale: 16,
  page: 2048,
  formId: 64,
  text: 255,
  zip: 20,
  /** An ISO 3166-1 alpha-2 country code. */
  country: 2,
  /** A date as `YYYY-MM-DD`. */
  date: 10,
} as const;
