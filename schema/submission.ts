import * as z from 'zod/mini';
import { ADDRESS_REQUIRED_PARTS, CONTACT_FIELDS, type ContactField, type ContactFieldName } from './contact-fields.js';
import {
  CUSTOM_FIELD_KINDS,
  CUSTOM_FIELD_SLOTS,
  FIELD_ERROR_CODES,
  LIMITS,
  MAX_MERCHANT_TAGS,
  METAFIELDS,
  METAFIELD_KEY,
  type FieldErrorCode,
} from './fields.js';
import { PURCHASE_QUESTIONS } from './purchase-questions.js';
import { CONDITIONS_MAX_CHARS, type ConditionRule, conditionNames, hiddenFields, parseConditions } from './conditions.js';
import { EMAIL_PATTERN, MULTI_LINE, SINGLE_LINE, checkField, normalizePhone, validDate } from './rules.js';

export { EMAIL_PATTERN, normalizePhone } from './rules.js';

/**
 * What a shopper submits, as the server parses it. Error messages are codes, localized by the caller. Built on the
 * primitives in rules.ts, which the widget uses in the browser.
 */
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

/** The standard fields' schemas, one per input type of the definition (contact-fields.ts). */
const email = z.string('required').check(z.trim(), z.minLength(1, 'required'), z.maxLength(LIMITS.email, 'too_long'), z.regex(EMAIL_PATTERN, 'invalid_email'));
const phone = z.optional(
  z.string('invalid').check(
    z.trim(),
    z.maxLength(LIMITS.phone, 'too_long'),
    z.refine((v) => normalizePhone(v) !== null, 'invalid_phone'),
  ),
);
const date = z.optional(z.string('invalid').check(z.trim(), z.refine(validDate, 'invalid')));
const countryCode = z.optional(z.string('invalid').check(z.trim(), z.regex(/^[A-Za-z]{2}$/, 'invalid')));

type ContactSchema<F extends ContactField> = F extends { input: 'email' }
  ? typeof email
  : F extends { input: 'tel' }
    ? typeof phone
    : F extends { input: 'date' }
      ? typeof date
      : F extends { format: 'country-code' }
        ? typeof countryCode
        : ReturnType<typeof optionalText>;

function contactSchema(field: ContactField) {
  if (field.input === 'email') return email;
  if (field.input === 'tel') return phone;
  if (field.input === 'date') return date;
  if (field.format === 'country-code') return countryCode;
  return optionalText(field.max, field.input === 'textarea');
}

// Built from the definition, so a field added there is parsed here; the mapped type keeps each field's own output type.
const contactShape = Object.fromEntries(CONTACT_FIELDS.map((f) => [f.name, contactSchema(f)])) as {
  [F in (typeof CONTACT_FIELDS)[number] as F['name']]: ContactSchema<F>;
};

/** A custom field as the block declares it (kind, metafield key, whether required, options for a select). */
export const customSpec = z
  .array(
    z.object({
      key: z.string().check(z.regex(METAFIELD_KEY)),
      kind: z.enum(CUSTOM_FIELD_KINDS),
      required: z.boolean(),
      options: z.optional(z.array(z.string().check(z.maxLength(LIMITS.text))).check(z.maxLength(50))),
      /** The merchant's label, so a no-JS error page can show the field again. */
      label: z.optional(z.string().check(z.maxLength(LIMITS.text))),
    }),
  )
  .check(z.maxLength(CUSTOM_FIELD_SLOTS));
export type CustomFieldSpec = z.output<typeof customSpec>[number];

/**
 * The metafield keys the app writes itself (consent proof, the contact form's extras, the purchase catalogue). No
 * custom field may name one, not even from a signed spec: a merchant can type any key in the block settings, and
 * neither Theme Check nor the settings schema can stop them, so the server refuses it.
 */
export const RESERVED_METAFIELD_KEYS: ReadonlySet<string> = new Set([
  ...Object.values(METAFIELDS).map((m) => m.key),
  ...PURCHASE_QUESTIONS.map((f) => f.metafield.key),
]);

