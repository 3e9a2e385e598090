/**
 * Conditional fields: the one definition of the rule a merchant writes in the block's "Conditional fields" setting,
 * parsed and evaluated the same way by the widget (which shows and hides fields) and by the server (which drops what
 * a hidden field sent and never requires it). The Liquid block posts the setting's text as it is (`conditions`), so
 * both read the same characters; Liquid only writes each condition beside its field for shoppers without JavaScript.
 *
 * One rule per line, `field: other field` then what the other field must hold:
 *   order_number: subject = An order          shown when Subject is "An order" (case does not matter)
 *   order_number: subject = An order | A return   ... is one of these
 *   vat_number: country != FR                 ... is anything but FR (or empty)
 *   company: business                         ... is ticked or filled in
 *   gift_note: not gift                       ... is not ticked, or empty
 * Field names are the standard names (first_name, phone, company, message, address1...) or a custom field's key.
 * Lines starting with # are notes. Small, with no library: the page-load script carries this.
 */
import { CONTACT_FIELDS } from './contact-fields.js';

export type ConditionOp = 'is' | 'is_not' | 'filled' | 'empty';

export interface ConditionRule {
  /** The input names (`company`, `custom.order_number`). */
  target: string;
  source: string;
  op: ConditionOp;
  /** For `is` / `is_not`: the values, as written. */
  values: string[];
  /** 1-based line of the setting, for messages. */
  line: number;
}

export type ConditionErrorCode = 'syntax' | 'unknown_field' | 'not_conditional' | 'self' | 'duplicate' | 'cycle' | 'too_many';

export interface ConditionError {
  line: number;
  code: ConditionErrorCode;
  /** The field name at fault, for `unknown_field`, `not_conditional`, `duplicate`. */
  name?: string;
}

export const CONDITIONS_MAX_CHARS = 2000;
export const CONDITIONS_MAX_RULES = 30;
const VALUE_MAX = 255;
const NAME = /^(?:custom\.)?[a-z0-9_-]{1,64}$/;
/** Never hidden: the email is how the lead is reached, and consent must be offered wherever the form is. */
export const ALWAYS_SHOWN: ReadonlySet<string> = new Set(['email', 'email_marketing_consent', 'sms_marketing_consent']);
const CUSTOM = 'custom.';

/**
 * The names a rule may use, for the widget and the server alike: every standard field and consent box, and the
 * block's custom fields. Not only those the page shows: a rule reading a field the merchant hid reads it as empty on
 * both sides, so they never disagree about what a shopper saw.
 */
export const conditionNames = (customKeys: Iterable<string>): string[] => [
  ...CONTACT_FIELDS.map((f) => f.name),
  'email_marketing_consent',
  'sms_marketing_consent',
  ...[...customKeys].map((k) => CUSTOM + k),
];

/**
 * `known`: the input names the form has. A bare name is a standard field when the form has it under that name, else
 * the custom field with that key; `custom.<key>` always means the custom field.
 */
export function parseConditions(text: string, known: Iterable<string>): { rules: ConditionRule[]; errors: ConditionError[] } {
  const names = new Set(known);
  const resolve = (raw: string): string | null => {
    const name = raw.trim().toLowerCase();
    if (!NAME.test(name)) return null;
    if (name.startsWith(CUSTOM)) return names.has(name) ? name : null;
    if (names.has(name)) return name;
    return names.has(CUSTOM + name) ? CUSTOM + name : null;
  };
  const rules: ConditionRule[] = [];
  const errors: ConditionError[] = [];
  const lines = text.slice(0, CONDITIONS_MAX_CHARS).split(/\r\n|\r|\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const body = raw.trim();
    if (!body || body.startsWith('#')) return;
    if (rules.length >= CONDITIONS_MAX_RULES) return void errors.push({ line, code: 'too_many' });
    const colon = body.indexOf(':');
    if (colon < 1) return void errors.push({ line, code: 'syntax' });
    const targetName = body.slice(0, colon).trim();
    let rest = body.slice(colon + 1).trim();
    let op: ConditionOp;
    let sourceName: string;
    let values: string[] = [];
    const eq = rest.indexOf('=');
    if (eq >= 0) {
      const negated = rest[eq - 1] === '!';
      op = negated ? 'is_not' : 'is';
      sourceName = rest.slice(0, negated ? eq - 1 : eq);
      values = rest
        .slice(eq + 1)
        .split('|')
        .map((v) => v.trim());
      if (!values.length || values.some((v) => !v || v.length > VALUE_MAX)) return void errors.push({ line, code: 'syntax' });
    } else if (/^not\s+/i.test(rest)) {
      op = 'empty';
      sourceName = rest.replace(/^not\s+/i, '');
    } else {
      op = 'filled';
      sourceName = rest;
    }
    rest = sourceName.trim();
    if (!NAME.test(targetName.toLowerCase()) || !NAME.test(rest.toLowerCase())) return void errors.push({ line, code: 'syntax' });
    const target = resolve(targetName);
    const source = resolve(rest);
    if (!target) return void errors.push({ line, code: 'unknown_field', name: targetName.toLowerCase() });
    if (!source) return void errors.push({ line, code: 'unknown_field', name: rest.toLowerCase() });
    if (ALWAYS_SHOWN.has(target)) return void errors.push({ line, code: 'not_conditional', name: target });
    if (target === source) return void errors.push({ line, code: 'self', name: target });
    if (rules.some((r) => r.target === target)) return void errors.push({ line, code: 'duplicate', name: target });
    rules.push({ target, source, op, values, line });
  });
  // A field shown only when another is shown only when the first is: no shopper could ever see either. Such rules
  // are refused rather than evaluated, so the evaluator below always ends.
  const bySource = new Map(rules.map((r) => [r.target, r.source]));
  const cyclic = new Set<string>();
  for (const start of bySource.keys()) {
    const seen = new Set<string>();
    let at: string | undefined = start;
    while (at !== undefined && !seen.has(at)) {
      seen.add(at);
      at = bySource.get(at);
    }
    if (at === start) for (const name of seen) cyclic.add(name);
  }
  for (const r of rules) if (cyclic.has(r.target)) errors.push({ line: r.line, code: 'cycle', name: r.target });
  errors.sort((a, b) => a.line - b.line);
  return { rules: rules.filter((r) => !cyclic.has(r.target)), errors };
}

const same = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;

/**
 * The fields hidden for these values. `value(name)` is what the input holds: a ticked checkbox `on`, an unticked one
 * empty. A field whose condition reads a hidden field reads it as empty, so a chain hides together.
 */
export function hiddenFields(rules: readonly ConditionRule[], value: (name: string) => string | undefined): Set<string> {
  const byTarget = new Map(rules.map((r) => [r.target, r]));
  const memo = new Map<string, boolean>();
  const shown = (name: string): boolean => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const rule = byTarget.get(name);
    let result = true;
    if (rule) {
      const v = shown(rule.source) ? (value(rule.source) ?? '').trim() : '';
      result =
        rule.op === 'filled'
          ? v !== ''
          : rule.op === 'empty'
            ? v === ''
            : rule.op === 'is'
              ? rule.values.some((x) => same(x, v))
              : !rule.values.some((x) => same(x, v));
    }
    memo.set(name, result);
    return result;
  };
  return new Set(rules.filter((r) => !shown(r.target)).map((r) => r.target));
}
