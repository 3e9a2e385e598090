import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import type { StaffIdentity, StaffEnv } from '../web/server/routes/workspace/roles.js';
import { OWNER_RECHECK_MS, requireStaff } from '../web/server/routes/workspace/roles.js';
import { staffRoutes } from '../web/server/routes/workspace/staff-routes.js';
import { DEV_DEFAULTS } from '../web/server/config.js';
import { createHttpApp } from '../web/server/http/app.js';
import { parseKeyring } from '../web/server/storage/keyring.js';
import { type Storage, openStorage } from '../web/server/storage/database.js';
import type { Role } from '../web/server/storage/tables.js';
import pino from 'pino';
import { ENGINES, freshDatabaseUrl } from './helpers/databases.js';
import { SHOP, type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';

const PIERRE = {
  email: 'pierre.dupontel@example.com',
  first_name: 'Pierre',
  last_name: 'Dupontel',
  phone: '+33612345678',
  company: 'Acmeworks',
  message: 'Please call about the blue sweater',
  email_marketing_consent: true,
};

describe.each(ENGINES)('what a viewer sees and searches on %s', (engine) => {
  let t: TestApp | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });
  const tokens: Partial<Record<Role, string>> = {};
  const api = async (role: Role, path: string) => {
    const response = await t!.runtime.app.request(path, { headers: { authorization: `Bearer ${tokens[role]}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };
  const found = async (role: Role, q: string) => {
    const list = (await api(role, `/api/leads?q=${encodeURIComponent(q)}`)) as { leads: unknown[] };
    const counts = (await api(role, `/api/leads/counts?q=${encodeURIComponent(q)}`)) as { total: number };
    // The counts must not tell what the list does not.
    expect(counts.total).toBe(list.leads.length);
    return list.leads.length;
  };
  async function seed() {
    t = await startTestApp(engine);
    if (!t) return null;
    for (const role of ['owner', 'manager', 'viewer'] as const) tokens[role] = await t.staffToken(role);
    const response = await t.proxy('/submit', jsonPost({ ...PIERRE, rendered_at: Date.now() - 10_000 }));
    expect(response.status).toBe(202);
    await t.runtime.worker.drain();
    return t;
  }

  it('a viewer finds leads by message words, not by prefixes or suffixes of the masked name, email, company or phone', async (ctx) => {
    if (!(await seed())) return ctx.skip();
    for (const q of ['dup', 'dupontel', 'pier', 'acme', '5678', '612345678', 'pierre.dupontel@example.com']) {
      expect(await found('manager', q), `manager: ${q}`).toBe(1);
      expect(await found('viewer', q), `viewer: ${q}`).toBe(0);
    }
    for (const q of ['sweater', 'blue sweater']) expect(await found('viewer', q)).toBe(1);
  });

  it("a viewer's searches are audited as 'searched', without the words", async (ctx) => {
    if (!(await seed())) return ctx.skip();
    await found('viewer', 'sweater');
    await found('viewer', 'dupontel');
    const entries = await t!.runtime.storage.db.selectFrom('audit_log').select(['user_id', 'action', 'detail']).where('action', '=', 'searched').execute();
    expect(entries.map((e) => e.user_id)).toEqual(['3', '3']);
    expect(entries.map((e) => JSON.parse(e.detail ?? '{}').rows)).toEqual([1, 0]);
    expect(JSON.stringify(entries)).not.toMatch(/sweater|dupontel/);
  });

  it('the viewer mask covers the company and the Shopify customer and order ids, in the list and the detail', async (ctx) => {
    if (!(await seed())) return ctx.skip();
    const db = t!.runtime.storage.db;
    await db.updateTable('leads').set({ order_id: 'gid://shopify/Order/4242' }).execute();
    const full = ((await api('manager', '/api/leads')) as { leads: Array<Record<string, unknown>> }).leads[0]!;
    expect(full).toMatchObject({ company: PIERRE.company, order_id: 'gid://shopify/Order/4242' });
    expect(full.shopify_customer_id).toMatch(/^gid:\/\/shopify\/Customer\/\d+$/);
    const listed = ((await api('viewer', '/api/leads')) as { leads: Array<Record<string, unknown>> }).leads[0]!;
    const detail = ((await api('viewer', `/api/leads/${String(full.id)}`)) as { lead: Record<string, unknown> }).lead;
    for (const lead of [listed, detail]) {
      expect(lead).toMatchObject({ company: 'A•••', shopify_customer_id: '•••', order_id: '•••', masked: true });
      expect(JSON.stringify(lead)).not.toMatch(/Acmeworks|4242|Customer\/\d/);
    }
  });
});

describe.each(ENGINES)("the owner role follows Shopify's account owner on %s", (engine) => {
  let storage: Storage | null = null;
  let drop: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await storage?.close();
    await drop?.();
    storage = null;
    drop = null;
  });

  /** The workspace's role middleware and staff routes, with Shopify's answer and the clock in the test's hands. */
  async function workspace() {
    const database = await freshDatabaseUrl(engine);
    if (!database) return null;
    drop = database.drop;
    storage = await openStorage(database.url, parseKeyring(DEV_DEFAULTS.ENCRYPTION_KEYS));
    const state = { owner: '1', now: Date.parse('2026-11-30T10:00:00Z'), down: false, asked: 0 };
    const identify = async (session: { userId: string }): Promise<StaffIdentity> => {
      state.asked++;
      if (state.down) throw new Error('Shopify unreachable');
      return { accountOwner: session.userId === state.owner, name: `User ${session.userId}` };
    };
    const app = createHttpApp(pino({ level: 'silent' }));
    const staff = new Hono<StaffEnv>();
    staff.use('*', async (c, next) => {
      c.set('session', { shop: SHOP, userId: c.req.header('x-user') ?? '', token: 'unused' });
      await next();
    });
    staff.use(
      '*',
      requireStaff(storage.db, identify, () => state.now),
    );
    staff.route('/', staffRoutes(storage.db));
    app.route('/api', staff);
    const me = async (user: string) => ((await (await app.request('/api/me', { headers: { 'x-user': user } })).json()) as { role: Role }).role;
    const assign = (by: string, user: string, role: Role) =>
      app.request(`/api/staff/${user}`, { method: 'PUT', headers: { 'x-user': by, 'content-type': 'application/json' }, body: JSON.stringify({ role }) });
    return { state, me, assign };
  }

  it('a new account owner gets the role on their next check, the former owner loses it, and the new owner can assign them a role', async (ctx) => {
    const w = await workspace();
    if (!w) return ctx.skip();
    expect(await w.me('1')).toBe('owner');
    expect(await w.me('2')).toBe('viewer');
    // Within the recheck interval Shopify is not asked again.
    const asked = w.state.asked;
    expect(await w.me('1')).toBe('owner');
    expect(w.state.asked).toBe(asked);

    // Ownership passes to user 2 in Shopify.
    w.state.owner = '2';
    w.state.now += OWNER_RECHECK_MS + 1;
    expect(await w.me('2')).toBe('owner');
    expect(await w.me('1')).toBe('viewer');
    expect((await w.assign('2', '1', 'manager')).status).toBe(200);
    expect(await w.me('1')).toBe('manager');
    // The new owner's own role stays fixed; the former owner cannot manage roles any more.
    expect((await w.assign('2', '2', 'viewer')).status).toBe(409);
    expect((await w.assign('1', '2', 'viewer')).status).toBe(403);
  });

  it('a former owner loses the owner role at their own next check, even before the new owner opens the app', async (ctx) => {
    const w = await workspace();
    if (!w) return ctx.skip();
    expect(await w.me('1')).toBe('owner');
    w.state.owner = '5';
    w.state.now += OWNER_RECHECK_MS + 1;
    expect(await w.me('1')).toBe('viewer');
    // Shopify unreachable: a known member keeps the role they have.
    w.state.down = true;
    w.state.now += OWNER_RECHECK_MS + 1;
    expect(await w.me('1')).toBe('viewer');
    w.state.down = false;
    expect(await w.me('5')).toBe('owner');
  });
});