/**
 * Why an answer is kept on the lead but never written to the customer: its spec was not signed by the block
 * (`unsigned`, which includes a spec changed after signing), it names one of the app's own keys (`reserved`), or the
 * shop already has as many custom definitions as the app may create (`definition_cap`, decided by the sync worker).
 */
export const HELD_REASONS = ['unsigned', 'reserved', 'definition_cap'] as const;
export type HeldReason = (typeof HELD_REASONS)[number];
export type DeclaredField = CustomFieldSpec & { held?: HeldReason };

export const submissionSchema = z.strictObject({
  ...contactShape,
  email_marketing_consent: checkbox,
  sms_marketing_consent: checkbox,
  /** WhatsApp marketing (2026-07), offered only when the block has its own wording for it; held on the phone number. */
  whatsapp_marketing_consent: checkbox,
  consent_text: optionalText(LIMITS.consentText, true),
  sms_consent_text: optionalText(LIMITS.consentText, true),
  whatsapp_consent_text: optionalText(LIMITS.consentText, true),
  /** Set by the block when the merchant made consent a condition of sending the form. */
  consent_required: checkbox,
  /** The block's "Conditional fields" setting as written (schema/conditions.ts): a hidden field is neither required nor kept. */
  conditions: optionalText(CONDITIONS_MAX_CHARS, true),
  /** Required fields the block declares (`first_name,phone`): the shopper cannot remove them from the page alone. */
  required_fields: optionalText(200),
  locale: z.optional(z.string('invalid').check(z.trim(), z.regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'invalid'), z.maxLength(LIMITS.locale, 'too_long'))),
  page: optionalText(LIMITS.page),
  // The block's form id (handleized in Liquid): a bounded alphabet, as the workspace and settings name forms.
  form_id: z.optional(z.string('invalid').check(z.trim(), z.maxLength(LIMITS.formId, 'too_long'), z.regex(/^[A-Za-z0-9_-]+$/, 'invalid'))),
  idempotency_key: z.optional(z.string('invalid').check(z.regex(/^[A-Za-z0-9_-]{8,128}$/, 'invalid'))),
  /** Honeypot: hidden from people, filled by naive bots. Any value quarantines the lead (never an error). */
  website: z.optional(z.string('invalid').check(z.maxLength(500, 'too_long'))),
  /** When the form was shown, ms since epoch, for the minimum fill time. */
  rendered_at: z.optional(z.pipe(z.union([z.string('invalid').check(z.regex(/^\d{10,16}$/, 'invalid')), z.number('invalid')], 'invalid'), z.transform(Number))),
  'cf-turnstile-response': z.optional(z.string('invalid').check(z.maxLength(4096, 'too_long'))),
  /** Merchant tags from the block, and their signature (see form-config.ts); unsigned tags are dropped. */
  tags: optionalText(500),
  tags_sig: z.optional(z.string('invalid').check(z.regex(/^[0-9a-f]{64}$/, 'invalid'))),
  /**
   * The block's custom fields, as JSON; answers come as `custom.<key>`. Checked as JSON below rather than as a line of
   * text: its signature covers the exact characters Liquid emitted, so nothing here may trim or reject them first.
   */
  custom_fields: z.optional(z.string('invalid').check(z.maxLength(4000, 'too_long'))),
  /** `hmac_sha256` of `custom_fields` with the shop's form key, rendered by the block (see form-key.ts). */
  custom_fields_sig: z.optional(z.string('invalid').check(z.regex(/^[0-9a-f]{64}$/, 'invalid'))),
  /** The block's double opt-in setting (`doi:<days>`) and its signature; unsigned, consent is single opt-in. */
  double_opt_in: z.optional(z.string('invalid').check(z.regex(/^doi:\d{1,2}$/, 'invalid'))),
  double_opt_in_sig: z.optional(z.string('invalid').check(z.regex(/^[0-9a-f]{64}$/, 'invalid'))),
  /** The reference of a checked upload (schema/uploads.ts), from the file field; empty when nothing was attached. */
  attachment: z.optional(
    z.pipe(
      z.string('invalid').check(z.regex(/^$|^[A-Za-z0-9_-]{43}$/, 'invalid')),
      z.transform((v) => v || undefined),
    ),
  ),
});

