import { LIMITS } from './limits.js';

/**
 * Field rules as plain data and small functions, with no dependency, so the browser bundle can carry them. The
 * server's zod schema (submission.ts) is built on the same primitives; the widget validates with `checkField`. One
 * definition, two runtimes: the page and the server never disagree about a value.
 */
export type FieldKind = 'text' | 'textarea' | 'email' | 'phone' | 'number' | 'date' | 'select' | 'checkbox';

/**
 * The rule kind a field's input is checked with: the block's kinds are input types (`tel`), the rules' are what the
 * value is (`phone`). Here rather than with the contact fields so that the widget's bundle does not carry them.
 */
export const ruleKindOf = (input: string): FieldKind => (input === 'tel' ? 'phone' : (input as FieldKind));

export interface FieldRule {
  kind: FieldKind;
  required: boolean;
  max?: number;
  options?: string[];
}

export type RuleCode = 'required' | 'invalid_email' | 'invalid_phone' | 'too_long' | 'invalid';

/**
 * The browser's own `type=email` rule (WHATWG), plus a dot in the domain because Shopify needs a routable address.
 * zod's default is stricter than both and would refuse addresses the no-JS form lets through (e.g. `o!neil@...`).
 */
export const EMAIL_PATTERN =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;
// Control characters have no place in a name or a message; line breaks only where the field has lines.
export const SINGLE_LINE = /^[^\u0000-\u001f\u007f\u2028\u2029]*$/;
export const MULTI_LINE = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/;
/**
 * The one text rule of every entry point (contact form, no-JS form, cart and checkout answers, webhooks, workspace,
 * self-service): control characters are refused where a client sent them, and stripped from what Shopify already
 * accepted (a webhook cannot be corrected by its sender). PostgreSQL refuses a NUL in any text column, so a value
 * that skipped this rule would fail in the database instead of at the door.
 */
export const validText = (value: string, lines = false): boolean => (lines ? MULTI_LINE : SINGLE_LINE).test(value);
const SINGLE_LINE_CONTROLS = /[\u0000-\u001f\u007f\u2028\u2029]/g;
const MULTI_LINE_CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
export const stripControls = (value: string, lines = false): string => value.replace(lines ? MULTI_LINE_CONTROLS : SINGLE_LINE_CONTROLS, '');
export const DATE_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
export const NUMBER_PATTERN = /^-?\d{1,12}(\.\d{1,6})?$/;

/** E.164 after removing the separators people type. A national number without a country code is refused,
 * because Shopify's customerSet refuses it too and the shopper is the only one who can fix it. */
export function normalizePhone(raw: string): string | null {
  const compact = raw.replace(/[\s().\-\u00a0]/g, '');
  const e164 = compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
  return /^\+[1-9]\d{6,14}$/.test(e164) ? e164 : null;
}

export const validDate = (value: string): boolean =>
  DATE_PATTERN.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);

const defaultMax: Record<FieldKind, number> = {
  text: LIMITS.text,
  textarea: LIMITS.message,
  email: LIMITS.email,
  phone: LIMITS.phone,
  number: 32,
  date: LIMITS.date,
  select: 255,
  checkbox: 5,
};

/** The one check of a value against its rule; `value` is what the input holds (a checkbox: 'on' or empty). */
export function checkField(rule: FieldRule, value: string | undefined): RuleCode | null {
  const v = (value ?? '').trim();
  if (!v) return rule.required ? 'required' : null;
  if (v.length > (rule.max ?? defaultMax[rule.kind])) return 'too_long';
  switch (rule.kind) {
    case 'email':
      return EMAIL_PATTERN.test(v) ? null : 'invalid_email';
    case 'phone':
      return normalizePhone(v) ? null : 'invalid_phone';
    case 'textarea':
      return MULTI_LINE.test(v) ? null : 'invalid';
    case 'number':
      return NUMBER_PATTERN.test(v) ? null : 'invalid';
    case 'date':
      return validDate(v) ? null : 'invalid';
    case 'select':
      return rule.options?.includes(v) && SINGLE_LINE.test(v) ? null : 'invalid';
    case 'checkbox':
      return v === 'on' || v === 'true' ? null : 'invalid';
    default:
      return SINGLE_LINE.test(v) ? null : 'invalid';
  }
}
