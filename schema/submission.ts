import * as z from 'zod/mini';
import { FIELD_ERROR_CODES, LIMITS, type FieldErrorCode } from './fields.js';

/**
 * What a shopper submits, shared by the server and the storefront widget. Written with zod/mini so the browser
 * bundle stays small; the server uses the very same object. Error messages are codes, localized by the caller.
 */
/**
 * The browser's own `type=email` rule (WHATWG), plus a dot in the domain because Shopify needs a routable address.
 * zod's default is stricter than both and would refuse addresses the no-JS form lets through (e.g. `o!neil@...`).
 */
export const EMAIL_PATTERN =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;

// Control characters have no place in a name or a message; line breaks only where the field has lines.
const SINGLE_LINE = /^[^\u0000-\u001f\u007f\u2028\u2029]*$/;
const MULTI_LINE = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/;
const text = (max: number, lines = false) =>
  z.string('invalid').check(z.trim(), z.maxLength(max, 'too_long'), z.regex(lines ? MULTI_LINE : SINGLE_LINE, 'invalid'));
const optionalText = (max: number, lines = false) => z.optional(text(max, lines));

/** Accepts what a checkbox sends: `on` from an HTML form, a boolean from JSON. Absence means "not ticked". */
const checkbox = z.optional(
  z.pipe(
    z.union([z.boolean('invalid'), z.enum(['on', 'true', 'false', 'yes', '1', '0'], 'invalid')], 'invalid'),
    z.transform((v) => v === true || v === 'on' || v === 'true' || v === 'yes' || v === '1'),
  ),
);

/** E.164 after removing the separators people type. A national number without a country code is rejected,
 * because Shopify's customerSet rejects it too and the shopper is the only one who can fix it. */
export function normalizePhone(raw: string): string | null {
  const compact = raw.replace(/[\s().\-\u00a0]/g, '');
  const e164 = compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
  return /^\+[1-9]\d{6,14}$/.test(e164) ? e164 : null;
}

const phone = z.optional(
  z.string('invalid').check(
    z.trim(),
    z.maxLength(LIMITS.phone, 'too_long'),
    z.refine((v) => normalizePhone(v) !== null, 'invalid_phone'),
  ),
);

export const submissionSchema = z.strictObject({
  first_name: optionalText(LIMITS.name),
  last_name: optionalText(LIMITS.name),
  email: z.string('required').check(
    z.trim(),
    z.minLength(1, 'required'),
    z.maxLength(LIMITS.email, 'too_long'),
    z.regex(EMAIL_PATTERN, 'invalid_email'),
  ),
  phone,
  message: optionalText(LIMITS.message, true),
  email_marketing_consent: checkbox,
  consent_text: optionalText(LIMITS.consentText, true),
  /** Set by the block when the merchant made consent a condition of sending the form. */
  consent_required: checkbox,
  locale: z.optional(z.string('invalid').check(z.trim(), z.regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'invalid'), z.maxLength(LIMITS.locale, 'too_long'))),
  page: optionalText(LIMITS.page),
  form_id: optionalText(LIMITS.formId),
  idempotency_key: z.optional(z.string('invalid').check(z.regex(/^[A-Za-z0-9_-]{8,128}$/, 'invalid'))),
  /** Honeypot: hidden from people, filled by naive bots. Any value quarantines the lead (never an error). */
  website: z.optional(z.string('invalid').check(z.maxLength(500, 'too_long'))),
  /** When the form was shown, ms since epoch, for the minimum fill time. */
  rendered_at: z.optional(z.pipe(z.union([z.string('invalid').check(z.regex(/^\d{10,16}$/, 'invalid')), z.number('invalid')], 'invalid'), z.transform(Number))),
  'cf-turnstile-response': z.optional(z.string('invalid').check(z.maxLength(4096, 'too_long'))),
});

export type SubmissionInput = z.input<typeof submissionSchema>;
export type Submission = z.output<typeof submissionSchema>;

export type FieldErrors = Record<string, FieldErrorCode>;

const KNOWN_CODES = new Set<string>(FIELD_ERROR_CODES);

/** Form posts send empty strings for untouched optional inputs; an empty value means "not given". */
export function dropEmpty(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (typeof value === 'string' && value.trim() === '') continue;
    out[key] = value;
  }
  return out;
}

export type ParseResult = { ok: true; value: Submission } | { ok: false; fields: FieldErrors; unknown: string[] };

export function parseSubmission(input: Record<string, unknown>): ParseResult {
  const given = dropEmpty(input);
  const result = z.safeParse(submissionSchema, given);
  if (result.success) {
    if (result.data.consent_required && !result.data.email_marketing_consent) {
      return { ok: false, fields: { email_marketing_consent: 'consent_required' }, unknown: [] };
    }
    return { ok: true, value: result.data };
  }
  const fields: FieldErrors = {};
  const unknown: string[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      unknown.push(...issue.keys);
      continue;
    }
    const key = String(issue.path[0] ?? '_');
    if (fields[key]) continue;
    const code = given[key] === undefined ? 'required' : issue.message;
    fields[key] = (KNOWN_CODES.has(code) ? code : 'invalid') as FieldErrorCode;
  }
  return { ok: false, fields, unknown };
}