type SubmissionFields = z.output<typeof submissionSchema>;

/**
 * The common case without zod: every field present is of the kind the block posts and passes its rule. Returns what
 * zod returns for such an input (the same values, keys in the schema's order), or undefined whenever anything is
 * otherwise (an unknown key, a value of another type, a rule not met), and zod then decides, errors and all: this
 * path can only say yes where zod says yes (intake spent a third of its parse time in zod's object walk). Each entry
 * restates the rule of the schema field of the same name above; submission.test.ts holds the two together on
 * generated inputs and checks that every schema field has its entry here.
 */
const SLOW = Symbol('slow');
type FastRule = (value: unknown) => unknown;
const fastString =
  (rule: (trimmed: string) => boolean, trim = true): FastRule =>
  (value) => {
    if (typeof value !== 'string') return SLOW;
    const v = trim ? value.trim() : value;
    return rule(v) ? v : SLOW;
  };
const fastText = (max: number, lines = false) => fastString((v) => v.length <= max && (lines ? MULTI_LINE : SINGLE_LINE).test(v));
const CHECKBOX_VALUES: ReadonlyMap<unknown, boolean> = new Map<unknown, boolean>([
  [true, true],
  [false, false],
  ['on', true],
  ['true', true],
  ['yes', true],
  ['1', true],
  ['false', false],
  ['0', false],
]);
const fastCheckbox: FastRule = (value) => CHECKBOX_VALUES.get(value) ?? SLOW;
const HEX_SIGNATURE = /^[0-9a-f]{64}$/;
const fastContact = (field: ContactField): FastRule => {
  if (field.input === 'email') return fastString((v) => v.length >= 1 && v.length <= LIMITS.email && EMAIL_PATTERN.test(v));
  if (field.input === 'tel') return fastString((v) => v.length <= LIMITS.phone && normalizePhone(v) !== null);
  if (field.input === 'date') return fastString(validDate);
  if (field.format === 'country-code') return fastString((v) => /^[A-Za-z]{2}$/.test(v));
  return fastText(field.max, field.input === 'textarea');
};
const FAST_RULES: Record<keyof SubmissionFields, FastRule> = {
  ...(Object.fromEntries(CONTACT_FIELDS.map((f) => [f.name, fastContact(f)])) as Record<ContactFieldName, FastRule>),
  email_marketing_consent: fastCheckbox,
  sms_marketing_consent: fastCheckbox,
  whatsapp_marketing_consent: fastCheckbox,
  consent_text: fastText(LIMITS.consentText, true),
  sms_consent_text: fastText(LIMITS.consentText, true),
  whatsapp_consent_text: fastText(LIMITS.consentText, true),
  consent_required: fastCheckbox,
  conditions: fastText(CONDITIONS_MAX_CHARS, true),
  required_fields: fastText(200),
  locale: fastString((v) => /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/.test(v) && v.length <= LIMITS.locale),
  page: fastText(LIMITS.page),
  form_id: fastString((v) => v.length <= LIMITS.formId && /^[A-Za-z0-9_-]+$/.test(v)),
  idempotency_key: fastString((v) => /^[A-Za-z0-9_-]{8,128}$/.test(v), false),
  website: fastString((v) => v.length <= 500, false),
  rendered_at: (value) =>
    typeof value === 'number' ? (Number.isFinite(value) ? value : SLOW) : typeof value === 'string' && /^\d{10,16}$/.test(value) ? Number(value) : SLOW,
  'cf-turnstile-response': fastString((v) => v.length <= 4096, false),
  tags: fastText(500),
  tags_sig: fastString((v) => HEX_SIGNATURE.test(v), false),
  custom_fields: fastString((v) => v.length <= 4000, false),
  custom_fields_sig: fastString((v) => HEX_SIGNATURE.test(v), false),
  double_opt_in: fastString((v) => /^doi:\d{1,2}$/.test(v), false),
  double_opt_in_sig: fastString((v) => HEX_SIGNATURE.test(v), false),
  // An empty reference becomes undefined in zod; dropEmpty has removed it before, and anything else goes to zod.
  attachment: fastString((v) => /^[A-Za-z0-9_-]{43}$/.test(v), false),
};
/** The schema's keys in its order: zod's output lists them so. */
export const FAST_FIELDS: readonly string[] = Object.keys(submissionSchema.shape);
const fastRules = new Map<string, FastRule>(FAST_FIELDS.map((key) => [key, FAST_RULES[key as keyof SubmissionFields]]));
/** The fields zod requires (those whose schema refuses absence: the email). */
const fastRequired = FAST_FIELDS.filter((key) => !z.safeParse(submissionSchema.shape[key as keyof SubmissionFields], undefined).success);

