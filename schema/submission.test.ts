import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS } from './fields.js';
import * as z from 'zod/mini';
import { FAST_FIELDS, normalizePhone, parseFieldsFast, parseSubmission, submissionSchema } from './submission.js';

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

/**
 * parseFieldsFast answers for zod on the common case: wherever it gives a value, zod must accept the same input and give
 * the very same value (keys in the same order); wherever zod refuses, it must give nothing. Seeded, so a failure repeats.
 */
describe('the fast path of the submission parse', () => {
  const pad = fc.constantFrom('', ' ', '  ', '\t', '\n', '\u00a0');
  const padded = (arb: fc.Arbitrary<string>) => fc.tuple(pad, arb, pad).map(([a, v, b]) => `${a}${v}${b}`);
  const chars = fc.constantFrom(...'aZ09 _-.@+:é\u0000\u0007\n\r\t\u2028\u007f()/'.split(''));
  const junkString = fc.oneof(fc.string(), fc.string({ unit: chars, maxLength: 40 }), fc.string({ minLength: 240, maxLength: 5100 }));
  const junk = fc.oneof(
    junkString,
    fc.constantFrom<unknown>(
      true,
      false,
      0,
      1,
      1.5,
      -1,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      null,
      [],
      {},
      ['on'],
      1700000000000,
      '1700000000000',
      'on',
      'doi:1',
    ),
  );
  const hex64 = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'.split('')), minLength: 64, maxLength: 64 });
  const checkbox = fc.constantFrom<unknown>(true, false, 'on', 'true', 'false', 'yes', '1', '0', 'On', 'no');
  const atLength = (max: number) => fc.constantFrom(max - 1, max, max + 1).chain((n) => padded(fc.constant('x'.repeat(n))));
  const text = (max: number) => fc.oneof(padded(fc.string({ unit: chars, maxLength: 30 })), atLength(max), padded(fc.string({ maxLength: 30 })));
  const good: Record<string, fc.Arbitrary<unknown>> = {
    email: fc.oneof(padded(fc.constantFrom('a@b.co', 'Ann.O!Neil@example.com', 'x@localhost', 'a@-b.co', '@b.co')), padded(fc.emailAddress())),
    phone: padded(fc.constantFrom('+33 6 12 34 56 78', '0033612345678', '+1 (555) 010-9999', '0612345678', '+0 123', '+3361234567812345678')),
    birthday: padded(fc.constantFrom('1990-02-28', '2000-02-29', '1990-02-30', '1990-13-01', '1990-1-1')),
    country: padded(fc.constantFrom('fr', 'FR', 'f', 'fra', '1a')),
    locale: padded(fc.constantFrom('en', 'fr-CA', 'pt-BR', 'zh-Hant-TW', 'x', 'abcd', 'en-', 'abcdefgh-abcdefghi', 'abc-defgh-ijklmno')),
    form_id: padded(fc.constantFrom('contact', 'wholesale_2', 'a b', 'x'.repeat(64), 'x'.repeat(65))),
    idempotency_key: fc.constantFrom('abcdefgh', 'bench-1-2', 'short', ' abcdefgh', 'x'.repeat(128), 'x'.repeat(129)),
    website: fc.oneof(fc.string({ maxLength: 20 }), atLength(500)),
    rendered_at: fc.constantFrom<unknown>('1700000000000', '170000000', 1700000000000, 1.5, -3, ' 1700000000000', Number.NaN, '17000000000000000'),
    'cf-turnstile-response': fc.oneof(fc.string({ maxLength: 20 }), atLength(4096)),
    custom_fields: fc.oneof(fc.constant('[]'), atLength(4000)),
    double_opt_in: fc.constantFrom('doi:0', 'doi:30', 'doi:123', ' doi:1', 'doi:'),
    attachment: fc.constantFrom('A'.repeat(43), 'A'.repeat(42), ' '.repeat(43), `${'A'.repeat(42)}=`),
    required_fields: text(200),
    conditions: text(2000),
    tags: text(500),
    page: text(LIMITS.page),
  };
  const ruleOf = (key: string): fc.Arbitrary<unknown> => {
    if (key in good) return good[key]!;
    if (key.endsWith('_sig'))
      return fc.oneof(
        hex64,
        hex64.map((h) => h.toUpperCase()),
        hex64.map((h) => ` ${h}`),
      );
    if (key.endsWith('_consent') || key === 'consent_required') return checkbox;
    if (key.endsWith('consent_text')) return text(LIMITS.consentText);
    if (key === 'message') return text(LIMITS.message);
    if (key === 'first_name' || key === 'last_name') return text(LIMITS.name);
    if (key === 'zip') return text(LIMITS.zip);
    return text(LIMITS.text);
  };
  // Values each field accepts, so that whole posts pass (zod accepts them) as often as posts with an edge or junk.
  const safe = fc.constantFrom(...'aZ09 _-.@+:é()/'.split(''));
  const clean = (max: number, lines = false) => padded(fc.string({ unit: lines ? fc.oneof(safe, fc.constant('\n')) : safe, maxLength: Math.min(max - 2, 30) }));
  const valid: Record<string, fc.Arbitrary<unknown>> = {
    email: padded(fc.constantFrom('a@b.co', 'Ann.O!Neil@example.com')),
    phone: padded(fc.constantFrom('+33 6 12 34 56 78', '0033612345678', '+1 (555) 010-9999')),
    birthday: padded(fc.constantFrom('1990-02-28', '2000-02-29')),
    country: padded(fc.constantFrom('fr', 'FR')),
    locale: padded(fc.constantFrom('en', 'fr-CA', 'zh-Hant-TW')),
    form_id: padded(fc.constantFrom('contact', 'wholesale_2')),
    idempotency_key: fc.constantFrom('abcdefgh', 'bench-1-2'),
    website: fc.string({ maxLength: 20 }),
    rendered_at: fc.constantFrom<unknown>('1700000000000', 1700000000000, 1.5),
    'cf-turnstile-response': fc.string({ maxLength: 20 }),
    custom_fields: fc.string({ maxLength: 20 }),
    double_opt_in: fc.constantFrom('doi:0', 'doi:30'),
    attachment: fc.constantFrom('A'.repeat(43), `b_-${'9'.repeat(40)}`),
  };
  const validOf = (key: string): fc.Arbitrary<unknown> => {
    if (key in valid) return valid[key]!;
    if (key.endsWith('_sig')) return hex64;
    if (key.endsWith('_consent') || key === 'consent_required') return fc.constantFrom<unknown>(true, false, 'on', 'true', 'false', 'yes', '1', '0');
    return clean(LIMITS.name, key === 'message' || key.endsWith('consent_text') || key === 'conditions');
  };
  const post = (value: (key: string) => fc.Arbitrary<unknown>) =>
    fc.record(
      Object.fromEntries(
        FAST_FIELDS.map((key) => [
          key,
          key === 'email' ? fc.option(value(key), { freq: 20 }) : fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, value(key)),
        ]),
      ),
    );
  // Posts of good values; posts mostly of the field's own kind with its edges, now and then anything at all; and now
  // and then a key the schema lacks.
  const input = fc
    .oneof(
      post(validOf),
      post((key) => fc.oneof({ arbitrary: ruleOf(key), weight: 30 }, { arbitrary: junk, weight: 1 })),
      // A good post but for one field's edge or junk: the case where one rule alone decides.
      fc
        .tuple(post(validOf), fc.constantFrom(...FAST_FIELDS))
        .chain(([fields, key]) =>
          fc.oneof({ arbitrary: ruleOf(key), weight: 4 }, { arbitrary: junk, weight: 1 }).map((value) => ({ ...fields, [key]: value })),
        ),
    )
    .chain((fields) =>
      fc
        .oneof({ arbitrary: fc.constant(null), weight: 19 }, fc.constantFrom('shop', 'custom.size', '__proto__', 'constructor', 'toString'))
        .map((extra) => ({ fields, extra })),
    )
    .map(({ fields, extra }) => {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(fields)) if (value !== null && value !== undefined) out[key] = value;
      if (extra) Object.defineProperty(out, extra, { value: 'x', enumerable: true, configurable: true, writable: true });
      return out;
    });

  it('gives exactly what zod gives wherever it gives anything, and nothing where zod refuses', () => {
    let fast = 0;
    let zodAccepted = 0;
    fc.assert(
      fc.property(input, (given) => {
        const mine = parseFieldsFast(given);
        const theirs = z.safeParse(submissionSchema, given);
        if (theirs.success) zodAccepted++;
        if (mine === undefined) return;
        fast++;
        expect(theirs.success).toBe(true);
        expect(mine).toStrictEqual(theirs.data);
        expect(Object.keys(mine)).toEqual(Object.keys(theirs.data!));
      }),
      { seed: 20261130, numRuns: 6000 },
    );
    // Not vacuous: the generated inputs reach both answers, and the fast path takes most of what zod accepts.
    expect(fast).toBeGreaterThan(1000);
    expect(fast).toBeGreaterThan(zodAccepted * 0.8);
  });

  it('takes a typical post of the block', () => {
    const post = {
      email: 'bench@example.com',
      first_name: 'Bench',
      message: 'Hello.',
      email_marketing_consent: true,
      consent_text: 'Email me offers.',
      locale: 'en',
      form_id: 'contact',
      rendered_at: 1700000000000,
      double_opt_in: 'doi:0',
      double_opt_in_sig: 'a'.repeat(64),
    };
    expect(parseFieldsFast(post)).toStrictEqual(z.safeParse(submissionSchema, post).data);
  });
});
