import { afterEach, describe, expect, it } from 'vitest';
import { createAdminClient } from '../web/server/shopify/admin-client.js';
import { customerAccountsLookup } from '../web/server/shopify/customer-accounts.js';
import { shopTokens } from '../web/server/shopify/shops.js';
import { ENGINES } from './helpers/databases.js';
import { SHOP, type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';

/**
 * Issue 12 §1: the app-proxy privacy page stays for guests and classic accounts; a logged-in customer of a shop with
 * new customer accounts is sent to "My data" in their account first. Whether the shop runs them is asked of the Admin
 * API (Shop.customerAccountsV2), cached per shop, and any failure leaves the page as it was.
 */
const OPERATION = 'ContactCaptureShopCustomerAccounts';
const ACCOUNT_URL = 'https://shopify.com/90210/account';
const LINK = 'Manage your data in your account';

describe.each(ENGINES)('the privacy page and new customer accounts on %s', (engine) => {
  let t: TestApp | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });

  const asked = () => t!.emulator.stats.operations[OPERATION] ?? 0;
  async function start() {
    t = await startTestApp(engine);
    if (!t) return false;
    t.emulator.shopData(SHOP)!.addCustomer({ email: 'noor.account@example.com', firstName: 'Noor' }, 8801);
    const sent = await t.proxy('/submit', {
      ...jsonPost({ email: 'noor.account@example.com', first_name: 'Noor', message: 'Account link', rendered_at: Date.now() - 10_000 }),
      customerId: '8801',
    });
    expect(sent.status).toBe(202);
    return true;
  }
  const view = async (query: Record<string, string> = {}) => {
    const response = await t!.proxy('/privacy', { customerId: '8801', query });
    return { status: response.status, html: await response.text() };
  };

  it('a guest sees the log-in prompt as before, and no Shopify call is made for them', async (ctx) => {
    if (!(await start())) return ctx.skip();
    const response = await t!.proxy('/privacy');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('Log in to your account to see the data we hold about you.');
    expect(html).not.toContain(LINK);
    expect(asked()).toBe(0);
  });

  it('a classic-accounts shop: the logged-in page is unchanged (no link), its forms work', async (ctx) => {
    if (!(await start())) return ctx.skip();
    t!.emulator.setCustomerAccounts(SHOP, { version: 'CLASSIC', url: 'https://classic.example.com/account' });
    const { status, html } = await view();
    expect(status).toBe(200);
    expect(html).not.toContain(LINK);
    expect(html).not.toContain('classic.example.com');
    expect(html).toContain('What we hold about you');
    expect(html).toContain('Account link');
    expect(asked()).toBe(1);
  });

  it('a new-accounts shop: the link to the account comes first, in the shopper language, the forms stay below, and Shopify is asked once', async (ctx) => {
    if (!(await start())) return ctx.skip();
    t!.emulator.setCustomerAccounts(SHOP, { version: 'NEW_CUSTOMER_ACCOUNTS', url: ACCOUNT_URL });
    const { status, html } = await view();
    expect(status).toBe(200);
    expect(html).toContain(`<a href="${ACCOUNT_URL}"><strong>${LINK}</strong></a>`);
    expect(html).toContain('open “My data”');
    expect(html.indexOf(LINK)).toBeLessThan(html.indexOf('What we hold about you'));
    expect(html).toMatch(/name="token" value="[0-9a-f]{64}"/);

    const fr = await view({ locale: 'fr' });
    expect(fr.html).toContain('Gérer vos données dans votre compte');
    expect(fr.html).toContain('«\u00a0Mes données\u00a0»');
    // Cached per shop: the second view (and a merchant's switch meanwhile) costs no Admin call.
    t!.emulator.setCustomerAccounts(SHOP, { version: 'CLASSIC', url: null });
    expect((await view()).html).toContain(LINK);
    expect(asked()).toBe(1);
  });

  it('new accounts without a URL, or with one that is not http(s), show no link', async (ctx) => {
    if (!(await start())) return ctx.skip();
    t!.emulator.setCustomerAccounts(SHOP, { version: 'NEW_CUSTOMER_ACCOUNTS', url: 'javascript:alert(1)' });
    const { html } = await view();
    expect(html).not.toContain(LINK);
    expect(html).not.toContain('javascript:');
    expect(html).toContain('What we hold about you');
    // The same shop without a URL, seen by another process (a fresh cache).
    const lookup = customerAccountsLookup(
      createAdminClient({ origin: t!.config.adminApiOrigin, timeoutMs: 1_000 }),
      shopTokens(t!.runtime.storage.db, t!.config.keyring),
    );
    t!.emulator.setCustomerAccounts(SHOP, { version: 'NEW_CUSTOMER_ACCOUNTS', url: null });
    expect(await lookup(SHOP)).toBeNull();
  });

  it('Admin failure (HTTP 500) or a timeout: the page is served as before, without the link, never an error', async (ctx) => {
    if (!(await start())) return ctx.skip();
    t!.emulator.setCustomerAccounts(SHOP, { version: 'NEW_CUSTOMER_ACCOUNTS', url: ACCOUNT_URL });
    t!.emulator.configure({ faults: { rate: 1, kinds: ['http500'], operations: [OPERATION] } });
    try {
      const failed = await view();
      expect(failed.status).toBe(200);
      expect(failed.html).not.toContain(LINK);
      expect(failed.html).toContain('What we hold about you');
    } finally {
      t!.emulator.configure({ faults: { rate: 0, kinds: [], operations: undefined } });
    }
    // Another process (a fresh cache) facing an answer that never comes: the page waits at most the client's timeout.
    const db = t!.runtime.storage.db;
    const lookup = customerAccountsLookup(createAdminClient({ origin: t!.config.adminApiOrigin, timeoutMs: 300 }), shopTokens(db, t!.config.keyring), {
      waitMs: 5_000,
    });
    t!.emulator.configure({ faults: { rate: 1, kinds: ['timeout'], timeoutMs: 2_000, operations: [OPERATION] } });
    try {
      const started = Date.now();
      expect(await lookup(SHOP)).toBeNull();
      console.log(`customer accounts lookup gave up after ${Date.now() - started} ms (client timeout 300 ms)`);
    } finally {
      t!.emulator.configure({ faults: { rate: 0, kinds: [], operations: undefined } });
    }
  });

  it('the lookup caches each shop 10 minutes, a failure 1 minute, and a shop without a token is null', async (ctx) => {
    if (!(await start())) return ctx.skip();
    let now = 1_000_000;
    const db = t!.runtime.storage.db;
    const lookup = customerAccountsLookup(createAdminClient({ origin: t!.config.adminApiOrigin, timeoutMs: 1_000 }), shopTokens(db, t!.config.keyring), {
      clock: () => now,
    });
    t!.emulator.setCustomerAccounts(SHOP, { version: 'NEW_CUSTOMER_ACCOUNTS', url: ACCOUNT_URL });
    const before = asked();
    expect(await Promise.all([lookup(SHOP), lookup(SHOP)])).toEqual([{ url: ACCOUNT_URL }, { url: ACCOUNT_URL }]);
    expect(asked() - before).toBe(1);
    t!.emulator.setCustomerAccounts(SHOP, { version: 'CLASSIC', url: ACCOUNT_URL });
    now += 9 * 60_000;
    expect(await lookup(SHOP)).toEqual({ url: ACCOUNT_URL });
    now += 2 * 60_000;
    expect(await lookup(SHOP)).toBeNull();
    expect(asked() - before).toBe(2);

    t!.emulator.setCustomerAccounts(SHOP, { version: 'NEW_CUSTOMER_ACCOUNTS', url: ACCOUNT_URL });
    now += 11 * 60_000;
    t!.emulator.configure({ faults: { rate: 1, kinds: ['http503'], operations: [OPERATION] } });
    try {
      expect(await lookup(SHOP)).toBeNull();
    } finally {
      t!.emulator.configure({ faults: { rate: 0, kinds: [], operations: undefined } });
    }
    now += 30_000;
    expect(await lookup(SHOP)).toBeNull();
    now += 31_000;
    expect(await lookup(SHOP)).toEqual({ url: ACCOUNT_URL });
    expect(await lookup('no-token.myshopify.com')).toBeNull();
  });
});