export function parseFieldsFast(standard: Record<string, unknown>): SubmissionFields | undefined {
  for (const key of Object.keys(standard)) if (!fastRules.has(key)) return undefined;
  for (const key of fastRequired) if (!Object.hasOwn(standard, key)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, rule] of fastRules) {
    if (!Object.hasOwn(standard, key)) continue;
    const value = rule(standard[key]);
    if (value === SLOW) return undefined;
    out[key] = value;
  }
  return out as SubmissionFields;
}

export type Submission = z.output<typeof submissionSchema> & {
  /** Custom field answers by metafield key, validated against `custom`. */
  answers: Record<string, string>;
  /** Every declared field; those marked `held` keep their answer on the lead only. */
  custom: DeclaredField[];
};

export type FieldErrors = Record<string, FieldErrorCode>;

const KNOWN_CODES = new Set<string>(FIELD_ERROR_CODES);
const CUSTOM_PREFIX = 'custom.';

/** Form posts send empty strings for untouched optional inputs; an empty value means "not given". */
export function dropEmpty(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (typeof value === 'string' && value.trim() === '') continue;
    // JSON.parse makes `__proto__` an own key; assigned here it would set the prototype, and checks of required fields
    // (`given[name] === undefined`) would see its values as given. No form field has that name, nor `custom.__proto__`.
    if (key === '__proto__' || key === `${CUSTOM_PREFIX}__proto__`) continue;
    out[key] = value;
  }
  return out;
}

/**
 * `invalidSpec`: `custom_fields` is not a list of field specs. The block never renders such a thing, so it is a
 * forged or broken request, answered 400 rather than with a form the shopper could not correct (the spec is hidden).
 */
export type ParseResult =
  | { ok: true; value: Submission }
  | { ok: false; fields: FieldErrors; unknown: string[]; invalidSpec: boolean; custom: DeclaredField[]; conditions: ConditionRule[] };

export interface ParseOptions {
  /** Whether `custom_fields_sig` is the block's signature of `custom_fields` (the raw string, as posted). */
  specSigned?: (spec: string, signature: string | undefined) => boolean;
}

export function splitTags(raw: string | undefined): string[] {
  return [
    ...new Set(
      (raw ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t && t.length <= 40),
    ),
  ].slice(0, MAX_MERCHANT_TAGS);
}

