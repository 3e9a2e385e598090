import { syncErrorWords } from '../schema/sync-errors.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutRoutes } from '../web/server/routes/checkout/routes.js';
import { createHttpApp } from '../web/server/http/app.js';
import { LeadIntake } from '../web/server/leads/intake.js';
import { createShopifyApi } from '../web/server/shopify/shopify-api.js';
import { mintCheckoutToken } from '../dev/session-token.js';
import type { EmuCustomer } from '../dev/admin-emulator/store.js';
import { ENGINES } from './helpers/databases.js';
import { API_KEY, SECRET, SHOP, type TestApp, startTestApp } from './helpers/runtime.js';

/**
 * Issue 11 C: thank-you answers reach a customer only when the app can prove that whoever posts them placed the
 * order. A logged-in buyer's token names a customer who must own the order; a guest proves it with the order's
 * checkout token; anything else stays on the lead. Run against the real runtime and the Admin API emulator.
 */
let legacy = 880_000;

describe.each(ENGINES)('thank-you answers belong to the buyer on %s', (engine) => {
  let t: TestApp | null;
  beforeAll(async () => {
    // Retries of the deferred owner check happen in place within one drain, quickly.
    t = await startTestApp(engine, { SYNC_RETRY_BASE_MS: '5' });
  });
  afterAll(async () => t?.close());

  const shopData = () => t!.emulator.shopData(SHOP)!;
  /** A customer and an order they placed, as checkout leaves them in Shopify. */
  const placedOrder = (options: { guest?: boolean } = {}) => {
    const id = ++legacy;
    const customer = shopData().addCustomer({ firstName: 'Inès', lastName: 'Moreau', email: `buyer${id}@example.com`, locale: 'fr' }, id);
    const orderId = `gid://shopify/Order/${id}`;
    const checkoutToken = `ct${id}${'a'.repeat(24)}`;
    shopData().orders.set(orderId, { id: orderId, email: customer.email, customerId: options.guest ? null : customer.id, checkoutToken });
    return { customer, orderId, identityId: `gid://shopify/OrderIdentity/${id}`, checkoutToken };
  };
  const token = (customerId?: string) => mintCheckoutToken({ shop: SHOP, apiKey: API_KEY, secret: SECRET, ...(customerId ? { customerId } : {}) });
  const post = async (bearer: string, body: Record<string, unknown>) =>
    t!.runtime.app.request('/checkout/answers', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
      body: JSON.stringify(body),
    });
  const answers = (heard: string) => ({ cc_heard_about: heard, cc_consent: 'yes', cc_consent_text: 'Keep these answers on my customer profile.' });
  const untouched = (c: EmuCustomer) => c.metafields.size === 0 && c.tags.size === 0;
  const leadsOf = (orderId: string) =>
    t!.runtime.storage.db
      .selectFrom('leads')
      .select(['id', 'status', 'shopify_customer_id', 'order_id', 'answers', 'sync_error'])
      .where('order_id', '=', orderId)
      .execute();
  const lookups = () =>
    Object.entries(t!.emulator.stats.operations)
      .filter(([name]) => /Order/.test(name))
      .reduce((n, [, count]) => n + count, 0);

  it('one guest token naming 30 made-up order ids writes nothing on any customer (at most a few leads, no Admin API call)', async (ctx) => {
    if (!t) return ctx.skip();
    const victims = Array.from({ length: 30 }, () => placedOrder());
    const forger = await token();
    const requestsBefore = t.emulator.stats.requests;
    const statuses: number[] = [];
    for (const v of victims) statuses.push((await post(forger, { order_id: v.identityId, attributes: answers('forged') })).status);
    await t.runtime.worker.drain();
    const accepted = statuses.filter((s) => s === 202).length;
    const limited = statuses.filter((s) => s === 429).length;
    const leads = (await Promise.all(victims.map((v) => leadsOf(v.orderId)))).flat();
    console.log(
      `[${engine}] forged posts: ${accepted} accepted, ${limited} refused with 429, ${leads.length} leads, ${t.emulator.stats.requests - requestsBefore} Admin API calls`,
    );
    expect(victims.filter((v) => !untouched(v.customer))).toEqual([]);
    expect(accepted + limited).toBe(30);
    expect(accepted).toBeLessThanOrEqual(5);
    expect(leads).toHaveLength(accepted);
    expect(leads.every((l) => l.shopify_customer_id === null && l.status === 'failed')).toBe(true);
    // No proof was offered, so the order's customer was never looked up, and nothing queued for Shopify.
    expect(t.emulator.stats.requests - requestsBefore).toBe(0);
  });

  it("the real buyer's post after a forger's still succeeds and reaches their customer", async (ctx) => {
    if (!t) return ctx.skip();
    const real = placedOrder();
    const forged = await post(await token(), { order_id: real.identityId, attributes: answers('forged') });
    expect(forged.status).toBe(202);
    const response = await post(await token(real.customer.id), { order_id: real.identityId, attributes: answers('Podcast') });
    expect(response.status).toBe(202);
    await t.runtime.worker.drain();
    expect(real.customer.metafields.get('app--1000.heard_about')?.value).toBe('Podcast');
    const leads = await leadsOf(real.orderId);
    expect(leads.map((l) => l.status).sort()).toEqual(['failed', 'synced']);
    expect(leads.find((l) => l.status === 'synced')?.shopify_customer_id).toBe(real.customer.id);
  });

  it("nobody pre-claims a guest buyer's key: the key is the poster's own, and the buyer's retry with a new session token repeats, never adds", async (ctx) => {
    if (!t) return ctx.skip();
    const real = placedOrder();
    const body = { order_id: real.identityId, attributes: answers('Word of mouth') };
    expect((await post(await token(), body)).status).toBe(202);
    expect((await post(await token(), { ...body, checkout_token: 'not-this-checkout' })).status).toBe(403);
    const first = await post(await token(), { ...body, checkout_token: real.checkoutToken });
    expect(first.status).toBe(202);
    const again = await post(await token(), { ...body, checkout_token: real.checkoutToken });
    expect(await again.json()).toMatchObject({ id: ((await first.json()) as { id: string }).id, replayed: true });
    await t.runtime.worker.drain();
    expect(real.customer.metafields.get('app--1000.heard_about')?.value).toBe('Word of mouth');
    expect((await leadsOf(real.orderId)).map((l) => l.status).sort()).toEqual(['failed', 'synced']);
  });

  it('a logged-in buyer with their own order syncs, the order checked before anything is written', async (ctx) => {
    if (!t) return ctx.skip();
    const own = placedOrder();
    const before = lookups();
    const response = await post(await token(own.customer.id), { order_id: own.identityId, attributes: answers('Instagram') });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ buyer: 'verified' });
    expect(lookups()).toBe(before + 1);
    const [lead] = await leadsOf(own.orderId);
    expect(lead?.shopify_customer_id).toBe(own.customer.id);
    await t.runtime.worker.drain();
    expect(own.customer.metafields.get('app--1000.heard_about')?.value).toBe('Instagram');
    expect(own.customer.tags.has('contact-capture')).toBe(true);
  });

  it("a logged-in buyer naming another buyer's order gets 403 and writes nothing", async (ctx) => {
    if (!t) return ctx.skip();
    const mine = placedOrder();
    const theirs = placedOrder();
    const response = await post(await token(mine.customer.id), { order_id: theirs.identityId, attributes: answers('forged') });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: 'order_not_yours' });
    await t.runtime.worker.drain();
    expect(await leadsOf(theirs.orderId)).toEqual([]);
    expect(untouched(theirs.customer)).toBe(true);
    expect(untouched(mine.customer)).toBe(true);
  });

  it("a guest's answers without proof stay on the lead, with the order, shown in the workspace; no customer is written", async (ctx) => {
    if (!t) return ctx.skip();
    const order = placedOrder();
    const before = t.emulator.stats.requests;
    const response = await post(await token(), { order_id: order.identityId, attributes: answers('A friend') });
    expect(response.status).toBe(202);
    const { id, buyer } = (await response.json()) as { id: string; buyer: string };
    expect(buyer).toBe('unproven');
    await t.runtime.worker.drain();
    expect(untouched(order.customer)).toBe(true);
    expect(t.emulator.stats.requests).toBe(before);
    const detail = await t.runtime.app.request(`/api/leads/${id}`, { headers: { authorization: `Bearer ${await t.staffToken('manager')}` } });
    expect(detail.status).toBe(200);
    const { lead } = (await detail.json()) as {
      lead: { order_id: string; answers: Array<{ key: string; value: string }>; status: string; sync_error: string; shopify_customer_id: string | null };
    };
    expect(lead).toMatchObject({ order_id: order.orderId, status: 'failed', shopify_customer_id: null });
    expect(lead.answers).toMatchObject([{ key: 'heard_about', value: 'A friend' }]);
    expect(syncErrorWords(lead.sync_error)).toMatch(/not written to a customer/i);
  });

  it("a guest with the order's checkout token proves the purchase: answers reach the order's customer", async (ctx) => {
    if (!t) return ctx.skip();
    const order = placedOrder();
    const response = await post(await token(), { order_id: order.identityId, checkout_token: order.checkoutToken, attributes: answers('Newsletter') });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ buyer: 'verified' });
    await t.runtime.worker.drain();
    expect(order.customer.metafields.get('app--1000.heard_about')?.value).toBe('Newsletter');
    // Another checkout's token for this order is a forgery.
    const other = placedOrder();
    const forged = await post(await token(), { order_id: other.identityId, checkout_token: order.checkoutToken, attributes: answers('forged') });
    expect(forged.status).toBe(403);
    expect(await leadsOf(other.orderId)).toEqual([]);
  });

  it("a guest order without a customer: the proven guest's answers go to the customer holding the order's email, as orders/create does", async (ctx) => {
    if (!t) return ctx.skip();
    const order = placedOrder({ guest: true });
    const response = await post(await token(), { order_id: order.identityId, checkout_token: order.checkoutToken, attributes: answers('Flyer') });
    expect(await response.json()).toMatchObject({ buyer: 'verified' });
    await t.runtime.worker.drain();
    expect(order.customer.metafields.get('app--1000.heard_about')?.value).toBe('Flyer');
  });

  it('when the Admin API is unavailable the answers wait on the lead, and the worker checks the owner before writing', async (ctx) => {
    if (!t) return ctx.skip();
    const own = placedOrder();
    const theirs = placedOrder();
    t.emulator.configure({ faults: { rate: 1, kinds: ['http503'] } });
    let responses: Response[];
    try {
      responses = [
        await post(await token(own.customer.id), { order_id: own.identityId, attributes: answers('Radio') }),
        await post(await token(own.customer.id), { order_id: theirs.identityId, attributes: answers('forged') }),
      ];
    } finally {
      t.emulator.configure({ faults: { rate: 0, kinds: [] } });
    }
    expect(responses.map((r) => r.status)).toEqual([202, 202]);
    const first = (await responses[0]!.json()) as { id: string; buyer: string };
    expect(first.buyer).toBe('pending');
    expect((await leadsOf(own.orderId))[0]?.shopify_customer_id).toBeNull();
    // The buyer sends the same answers again once Shopify is back: the same lead, not a conflict.
    const again = await post(await token(own.customer.id), { order_id: own.identityId, attributes: answers('Radio') });
    expect(await again.json()).toMatchObject({ id: first.id, replayed: true });
    await t.runtime.worker.drain();
    expect(own.customer.metafields.get('app--1000.heard_about')?.value).toBe('Radio');
    expect(untouched(theirs.customer)).toBe(true);
    const [refused] = await leadsOf(theirs.orderId);
    expect(refused).toMatchObject({ status: 'failed', shopify_customer_id: null });
    expect(syncErrorWords(refused!.sync_error!)).toMatch(/not written to a customer/i);
  });

  it('an order not visible yet is checked again later; a deferred claim never falls back to the order lookup of old', async (ctx) => {
    if (!t) return ctx.skip();
    const late = placedOrder();
    const order = shopData().orders.get(late.orderId)!;
    shopData().orders.delete(late.orderId);
    const response = await post(await token(late.customer.id), { order_id: late.identityId, attributes: answers('Late') });
    expect(await response.json()).toMatchObject({ buyer: 'pending' });
    await t.runtime.worker.drain();
    expect(untouched(late.customer)).toBe(true);
    expect((await leadsOf(late.orderId))[0]).toMatchObject({ status: 'pending', shopify_customer_id: null });
    // Shopify finishes creating the order; the job's next attempt (a few ms of backoff away) finds it.
    shopData().orders.set(late.orderId, order);
    for (let i = 0; i < 200 && (await leadsOf(late.orderId))[0]?.status === 'pending'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      await t.runtime.worker.drain();
    }
    expect(late.customer.metafields.get('app--1000.heard_about')?.value).toBe('Late');
  });
});

