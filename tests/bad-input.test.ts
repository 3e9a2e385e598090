import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signProxyQuery } from '../dev/proxy-signer.js';
import { ENGINES } from './helpers/databases.js';
import { rowCounts } from './helpers/db.js';
import { SECRET, SHOP, type TestApp, startTestApp } from './helpers/runtime.js';

/**
 * Malformed requests, one class per row: each gets a precise 4xx with a machine-readable reason and writes nothing
 * (no lead, no consent record, no job, no rate counter consumed beyond the request itself).
 */
const good = () => ({ email: 'bad-input@example.com', email_marketing_consent: true, rendered_at: Date.now() - 10_000 });
const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const form = (body: string): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
const raw = (bytes: number[], type = 'application/json'): RequestInit => ({ method: 'POST', headers: { 'content-type': type }, body: new Uint8Array(bytes) });

type Case = [name: string, init: RequestInit, status: number, reason: string, field?: string];
const cases: Case[] = [
  ['email as a number', json({ ...good(), email: 42 }), 422, 'invalid_fields', 'email'],
  ['first name as an object', json({ ...good(), first_name: { $ne: '' } }), 422, 'invalid_fields', 'first_name'],
  ['message as an array', json({ ...good(), message: ['a', 'b'] }), 422, 'invalid_fields', 'message'],
  ['consent as a word', json({ ...good(), email_marketing_consent: 'maybe' }), 422, 'invalid_fields', 'email_marketing_consent'],
  ['consent as null', json({ ...good(), email_marketing_consent: null }), 422, 'invalid_fields', 'email_marketing_consent'],
  ['a missing email', json({ email_marketing_consent: true }), 422, 'invalid_fields', 'email'],
  ['an email without a domain', json({ ...good(), email: 'ann@' }), 422, 'invalid_fields', 'email'],
  ['an email with spaces inside', json({ ...good(), email: 'ann smith@example.com' }), 422, 'invalid_fields', 'email'],
  ['a very long email', json({ ...good(), email: `${'a'.repeat(250)}@example.com` }), 422, 'invalid_fields', 'email'],
  ['a first name over 100 characters', json({ ...good(), first_name: 'x'.repeat(101) }), 422, 'invalid_fields', 'first_name'],
  ['a message over 5,000 characters', json({ ...good(), message: 'x'.repeat(5001) }), 422, 'invalid_fields', 'message'],
  ['a phone with letters', json({ ...good(), phone: '+33 six' }), 422, 'invalid_fields', 'phone'],
  ['a national phone without country code', json({ ...good(), phone: '06 12 34 56 78' }), 422, 'invalid_fields', 'phone'],
  ['a NUL byte in a name', json({ ...good(), first_name: 'Ann\u0000' }), 422, 'invalid_fields', 'first_name'],
  ['a bell character in a message', json({ ...good(), message: 'hi\u0007' }), 422, 'invalid_fields', 'message'],
  ['a line break in a single-line field', json({ ...good(), last_name: 'Smith\nBcc: x@y.z' }), 422, 'invalid_fields', 'last_name'],
  ['a malformed locale', json({ ...good(), locale: 'en_US;drop' }), 422, 'invalid_fields', 'locale'],
  ['a page path over 2 KiB', json({ ...good(), page: `/${'p'.repeat(2100)}` }), 422, 'invalid_fields', 'page'],
  // Form ids name forms in the workspace and settings: an open alphabet let a sender fill its list with ids of their own.
  ['a form id with spaces', json({ ...good(), form_id: '0junk 1' }), 422, 'invalid_fields', 'form_id'],
  ['a form id with markup', json({ ...good(), form_id: '<b>x</b>' }), 422, 'invalid_fields', 'form_id'],
  ['a malformed rendered_at', json({ ...good(), rendered_at: 'yesterday' }), 422, 'invalid_fields', 'rendered_at'],
  [
    'missing consent where the form requires it',
    json({ ...good(), email_marketing_consent: false, consent_required: true }),
    422,
    'invalid_fields',
    'email_marketing_consent',
  ],
  ['an unknown field', json({ ...good(), is_admin: true }), 400, 'unknown_fields'],
  ['a shop in the body', json({ ...good(), shop: 'victim.myshopify.com' }), 400, 'unknown_fields'],
  ['broken JSON', json('{"email": "a@b.co",'), 400, 'malformed_json'],
  ['a JSON string', json('"a@b.co"'), 400, 'malformed_json'],
  ['JSON null', json('null'), 400, 'malformed_json'],
  ['a JSON array', json('[{"email":"a@b.co"}]'), 400, 'malformed_json'],
  ['invalid UTF-8 in JSON', raw([0x7b, 0x22, 0x65, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), 400, 'invalid_encoding'],
  ['an invalid percent-escape in a form', form('email=a%FFb%40example.com'), 400, 'invalid_encoding'],
  // A lone surrogate escape is not text: stored, it would turn into U+FFFD, which the form path refuses.
  ['a lone surrogate escape in JSON', json('{"email":"lone@example.com","first_name":"Ana\\ud800"}'), 400, 'invalid_encoding'],
  ['a lone surrogate escape in a JSON key', json('{"email":"lone@example.com","\\udc00":"x"}'), 400, 'invalid_encoding'],
  ['a repeated form field', form('email=a%40b.co&email=c%40d.co'), 400, 'repeated_field'],
  ['an empty body', json(''), 400, 'malformed_json'],
  ['plain text', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'email=a@b.co' }, 415, 'unsupported_media_type'],
  ['multipart form data', { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x--' }, 415, 'unsupported_media_type'],
  ['no content type', { method: 'POST', body: '{}' }, 415, 'unsupported_media_type'],
  ['a body over 16 KiB', json({ ...good(), message: 'x'.repeat(16_500) }), 413, 'body_too_large'],
  ['a declared length over 16 KiB', json(good(), { 'content-length': '999999' }), 413, 'body_too_large'],
  ['an idempotency key with bad characters', json(good(), { 'idempotency-key': 'key with spaces' }), 400, 'invalid_idempotency_key'],
  ['an idempotency key too short', json(good(), { 'idempotency-key': 'abc' }), 400, 'invalid_idempotency_key'],
];

describe.each(ENGINES)('bad input on %s', (engine) => {
  let t: TestApp | null;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => t?.close());

  const snapshot = () => rowCounts(t!.runtime.storage.db);

  it(`covers at least 30 classes (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.for(cases)('%s: answers 4xx with a reason and writes nothing', async ([, init, status, reason, field], ctx) => {
    if (!t) return ctx.skip();
    const before = await snapshot();
    const response = await t.proxy('/submit', init);
    expect(response.status).toBe(status);
    const body = (await response.json()) as { error: string; fields?: Record<string, { code: string; message: string }> };
    expect(body.error).toBe(reason);
    if (field) expect(body.fields?.[field]?.message, JSON.stringify(body.fields)).toBeTruthy();
    expect(await snapshot()).toEqual(before);
  });

  it('a request whose signature does not cover its query is 401 and writes nothing', async (ctx) => {
    if (!t) return ctx.skip();
    const before = await snapshot();
    const params = signProxyQuery(new URLSearchParams(), { shop: SHOP, loggedInCustomerId: null, pathPrefix: '/apps/contact-capture' }, `${SECRET}-wrong`);
    const response = await t.runtime.app.request(`/proxy/submit?${params}`, json(good()));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'invalid_signature' });
    expect(await snapshot()).toEqual(before);
  });
});
