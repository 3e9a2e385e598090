import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import pino from 'pino';
import { Writable } from 'node:stream';
import { mintCheckoutToken } from '../../dev/session-token.js';
import type { TestEngine } from './databases.js';
import { API_KEY, SECRET, SHOP, type TestApp, startTestApp } from './runtime.js';
import { signedWebhook } from './webhook.js';

/**
 * Generated malformed input to every entry point, while legitimate shoppers submit at the same time (issue 11, E):
 * every legitimate submission must be acknowledged and synced, malformed ones answered 4xx (or accepted and harmless),
 * no 5xx, and the worker still working afterwards. Cases come from fast-check with a fixed seed, so a run is
 * reproducible; `tests/fuzz.test.ts` runs a short one per engine and `npm run bench:fuzz` a longer one.
 */
export interface FuzzOptions {
  engine: TestEngine;
  seed: number;
  /** Generated malformed requests. */
  cases: number;
  /** Legitimate submissions sent while they run. */
  legit: number;
  concurrency?: number;
}

export interface FuzzReport {
  engine: TestEngine;
  seed: number;
  /** Per entry point, how many requests got each status class (2xx, 4xx, 5xx). */
  byEntry: Record<string, Record<string, number>>;
  legit: { sent: number; acknowledged: number; synced: number };
  /** Every 5xx with what was sent (the entry point and a short excerpt of the request). */
  serverErrors: Array<{ entry: string; status: number; request: string; response: string }>;
  /** Error names logged by the app while the run lasted (never values). */
  loggedErrors: string[];
  workerStillWorking: boolean;
}

/** Another shop: the destructive webhooks (shop/redact, app/uninstalled) go there, so legitimate leads stay in play. */
const OTHER_SHOP = 'fuzz-other-shop.myshopify.com';
const CUSTOMER = '4242';
/** Placeholder for the id of the lead seeded before the run (the API cases act on it). */
const KNOWN_LEAD = '{known-lead}';

const NASTY = [
  '',
  '[null]',
  '{"key":"x"}',
  '[{"key":"consent_proof","kind":"text","required":false}]',
  'v2:AAAA:BBBB:CCCC',
  'v3:dev:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBB==:CCCC',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u0007bell',
  'line\nbreak',
  'crlf\r\nBcc: x@y.z',
  '\u2028',
  '\ud800',
  '\udfff\ud800',
  '\uffff',
  '%00',
  '%',
  '../../etc/passwd',
  "'; drop table leads; --",
  '<script>alert(1)</script>',
  '{{ shop.name }}',
  '{% raw %}',
  '=1+1',
  'x'.repeat(300),
  'x'.repeat(6000),
  '１２３',
  '👩‍👩‍👧‍👦',
  'gid://shopify/Customer/1',
  '1e309',
  '-1',
  'NaN',
  'true',
  'null',
  '[]',
  '{}',
  '[null]',
  '{"key":"x","kind":"text","required":true}',
  'a@b',
  'anna@example.com',
  '+33612345678',
  '2026-02-30',
];

/** Keys never generated (none since issue 11's fixes landed: ciphertext-looking values, custom_fields specs). */
const EXCLUDED_KEYS = new Set<string>([]);

function defuse(value: unknown): unknown {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(defuse);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !EXCLUDED_KEYS.has(k))
        .map(([k, v]) => [k, defuse(v)]),
    );
  return value;
}

/** Short strings made mostly of the characters that break things: NUL and other controls, lone surrogates, quotes. */
const controlish = fc.string({
  unit: fc.constantFrom('a', 'Z', ' ', 'é', '\u0000', '\u0001', '\u001f', '\u007f', '\n', '\r', '\t', '\u2028', '\ud800', '%', '\\', '"'),
  minLength: 1,
  maxLength: 12,
});
const text = fc.oneof(fc.constantFrom(...NASTY), controlish, fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ maxLength: 12 }));
const scalar = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const value = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(text, scalar, { maxKeys: 3 }) },
);