describe.each(ENGINES)('limits on thank-you answers on %s', (engine) => {
  let t: TestApp | null;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => t?.close());

  /** The route as root.ts wires it, with small limits and a clock that stays inside one window. */
  const routes = (limits: { perTokenPerMinute: number; perShopPerMinute: number }, now: number) => {
    const app = createHttpApp(pino({ level: 'silent' }));
    const db = t!.runtime.storage.db;
    app.route(
      '/checkout',
      checkoutRoutes({
        shopify: createShopifyApi({ apiKey: API_KEY, apiSecret: SECRET, appUrl: 'http://localhost' }),
        intake: new LeadIntake(db, t!.runtime.lookupHash),
        db,
        admin: async () => null,
        limits,
        clock: () => now,
      }),
    );
    return (bearer: string, order: number) =>
      app.request('/checkout/answers', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
        body: JSON.stringify({ order_id: `gid://shopify/OrderIdentity/${order}`, attributes: { cc_heard_about: 'TV', cc_consent: 'yes' } }),
      });
  };
  const token = () => mintCheckoutToken({ shop: SHOP, apiKey: API_KEY, secret: SECRET });

  it('one token past its limit gets 429 with Retry-After, before any lead or Admin API call; another token still gets in', async (ctx) => {
    if (!t) return ctx.skip();
    // 30 s into a window: Retry-After is what is left of it.
    const post = routes({ perTokenPerMinute: 2, perShopPerMinute: 100 }, 1_000 * 60_000 + 30_000);
    const one = await token();
    const statuses = [];
    for (let order = 71_001; order <= 71_004; order++) statuses.push((await post(one, order)).status);
    expect(statuses).toEqual([202, 202, 429, 429]);
    const limited = await post(one, 71_005);
    expect(limited.headers.get('retry-after')).toBe('30');
    expect(limited.headers.get('access-control-allow-origin')).toBe('*');
    expect(await limited.json()).toMatchObject({ error: 'rate_limited' });
    const leads = await t.runtime.storage.db.selectFrom('leads').select('order_id').where('order_id', 'like', 'gid://shopify/Order/7100%').execute();
    expect(leads.map((l) => l.order_id).sort()).toEqual(['gid://shopify/Order/71001', 'gid://shopify/Order/71002']);
    expect((await post(await token(), 71_006)).status).toBe(202);
  });

  it("the shop's limit holds across tokens", async (ctx) => {
    if (!t) return ctx.skip();
    const post = routes({ perTokenPerMinute: 100, perShopPerMinute: 3 }, 2_000 * 60_000);
    const statuses = [];
    for (let order = 72_001; order <= 72_005; order++) statuses.push((await post(await token(), order)).status);
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
  });
});
