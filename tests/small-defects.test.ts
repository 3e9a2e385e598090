import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/databases.js';
import { rowCounts } from './helpers/db.js';
import { type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';

const lead = (over: Record<string, unknown> = {}) => ({
  email: 'camille@example.com',
  first_name: 'Camille',
  last_name: 'Martin',
  message: 'Bonjour',
  email_marketing_consent: true,
  consent_text: 'Email me news and offers.',
  locale: 'fr',
  page: '/pages/contact',
  form_id: 'contact',
  rendered_at: Date.now() - 10_000,
  ...over,
});

describe.each(ENGINES)('smaller defects on %s', (engine) => {
  let t: TestApp | null;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => t?.close());

  it('refuses a signed logged_in_customer_id that is not digits with 400 and a reason, and writes nothing', async (ctx) => {
    if (!t) return ctx.skip();
    const before = await rowCounts(t.runtime.storage.db);
    for (const customerId of ['abc', '12 OR 1=1', 'gid://shopify/Customer/1']) {
      const response = await t.proxy('/submit', { ...jsonPost(lead()), customerId });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_customer_id' });
      expect((await t.proxy('/privacy', { customerId })).status).toBe(400);
    }
    expect(await rowCounts(t.runtime.storage.db)).toEqual(before);
  });
});
