import { describe, expect, it } from 'vitest';
import { CONDITIONS_MAX_RULES, type ConditionRule, hiddenFields, parseConditions } from './conditions.js';
import { parseSubmission } from './submission.js';

const KNOWN = ['first_name', 'email', 'phone', 'company', 'message', 'email_marketing_consent', 'custom.subject', 'custom.order_number', 'custom.business'];
const parse = (text: string) => parseConditions(text, KNOWN);
const hidden = (rules: ConditionRule[], values: Record<string, string>) => [...hiddenFields(rules, (n) => values[n])].sort();

describe('conditional fields: the rule a merchant writes', () => {
  it('reads each form of rule, resolving bare custom keys and ignoring notes and blank lines', () => {
    const { rules, errors } = parse(
      '# order questions\n\norder_number: subject = An order | A return\r\ncompany: business\nmessage: not custom.business\nphone: Subject != Other',
    );
    expect(errors).toEqual([]);
    expect(rules).toEqual([
      { target: 'custom.order_number', source: 'custom.subject', op: 'is', values: ['An order', 'A return'], line: 3 },
      { target: 'company', source: 'custom.business', op: 'filled', values: [], line: 4 },
      { target: 'message', source: 'custom.business', op: 'empty', values: [], line: 5 },
      { target: 'phone', source: 'custom.subject', op: 'is_not', values: ['Other'], line: 6 },
    ]);
  });

  it.each([
    ['no colon', 'order_number subject = x', { line: 1, code: 'syntax' }],
    ['no source', 'order_number: ', { line: 1, code: 'syntax' }],
    ['an empty value', 'order_number: subject =', { line: 1, code: 'syntax' }],
    ['an empty alternative', 'order_number: subject = a || b', { line: 1, code: 'syntax' }],
    ['spaces in a name', 'order number: subject = x', { line: 1, code: 'syntax' }],
    ['an unknown target', 'vat: subject = x', { line: 1, code: 'unknown_field', name: 'vat' }],
    ['an unknown source', 'company: is_business', { line: 1, code: 'unknown_field', name: 'is_business' }],
    ['the email', 'email: subject = x', { line: 1, code: 'not_conditional', name: 'email' }],
    ['the consent box', 'email_marketing_consent: business', { line: 1, code: 'not_conditional', name: 'email_marketing_consent' }],
    ['a field on itself', 'company: company', { line: 1, code: 'self', name: 'company' }],
    ['a value too long', `company: subject = ${'x'.repeat(256)}`, { line: 1, code: 'syntax' }],
  ])('refuses %s, and keeps no rule from it', (_, text, error) => {
    expect(parse(text)).toEqual({ rules: [], errors: [error] });
  });

  it('keeps the first rule of a field and reports the second', () => {
    const { rules, errors } = parse('company: business\ncompany: subject = B2B');
    expect(rules.map((r) => r.line)).toEqual([1]);
    expect(errors).toEqual([{ line: 2, code: 'duplicate', name: 'company' }]);
  });

  it('refuses a cycle (no shopper could ever see those fields) but keeps the rules around it', () => {
    const { rules, errors } = parse('company: phone\nphone: company\nmessage: company\nfirst_name: business');
    expect(rules.map((r) => r.target)).toEqual(['message', 'first_name']);
    expect(errors).toEqual([
      { line: 1, code: 'cycle', name: 'company' },
      { line: 2, code: 'cycle', name: 'phone' },
    ]);
  });

  it('stops at the rule limit and says so', () => {
    const names = Array.from({ length: CONDITIONS_MAX_RULES + 2 }, (_, i) => `custom.f${i}`);
    const text = names.map((n) => `${n}: business`).join('\n');
    const { rules, errors } = parseConditions(text, [...names, 'custom.business']);
    expect(rules).toHaveLength(CONDITIONS_MAX_RULES);
    expect(errors.map((e) => e.code)).toEqual(['too_many', 'too_many']);
  });

  it('never throws on arbitrary text', () => {
    for (const text of ['::::', '=', '!=', 'a: !=', ':b', 'a:b=c=d', '\u0000: \u0000', 'custom.: x', 'a: not']) {
      expect(() => parse(text)).not.toThrow();
    }
  });
});