const SUBMISSION_FIELDS = [
  'first_name',
  'last_name',
  'email',
  'phone',
  'company',
  'message',
  'birthday',
  'address1',
  'address2',
  'city',
  'province',
  'zip',
  'country',
  'email_marketing_consent',
  'sms_marketing_consent',
  'consent_text',
  'sms_consent_text',
  'consent_required',
  'required_fields',
  'locale',
  'page',
  'form_id',
  'idempotency_key',
  'website',
  'rendered_at',
  'tags',
  'tags_sig',
  'custom_fields',
  'custom_fields_sig',
  'custom.shoe_size',
  'custom.x',
  'custom.consent_proof',
];
/** A submission where some fields are fine and some are not: malformed values among plausible ones. */
const VALID_SUBMISSION = {
  email: 'fuzz@example.com',
  first_name: 'Fuzz',
  last_name: 'Tester',
  message: 'Hello',
  email_marketing_consent: true,
  consent_text: 'Email me news.',
  locale: 'en',
  form_id: 'contact',
  page: '/pages/contact',
};
const submission = fc
  .record({
    keep: fc.subarray(Object.keys(VALID_SUBMISSION)),
    noise: fc.dictionary(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...SUBMISSION_FIELDS) }, { weight: 1, arbitrary: text }), value, { maxKeys: 3 }),
  })
  .map(
    ({ keep, noise }) =>
      defuse({
        ...Object.fromEntries(keep.map((k) => [k, VALID_SUBMISSION[k as keyof typeof VALID_SUBMISSION]])),
        rendered_at: Date.now() - 60_000,
        ...noise,
      }) as Record<string, unknown>,
  );

/** Percent-encodes; a lone surrogate (which encodeURIComponent refuses) becomes the bytes of one, invalid UTF-8. */
const enc = (s: string): string => {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80';
  }
};
const formBody = (fields: Record<string, unknown>) =>
  new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? v : (JSON.stringify(v) ?? '')])).toString();

type Case =
  | { entry: 'submit:json'; body: Record<string, unknown> | string; contentType: string; idempotencyKey: string | null }
  | { entry: 'submit:form'; body: string }
  | { entry: 'submit:bytes'; bytes: number[]; contentType: string }
  | { entry: 'view'; body: string; contentType: string }
  | { entry: 'privacy'; path: '/' | '/correct' | '/delete'; fields: Record<string, unknown>; validToken: boolean; customer: string | null; query: string }
  | { entry: 'checkout:answers'; body: unknown; raw: string | null }
  | { entry: 'webhook'; topic: string; payload: unknown }
  | { entry: 'api'; method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'; path: string; body: unknown };

const contentTypes = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/x-www-form-urlencoded',
  'text/plain',
  'multipart/form-data; boundary=x',
  '',
);
const idempotency = fc.oneof(
  fc.constant(null),
  fc.constantFrom('short', 'fuzz-key-0000001', 'with space in it', 'ünïcödé-key-123'),
  fc.string({ minLength: 8, maxLength: 20, unit: 'binary-ascii' }),
);

