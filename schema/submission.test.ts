import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS } from './fields.js';
import { normalizePhone, parseSubmission } from './submission.js';

describe('the shared submission schema', () => {
  it('accepts a typical form post and reads the checkbox', () => {
    const result = parseSubmission({ email: ' ann@example.com ', email_marketing_consent: 'on', first_name: 'Ann', message: '' });
    expect(result).toEqual({ ok: true, value: { email: 'ann@example.com', email_marketing_consent: true, first_name: 'Ann', answers: {}, custom: [] } });
  });

  it('ignores a __proto__ key: a required field is not satisfied by values it would make inherited', () => {
    const post = JSON.parse(
      '{"email":"ann@example.com","required_fields":"first_name,phone","__proto__":{"first_name":"Ann","phone":"+33612345678"},"custom.__proto__":{"x":"1"}}',
    ) as Record<string, unknown>;
    const result = parseSubmission(post);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.fields).toMatchObject({ first_name: 'required', phone: 'required' });
    // Without the key, the same post is accepted as it would be anyway.
    expect(parseSubmission(JSON.parse('{"email":"ann@example.com","__proto__":{"email":"bob@example.com"}}') as Record<string, unknown>)).toMatchObject({
      ok: true,
      value: { email: 'ann@example.com' },
    });
  });

  it('treats an absent checkbox as no consent, and never as consent', () => {
    const result = parseSubmission({ email: 'a@example.com' });
    expect(result.ok && result.value.email_marketing_consent).not.toBe(true);
  });

  it('reports each field with a code, and unknown fields apart', () => {
    const result = parseSubmission({ email: 'x', phone: '0612', first_name: 'a'.repeat(LIMITS.name + 1), shop: 'evil' });
    expect(result).toEqual({
      ok: false,
      fields: { email: 'invalid_email', phone: 'invalid_phone', first_name: 'too_long' },
      unknown: ['shop'],
      invalidSpec: false,
      custom: [],
      conditions: [],
    });
  });

  it('requires an email', () => {
    expect(parseSubmission({})).toMatchObject({ ok: false, fields: { email: 'required' } });
  });

  it.each([
    ['+33 6 12 34 56 78', '+33612345678'],
    ['0044 (20) 7946-0000', '+442079460000'],
    ['06 12 34 56 78', null],
    ['+0 123 456', null],
  ])('normalizes phone %s to %s', (input, expected) => {
    expect(normalizePhone(input)).toBe(expected);
  });

  it('never throws, and never accepts an email over the limit, whatever it is given', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 20 }), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null))), (input) => {
        const result = parseSubmission(input);
        if (result.ok) {
          expect(result.value.email.length).toBeLessThanOrEqual(LIMITS.email);
          expect(
            Object.keys(input).every(
              (k) =>
                k in
                {
                  first_name: 1,
                  last_name: 1,
                  email: 1,
                  phone: 1,
                  message: 1,
                  email_marketing_consent: 1,
                  consent_text: 1,
                  locale: 1,
                  page: 1,
                  form_id: 1,
                  idempotency_key: 1,
                },
            ),
          ).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('accepts every well-formed submission it is given', () => {
    fc.assert(
      fc.property(fc.emailAddress(), fc.boolean(), fc.string({ maxLength: LIMITS.message }), (email, consent, message) => {
        fc.pre(email.length <= LIMITS.email);
        const result = parseSubmission({ email, email_marketing_consent: consent, message });
        expect(result.ok).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