/** What an input held, as the widget reads it: a ticked box `on`, an unticked one empty. */
function inputValue(value: unknown): string | undefined {
  if (value === true) return 'on';
  if (value === false) return '';
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/**
 * The rules the block posted, and the fields they hide for what was posted. Read before any check, so that a hidden
 * field's value is dropped (never validated, never stored) and its `required` never applies. The spec is only read
 * for its keys here; it is checked (and refused if broken) below.
 */
function applyConditions(given: Record<string, unknown>): { rules: ConditionRule[]; hidden: Set<string> } {
  const text = given.conditions;
  if (typeof text !== 'string' || text.length > CONDITIONS_MAX_CHARS) return { rules: [], hidden: new Set() };
  const spec = typeof given.custom_fields === 'string' ? z.safeParse(customSpec, parseJson(given.custom_fields)) : null;
  const { rules } = parseConditions(text, conditionNames(spec?.success ? spec.data.map((c) => c.key) : []));
  const hidden = hiddenFields(rules, (name) => inputValue(given[name]));
  for (const name of hidden) delete given[name];
  return { rules, hidden };
}

export function parseSubmission(input: Record<string, unknown>, options: ParseOptions = {}): ParseResult {
  const given = dropEmpty(input);
  const { rules, hidden } = applyConditions(given);
  const standard: Record<string, unknown> = {};
  const answersIn: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(given)) {
    if (key.startsWith(CUSTOM_PREFIX)) answersIn[key.slice(CUSTOM_PREFIX.length)] = value;
    else standard[key] = value;
  }
  const fields: FieldErrors = {};
  const unknown: string[] = [];
  const fast = parseFieldsFast(standard);
  const result = fast ? ({ success: true, data: fast } as const) : z.safeParse(submissionSchema, standard);
  if (!result.success) {
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
  }
  let custom: DeclaredField[] = [];
  let invalidSpec = fields.custom_fields !== undefined || fields.custom_fields_sig !== undefined;
  delete fields.custom_fields;
  delete fields.custom_fields_sig;
  if (typeof standard.custom_fields === 'string' && !invalidSpec) {
    const spec = z.safeParse(customSpec, parseJson(standard.custom_fields));
    if (spec.success) {
      const sig = typeof standard.custom_fields_sig === 'string' ? standard.custom_fields_sig : undefined;
      const signed = options.specSigned?.(standard.custom_fields, sig) ?? false;
      custom = spec.data.map((c): DeclaredField => (RESERVED_METAFIELD_KEYS.has(c.key) ? { ...c, held: 'reserved' } : signed ? c : { ...c, held: 'unsigned' }));
    } else invalidSpec = true;
  }
  const answers: Record<string, string> = {};
  for (const [key, value] of Object.entries(answersIn)) {
    const spec = custom.find((c) => c.key === key);
    if (!spec) unknown.push(`${CUSTOM_PREFIX}${key}`);
    else if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') fields[`${CUSTOM_PREFIX}${key}`] = 'invalid';
    else answers[key] = typeof value === 'boolean' ? (value ? 'on' : '') : String(value).trim();
  }
  for (const spec of custom) {
    const code = checkField(
      { kind: spec.kind, required: spec.required && !hidden.has(CUSTOM_PREFIX + spec.key), ...(spec.options ? { options: spec.options } : {}) },
      answers[spec.key],
    );
    if (code) fields[`${CUSTOM_PREFIX}${spec.key}`] = code;
    else if (spec.kind === 'checkbox') answers[spec.key] = answers[spec.key] ? 'true' : 'false';
  }
  if (invalidSpec || unknown.length || !result.success || Object.keys(fields).length) {
    if (result.success) addConditionalErrors(result.data, given, fields, hidden);
    return { ok: false, fields, unknown, invalidSpec, custom, conditions: rules };
  }
  const value = result.data;
  addConditionalErrors(value, given, fields, hidden);
  if (Object.keys(fields).length) return { ok: false, fields, unknown, invalidSpec, custom, conditions: rules };
  return { ok: true, value: { ...value, answers, custom } };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Rules that tie fields together: consent the form requires, a phone for SMS or WhatsApp consent, required standard fields. */
function addConditionalErrors(
  value: z.output<typeof submissionSchema>,
  given: Record<string, unknown>,
  fields: FieldErrors,
  hidden: ReadonlySet<string>,
): void {
  if (value.consent_required && !value.email_marketing_consent) fields.email_marketing_consent = 'consent_required';
  if (value.sms_marketing_consent && !value.phone) fields.phone ??= 'required';
  if (value.whatsapp_marketing_consent && !value.phone) fields.phone ??= 'required';
  for (const name of (value.required_fields ?? '').split(',').map((s) => s.trim())) {
    const parts: readonly string[] = name === 'address' ? ADDRESS_REQUIRED_PARTS : [name];
    for (const part of parts) if (part in submissionSchema.shape && !hidden.has(part) && given[part] === undefined && !fields[part]) fields[part] = 'required';
  }
}