const TOPICS = [
  'customers/data_request',
  'customers/redact',
  'shop/redact',
  'app/uninstalled',
  'orders/create',
  'customers_email_marketing_consent/update',
  'customers_marketing_consent/update',
  'orders/paid',
  'products/create',
];
/** Plausible payloads with malformed pieces: a fuzzer that only sent garbage would never get past the parser. */
const webhookPayload = (topic: string) =>
  fc
    .record({
      id: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 1e9 }) }, text, fc.constant(null)),
      customer: fc.oneof(
        fc.constant(null),
        fc.record({
          id: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 1e9 }) }, text),
          email: fc.oneof(text, fc.constant(null)),
          phone: fc.oneof(text, fc.constant(null)),
          first_name: text,
          last_name: text,
        }),
      ),
      email: fc.oneof(text, fc.constant(null)),
      customer_id: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 1e9 }) }, text, fc.constant(null)),
      email_address: fc.oneof(text, fc.constant(null)),
      note_attributes: fc
        .array(
          fc.record({
            name: fc.oneof(
              {
                weight: 6,
                arbitrary: fc.constantFrom(
                  'cc_source',
                  'cc_consent',
                  'cc_consent_text',
                  'cc_birthday',
                  'cc_heard_about',
                  'cc_company',
                  'cc_custom_kinds',
                  'cc_custom_size',
                  'cc_locale',
                ),
              },
              { weight: 1, arbitrary: text },
            ),
            value: value,
          }),
          { maxLength: 3 },
        )
        .map((noise) => [
          { name: 'cc_consent', value: 'yes' },
          { name: 'cc_company', value: 'Atelier' },
          { name: 'cc_consent_text', value: 'Keep my answers.' },
          ...noise,
        ]),
      state: fc.oneof(fc.constantFrom('SUBSCRIBED', 'UNSUBSCRIBED', 'subscribed'), text),
      extra: fc.dictionary(text, value, { maxKeys: 2 }),
      drop: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    })
    .map((p) => {
      const consent = { state: p.state, opt_in_level: 'SINGLE_OPT_IN', consent_updated_at: typeof p.email === 'string' ? p.email : null };
      const shaped: Record<string, unknown> =
        {
          'customers/data_request': { shop_domain: SHOP, customer: p.customer ?? {}, data_request: { id: p.id } },
          'customers/redact': { shop_domain: SHOP, customer: p.customer ?? {} },
          'shop/redact': { shop_domain: OTHER_SHOP },
          'orders/create': { id: p.id, email: p.email, customer: p.customer, note_attributes: p.note_attributes },
          'customers_email_marketing_consent/update': { customer_id: p.customer_id, email_address: p.email_address, email_marketing_consent: consent },
          'customers_marketing_consent/update': { id: p.customer_id, phone: p.email_address, sms_marketing_consent: consent },
        }[topic] ?? p.extra;
      return defuse(p.drop ? p.extra : { ...(shaped as object), ...p.extra });
    });

const API_PATHS = [
  '/leads',
  '/leads/counts',
  '/leads/facets',
  '/insights',
  '/leads/export.csv',
  '/me',
  '/staff',
  '/audit',
  '/compliance/requests',
  '/settings/retention',
];
const QUERY_KEYS = ['q', 'form', 'from', 'to', 'consent', 'status', 'tag', 'handled', 'sort', 'limit', 'cursor', 'before', 'format'];
const apiCase = fc.oneof(
  fc
    .record({ path: fc.constantFrom(...API_PATHS), query: fc.dictionary(fc.constantFrom(...QUERY_KEYS), text, { maxKeys: 3 }) })
    .map(({ path, query }) => ({ entry: 'api' as const, method: 'GET' as const, path: `${path}?${new URLSearchParams(query)}`, body: null })),
  fc
    .record({
      id: fc.oneof(
        { weight: 3, arbitrary: fc.constant(KNOWN_LEAD) },
        fc.constantFrom('01900000-0000-7000-8000-000000000000', '..', '%00', '%2e%2e', 'x'.repeat(300)),
        fc.string({ maxLength: 10, unit: 'binary-ascii' }),
      ),
      action: fc.constantFrom('', '/consent', '/release', '/retry', '/handled', '/notes'),
      // No DELETE of a real lead: the run needs it; erasure is fuzzed through self-service and webhooks.
      method: fc.constantFrom('GET', 'POST', 'PATCH'),
      body: fc.oneof(
        {
          weight: 3,
          arbitrary: fc
            .dictionary(fc.constantFrom('first_name', 'last_name', 'phone', 'body', 'handled', 'country', 'zip', 'city', 'extra'), value, { maxKeys: 2 })
            .map((noise) => ({ email: 'fuzz.customer@example.com', body: 'A note', ...noise })),
        },
        value,
      ),
    })
    .map(({ id, action, method, body }) => ({
      entry: 'api' as const,
      method: method,
      path: `/leads/${enc(id).replace(/%25/g, '%')}${action}`,
      body: defuse(body),
    })),
  fc
    .record({ user: fc.oneof(fc.constantFrom('5', '1', '99999999999999999999', 'abc'), text), body: value })
    .map(({ user, body }) => ({ entry: 'api' as const, method: 'PUT' as const, path: `/staff/${enc(user)}`, body: defuse({ role: body }) })),
  value.map((months) => ({ entry: 'api' as const, method: 'PUT' as const, path: '/settings/retention', body: defuse({ months }) })),
  text.map((id) => ({ entry: 'api' as const, method: 'GET' as const, path: `/compliance/requests/${enc(id) || 'x'}/package?format=csv`, body: null })),
);