describe('conditional fields: which fields a shopper sees', () => {
  const { rules } = parse('order_number: subject = An order | A return\ncompany: business\nmessage: not business\nphone: order_number');

  it('shows a field when its condition holds, ignoring case, and hides it otherwise', () => {
    expect(hidden(rules, { 'custom.subject': 'an ORDER' })).toEqual(['company', 'phone']);
    expect(hidden(rules, { 'custom.subject': 'A return', 'custom.order_number': '1001' })).toEqual(['company']);
    expect(hidden(rules, { 'custom.subject': 'Other', 'custom.business': 'on' })).toEqual(['custom.order_number', 'message', 'phone']);
  });

  it('reads a hidden field as empty, so a chain hides together even if the hidden field still holds a value', () => {
    expect(hidden(rules, { 'custom.subject': 'Other', 'custom.order_number': '1001' })).toContain('phone');
  });

  it('treats is-not as true for an empty field', () => {
    const { rules: notRules } = parse('phone: subject != Other');
    expect(hidden(notRules, {})).toEqual([]);
    expect(hidden(notRules, { 'custom.subject': 'other' })).toEqual(['phone']);
  });
});

describe('conditional fields on the server', () => {
  const spec = JSON.stringify([
    { key: 'subject', kind: 'select', required: true, options: ['An order', 'Other'] },
    { key: 'order_number', kind: 'text', required: true },
    { key: 'business', kind: 'checkbox', required: false },
  ]);
  const base = {
    email: 'ann@example.com',
    custom_fields: spec,
    required_fields: 'email,company',
    conditions: 'order_number: subject = An order\ncompany: business',
  };

  it('never requires a hidden field, and drops what it sent', () => {
    const result = parseSubmission({ ...base, 'custom.subject': 'Other', 'custom.order_number': 'sneaked', company: 'Acme' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.answers).toEqual({ subject: 'Other', business: 'false' });
    expect(result.value.company).toBeUndefined();
  });

  it('requires a field its condition shows', () => {
    const result = parseSubmission({ ...base, 'custom.subject': 'An order', 'custom.business': true });
    expect(result).toMatchObject({ ok: false, fields: { 'custom.order_number': 'required', company: 'required' } });
  });

  it('reads a JSON checkbox and an HTML one the same way', () => {
    for (const business of [true, 'on']) {
      const result = parseSubmission({ ...base, 'custom.subject': 'Other', 'custom.business': business, company: 'Acme' });
      expect(result.ok && result.value.company).toBe('Acme');
    }
    const unticked = parseSubmission({ ...base, 'custom.subject': 'Other', 'custom.business': false, company: 'Acme' });
    expect(unticked.ok && unticked.value.company).toBeUndefined();
  });

  it('ignores a malformed rule (its field stays an ordinary field), and never a well-formed one beside it', () => {
    const result = parseSubmission({ ...base, conditions: 'order_number subject\ncompany: business', 'custom.subject': 'Other' });
    expect(result).toMatchObject({ ok: false, fields: { 'custom.order_number': 'required' } });
    if (result.ok) return;
    expect(result.fields.company).toBeUndefined();
  });

  it('refuses conditions longer than the limit as too long, rather than cutting them', () => {
    const result = parseSubmission({ ...base, conditions: 'x'.repeat(2001) });
    expect(result).toMatchObject({ ok: false, fields: { conditions: 'too_long' } });
  });

  it('cannot hide the email or the consent box', () => {
    expect(parseSubmission({ email: '', conditions: 'email: company' })).toMatchObject({ ok: false, fields: { email: 'required' } });
    const consent = parseSubmission({ email: 'ann@example.com', conditions: 'email_marketing_consent: company', consent_required: 'on' });
    expect(consent).toMatchObject({ ok: false, fields: { email_marketing_consent: 'consent_required' } });
  });
});