const caseArb: fc.Arbitrary<Case> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .record({ body: submission, contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8'), idempotencyKey: idempotency })
      .map((c) => ({ entry: 'submit:json' as const, ...c })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        body: fc.oneof(
          text,
          fc.jsonValue().map((v) => JSON.stringify(defuse(v))),
        ),
        contentType: contentTypes,
        idempotencyKey: fc.constant(null),
      })
      .map((c) => ({ entry: 'submit:json' as const, ...c })),
  },
  { weight: 3, arbitrary: submission.map((fields) => ({ entry: 'submit:form' as const, body: formBody(fields) })) },
  {
    weight: 1,
    arbitrary: fc
      .record({ bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 64 }), contentType: contentTypes })
      .map((c) => ({ entry: 'submit:bytes' as const, ...c })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        body: fc.oneof(
          text,
          fc.dictionary(fc.constantFrom('form_id', 'x'), text, { maxKeys: 2 }).map((d) => formBody(d as Record<string, unknown>)),
        ),
        contentType: contentTypes,
      })
      .map((c) => ({ entry: 'view' as const, ...c })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        path: fc.constantFrom('/' as const, '/correct' as const, '/delete' as const),
        fields: fc.dictionary(fc.constantFrom('first_name', 'last_name', 'phone', 'locale', 'confirm', 'token', 'extra'), value, { maxKeys: 5 }),
        validToken: fc.boolean(),
        customer: fc.constantFrom(CUSTOMER, null),
        query: fc.dictionary(fc.constantFrom('locale', 'x'), text, { maxKeys: 1 }).map((q) => new URLSearchParams(q).toString()),
      })
      .map((c) => ({ entry: 'privacy' as const, ...c, fields: defuse(c.fields) as Record<string, unknown> })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        order: fc.oneof(
          fc.integer({ min: 1, max: 1e6 }).map((n) => `gid://shopify/OrderIdentity/${9_000_000 + n}`),
          text,
        ),
        attributes: fc.oneof(
          {
            weight: 4,
            arbitrary: fc
              .dictionary(
                fc.oneof(
                  {
                    weight: 6,
                    arbitrary: fc.constantFrom(
                      'cc_consent',
                      'cc_consent_text',
                      'cc_heard_about',
                      'cc_birthday',
                      'cc_company',
                      'cc_custom_kinds',
                      'cc_custom_size',
                      'cc_locale',
                    ),
                  },
                  { weight: 1, arbitrary: text },
                ),
                value,
                { maxKeys: 3 },
              )
              .map((noise) => ({ cc_heard_about: 'Radio', cc_consent: 'yes', cc_consent_text: 'Keep my answers.', ...noise })),
          },
          { weight: 1, arbitrary: value },
        ),
        raw: fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: text }),
      })
      .map(({ order, attributes, raw }) => ({ entry: 'checkout:answers' as const, body: defuse({ order_id: order, attributes }), raw })),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(...TOPICS).chain((topic) => webhookPayload(topic).map((payload) => ({ entry: 'webhook' as const, topic, payload }))),
  },
  { weight: 3, arbitrary: apiCase },
);

const selfServiceToken = (customer: string) =>
  createHmac('sha256', SECRET)
    .update(`self-service:${SHOP}:${customer}:${new Date().toISOString().slice(0, 10)}`)
    .digest('hex');

async function send(t: TestApp, c: Case, staffToken: string, knownLead: string): Promise<Response> {
  switch (c.entry) {
    case 'submit:json':
      return t.proxy('/submit', {
        method: 'POST',
        headers: { 'content-type': c.contentType, ...(c.idempotencyKey ? { 'idempotency-key': c.idempotencyKey } : {}) },
        body: typeof c.body === 'string' ? c.body : JSON.stringify(c.body),
      });
    case 'submit:form':
      return t.proxy('/submit', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: c.body });
    case 'submit:bytes':
      return t.proxy('/submit', { method: 'POST', headers: c.contentType ? { 'content-type': c.contentType } : {}, body: new Uint8Array(c.bytes) });
    case 'view':
      return t.proxy('/view', { method: 'POST', headers: c.contentType ? { 'content-type': c.contentType } : {}, body: c.body });
    case 'privacy': {
      const fields = { ...c.fields, ...(c.validToken && c.customer ? { token: selfServiceToken(c.customer) } : {}) };
      if (c.path === '/') return t.proxy(`/privacy?${c.query}`.replace(/\?$/, ''), { customerId: c.customer });
      return t.proxy(`/privacy${c.path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: formBody(fields),
        customerId: c.customer,
      });
    }
    case 'checkout:answers': {
      const token = await mintCheckoutToken({ shop: SHOP, apiKey: API_KEY, secret: SECRET });
      return t.runtime.app.request('/checkout/answers', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: c.raw ?? JSON.stringify(c.body),
      });
    }
    case 'webhook': {
      const shop = c.topic === 'shop/redact' || c.topic === 'app/uninstalled' ? OTHER_SHOP : SHOP;
      return t.runtime.app.request(`/webhooks/${c.topic}`, signedWebhook(c.topic, c.payload, { shop }));
    }
    case 'api': {
      const init: RequestInit = {
        method: c.method,
        headers: { authorization: `Bearer ${staffToken}`, ...(c.method === 'GET' || c.method === 'DELETE' ? {} : { 'content-type': 'application/json' }) },
      };
      if (c.method !== 'GET' && c.method !== 'DELETE') init.body = JSON.stringify(c.body ?? null);
      return t.runtime.app.request(`/api${c.path.replace(KNOWN_LEAD, knownLead)}`, init);
    }
  }
}

const excerpt = (c: Case) => JSON.stringify(c).slice(0, 400);

/** Runs `work` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i]!, i);
      }
    }),
  );
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport | null> {
  const loggedErrors: string[] = [];
  // The app logs an unexpected error by name and stack; the fuzzer keeps the names, to report with the 5xx.
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        try {
          const entry = JSON.parse(line) as { err?: { name?: string; message?: string; stack?: string }; msg?: string; path?: string };
          loggedErrors.push(
            `${entry.msg ?? ''} ${entry.path ?? ''}: ${entry.err?.name ?? ''} ${(entry.err?.message ?? '').slice(0, 160)}${process.env.FUZZ_DEBUG ? (entry.err?.stack ?? '').slice(0, 600) : ''}`,
          );
        } catch {
          loggedErrors.push(line.slice(0, 200));
        }
      }
      done();
    },
  });
  const t = await startTestApp(
    options.engine,
    { RATE_LIMIT_PER_IP_PER_MINUTE: '1000000', RATE_LIMIT_PER_SHOP_PER_MINUTE: '1000000', SPAM_MIN_FILL_MS: '0' },
    pino({ level: 'error' }, sink),
  );
  if (!t) return null;
  try {
    // Shopify's bucket is made roomy: this run is about input, not pacing (bench/sync.ts measures that).
    t.emulator.configure({ bucket: { maximumAvailable: 10_000_000, restoreRate: 10_000_000 } });
    const staffToken = await t.staffToken('owner');
    // The owner's first request asks Shopify who they are (token exchange); done once before the load, so that a slow
    // emulator under load is not what this run measures.
    await t.runtime.app.request('/api/me', { headers: { authorization: `Bearer ${staffToken}` } });
    // A logged-in customer with data, so that self-service posts have something to work on.
    const seeded = await t.proxy('/submit', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'fuzz.customer@example.com', email_marketing_consent: true, rendered_at: Date.now() - 60_000 }),
      customerId: CUSTOMER,
    });
    const knownLead = ((await seeded.json()) as { id: string }).id;
    const cases = fc.sample(caseArb, { seed: options.seed, numRuns: options.cases });
    const byEntry: FuzzReport['byEntry'] = {};
    const serverErrors: FuzzReport['serverErrors'] = [];
    const legitIds: string[] = [];
    let legitAcknowledged = 0;
    const legitRun = pool(
      Array.from({ length: options.legit }, (_, i) => i),
      4,
      async (i) => {
        const response = await t.proxy('/submit', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${i % 250}` },
          body: JSON.stringify({
            email: `legit-${options.seed}-${i}@example.com`,
            first_name: 'Légitime',
            last_name: 'Client',
            phone: `+3361${String(1_000_000 + i).slice(-7)}`,
            message: `Message ${i}`,
            email_marketing_consent: true,
            consent_text: 'Email me news.',
            locale: 'fr',
            form_id: 'contact',
            rendered_at: Date.now() - 60_000,
          }),
        });
        if (response.status === 202) {
          legitAcknowledged++;
          legitIds.push(((await response.json()) as { id: string }).id);
        } else serverErrors.push({ entry: 'legit', status: response.status, request: `legit ${i}`, response: (await response.text()).slice(0, 200) });
      },
    );
    const fuzzRun = pool(cases, options.concurrency ?? 6, async (c) => {
      let response: Response;
      try {
        response = await send(t, c, staffToken, knownLead);
      } catch (error) {
        // A request the client library refuses to build (a header with a control character) never reaches the app.
        byEntry[c.entry] = { ...byEntry[c.entry], unsendable: (byEntry[c.entry]?.unsendable ?? 0) + 1 };
        if (!(error instanceof TypeError)) throw error;
        return;
      }
      const klass = `${Math.floor(response.status / 100)}xx`;
      byEntry[c.entry] = { ...byEntry[c.entry], [klass]: (byEntry[c.entry]?.[klass] ?? 0) + 1 };
      const body = await response.text();
      if (response.status >= 500) serverErrors.push({ entry: c.entry, status: response.status, request: excerpt(c), response: body.slice(0, 200) });
    });
    await Promise.all([legitRun, fuzzRun]);
    // The worker works off everything queued, legitimate or not; then a fresh lead must still go through.
    for (let round = 0; round < 50 && (await t.runtime.worker.drain()) > 0; round++);
    const db = t.runtime.storage.db;
    const rows = legitIds.length ? await db.selectFrom('leads').select(['id', 'status']).where('id', 'in', legitIds).execute() : [];
    const synced = rows.filter((r) => r.status === 'synced').length;
    if (process.env.FUZZ_DEBUG)
      console.log(
        JSON.stringify(await db.selectFrom('leads').select(['status', 'sync_error']).where('id', 'in', legitIds.slice(0, 3)).execute()),
        loggedErrors.slice(0, 10),
      );
    const probe = await t.proxy('/submit', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `after-fuzz-${options.seed}@example.com`, email_marketing_consent: true, rendered_at: Date.now() - 60_000 }),
    });
    const probeId = probe.status === 202 ? ((await probe.json()) as { id: string }).id : null;
    await t.runtime.worker.drain();
    const probeRow = probeId ? await db.selectFrom('leads').select('status').where('id', '=', probeId).executeTakeFirst() : undefined;
    return {
      engine: options.engine,
      seed: options.seed,
      byEntry,
      legit: { sent: options.legit, acknowledged: legitAcknowledged, synced },
      serverErrors,
      loggedErrors,
      workerStillWorking: probeRow?.status === 'synced',
    };
  } finally {
    await t.close();
  }
}

export function printReport(report: FuzzReport): void {
  const entries = Object.entries(report.byEntry).sort(([a], [b]) => a.localeCompare(b));
  const total = (klass: string) => entries.reduce((sum, [, counts]) => sum + (counts[klass] ?? 0), 0);
  const lines = [
    `fuzz on ${report.engine} (seed ${report.seed}): ${total('2xx')} 2xx, ${total('4xx')} 4xx, ${total('5xx')} 5xx; legitimate ${report.legit.acknowledged}/${report.legit.sent} acknowledged, ${report.legit.synced} synced; worker still working: ${report.workerStillWorking}`,
    ...entries.map(
      ([entry, counts]) =>
        `  ${entry.padEnd(18)} ${Object.entries(counts)
          .sort()
          .map(([k, n]) => `${k} ${n}`)
          .join(', ')}`,
    ),
    ...report.serverErrors.slice(0, 20).map((e) => `  5xx ${e.entry} ${e.status}: ${e.request} -> ${e.response}`),
    ...[...new Set(report.loggedErrors)].slice(0, 20).map((e) => `  logged: ${e}`),
  ];
  console.log(lines.join('\n'));
}
