import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../web/server/storage/tables.js';
import { DICTIONARIES, syncErrorText } from '../web/workspace/i18n.js';
import { ENGINES } from './helpers/databases.js';
import { formKey, signTags } from '../web/server/core/form-key.js';
import { SECRET, SHOP, type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';

/**
 * The leads workspace API end to end: real runtime, real session tokens, real database, the Admin API emulator.
 * Pierre (the design brief's example) has written; staff find him, correct his address, and it reaches Shopify.
 */
const PIERRE = {
  email: 'pierre.dupont@example.fr',
  first_name: 'Pierre',
  last_name: 'Dupont',
  phone: '+33 6 12 34 56 78',
  message: 'Bonjour, I have moved to Lyon and would like the catalogue.',
  address1: '1 rue de la Paix',
  city: 'Paris',
  zip: '75002',
  country: 'FR',
  email_marketing_consent: true,
  form_id: 'contact-page',
  tags: 'vip',
  // As the block signs its tags in Liquid with the shop's form key.
  tags_sig: signTags(formKey(SECRET, SHOP), 'vip'),
};

/** A submission as a person sends it: the form was on screen for a while (see leads/spam.ts). */
const human = (body: Record<string, unknown>) => ({ ...body, rendered_at: Date.now() - 10_000 });

type Lead = {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  status: string;
  address: Record<string, string> | null;
  masked?: boolean;
  handled_at: string | null;
};

describe.each(ENGINES)('leads workspace API on %s', (engine) => {
  let t: TestApp | null;
  const tokens = {} as Record<Role, string>;
  let pierreId = '';

  beforeAll(async () => {
    t = await startTestApp(engine);
    if (!t) return;
    const submit = async (body: Record<string, unknown>) => ((await (await t!.proxy('/submit', jsonPost(human(body)))).json()) as { id: string }).id;
    pierreId = await submit(PIERRE);
    await submit({
      email: 'elodie.martin@example.com',
      first_name: 'Élodie',
      last_name: 'Martin',
      company: 'Atelier Lumière',
      message: 'Wholesale prices?',
      form_id: 'wholesale',
    });
    await submit({ email: 'sam@example.org', first_name: 'Sam', message: '=HYPERLINK("http://evil")', email_marketing_consent: true, form_id: 'contact-page' });
    await t.runtime.worker.drain();
    for (const role of ['owner', 'manager', 'viewer'] as const) tokens[role] = await t.staffToken(role);
  });
  afterAll(async () => t?.close());

  const call = (path: string, role: string | null, init: RequestInit = {}) =>
    t!.runtime.app.request(`/api${path}`, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), ...(role ? { authorization: `Bearer ${role in tokens ? tokens[role as Role] : role}` } : {}) },
    });
  const json = async <T>(path: string, role: Role, init?: RequestInit) => {
    const response = await call(path, role, init);
    expect(response.status, `${init?.method ?? 'GET'} ${path} as ${role}`).toBeLessThan(300);
    return (await response.json()) as T;
  };
  const search = async (query: string, role: Role = 'manager') => (await json<{ leads: Lead[] }>(`/leads?${query}`, role)).leads;

  it('finds leads by any word of name, email, company or message, by prefix, accent-blind, and by phone as dialled at home', async (ctx) => {
    if (!t) return ctx.skip();
    expect((await search('q=pier')).map((l) => l.email)).toEqual([PIERRE.email]);
    expect((await search('q=dupont%40example')).map((l) => l.email)).toEqual([PIERRE.email]);
    expect((await search('q=elodie')).map((l) => l.email)).toEqual(['elodie.martin@example.com']);
    expect((await search('q=LUMIERE')).map((l) => l.email)).toEqual(['elodie.martin@example.com']);
    expect((await search('q=06%2012%2034%2056%2078')).map((l) => l.email)).toEqual([PIERRE.email]);
    expect((await search('q=catalogue')).map((l) => l.email)).toEqual([PIERRE.email]);
    // Every word must match.
    expect(await search('q=pierre%20wholesale')).toEqual([]);
    expect(await search('q=nobody')).toEqual([]);
  });

  it('filters by form, status, consent, tag and dates, and counts per status', async (ctx) => {
    if (!t) return ctx.skip();
    expect((await search('form=wholesale')).map((l) => l.first_name)).toEqual(['Élodie']);
    expect((await search('consent=no')).map((l) => l.first_name)).toEqual(['Élodie']);
    expect((await search('status=synced')).map((l) => l.first_name).sort()).toEqual(['Pierre', 'Sam']);
    expect((await search('tag=vip')).map((l) => l.first_name)).toEqual(['Pierre']);
    const today = new Date().toISOString().slice(0, 10);
    expect(await search(`from=${today}&to=${today}`)).toHaveLength(3);
    expect(await search('to=2020-01-01')).toEqual([]);
    expect((await search('sort=oldest')).map((l) => l.first_name)).toEqual(['Pierre', 'Élodie', 'Sam']);
    const counts = await json<{ total: number; byStatus: Record<string, number> }>('/leads/counts?form=contact-page', 'viewer');
    expect(counts).toEqual({ total: 2, byStatus: { pending: 0, synced: 2, failed: 0, no_consent: 0, quarantined: 0 }, capped: false });
    expect(await json('/leads/counts?q=example', 'manager')).toMatchObject({ total: 3, capped: false });
    // A viewer's words match only what a viewer sees: the email domain is masked text, not searchable by them.
    expect(await json('/leads/counts?q=example', 'viewer')).toMatchObject({ total: 0, capped: false });
    const facets = await json<{ forms: string[]; tags: string[] }>('/leads/facets', 'viewer');
    expect(facets).toEqual({ forms: ['contact-page', 'wholesale'], tags: ['vip'] });
    expect((await call('/leads?from=yesterday', 'manager')).status).toBe(400);
    expect((await call('/leads?status=deleted', 'manager')).status).toBe(400);
  });

  it('masks personal data for viewers, in the list and the detail, and logs only unmasked views and their searches', async (ctx) => {
    if (!t) return ctx.skip();
    const before = await json<{ entries: unknown[] }>('/audit', 'owner');
    const [masked] = await search('q=catalogue lyon', 'viewer');
    expect(masked).toMatchObject({ email: 'p•••@example.fr', first_name: 'P•••', last_name: 'D•••', phone: '•••78', address: { country: 'FR' }, masked: true });
    expect(JSON.stringify(masked)).not.toMatch(/Dupont|pierre\.dupont|12 34|rue de la Paix/);
    const detail = await json<{ lead: Lead; notes: unknown[] }>(`/leads/${pierreId}`, 'viewer');
    expect(detail.lead.email).toBe('p•••@example.fr');
    const afterViewer = (await json<{ entries: Array<{ action: string }> }>('/audit', 'owner')).entries;
    expect(afterViewer.slice(0, afterViewer.length - before.entries.length).map((e) => e.action)).toEqual(['searched']);

    const full = await json<{ lead: Lead; consent: Array<{ text: string | null; granted: number }>; history: Array<{ state: string }> }>(
      `/leads/${pierreId}`,
      'manager',
    );
    expect(full.lead).toMatchObject({ email: PIERRE.email, last_name: 'Dupont', phone: '+33612345678' });
    expect(full.history.map((h) => h.state)).toEqual(['done']);
    const entries = (await json<{ entries: Array<{ action: string; user_id: string; lead_id: string | null; detail: unknown }> }>('/audit', 'owner')).entries;
    expect(entries[0]).toMatchObject({ action: 'view_lead', user_id: '2', lead_id: pierreId });
    expect(JSON.stringify(entries)).not.toContain('pierre');
  });

  it('lets each role do exactly what it may', async (ctx) => {
    if (!t) return ctx.skip();
    const matrix: Array<[string, string, RequestInit | undefined, Record<Role, number>]> = [
      ['list', '/leads', undefined, { owner: 200, manager: 200, viewer: 200 }],
      ['export', '/leads/export.csv', undefined, { owner: 200, manager: 200, viewer: 403 }],
      [
        'edit',
        `/leads/${pierreId}`,
        { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{}' },
        { owner: 400, manager: 400, viewer: 403 },
      ],
      ['note', `/leads/${pierreId}/notes`, jsonPost({ body: 'Called back.' }), { owner: 201, manager: 201, viewer: 403 }],
      ['delete', '/leads/0000-not-a-lead', { method: 'DELETE' }, { owner: 404, manager: 404, viewer: 403 }],
      ['roles', '/staff', undefined, { owner: 200, manager: 403, viewer: 403 }],
      ['audit', '/audit', undefined, { owner: 200, manager: 403, viewer: 403 }],
      ['data requests', '/compliance/requests', undefined, { owner: 200, manager: 403, viewer: 403 }],
      ['retention', '/settings/retention', undefined, { owner: 200, manager: 403, viewer: 403 }],
      ['consent ledger', `/leads/${pierreId}/consent`, undefined, { owner: 200, manager: 200, viewer: 403 }],
    ];
    for (const [what, path, init, expected] of matrix) {
      for (const role of ['owner', 'manager', 'viewer'] as const) {
        const response = await call(path, role, init);
        await response.arrayBuffer();
        expect(response.status, `${what} as ${role}`).toBe(expected[role]);
      }
    }
    const me = await json<{ role: string; permissions: string[] }>('/me', 'viewer');
    expect(me).toMatchObject({ role: 'viewer', permissions: ['read'] });
  });

  it('starts an unknown staff member as viewer and the shop owner as owner; only the owner assigns roles, never their own', async (ctx) => {
    if (!t) return ctx.skip();
    const newcomer = await t.sessionToken({ userId: '77' });
    expect(await (await call('/me', newcomer)).json()).toMatchObject({ role: 'viewer', userId: '77' });
    expect((await call('/staff/77', 'manager', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"role":"manager"}' })).status).toBe(
      403,
    );
    expect((await call('/staff/77', 'owner', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"role":"manager"}' })).status).toBe(200);
    expect(await (await call('/me', newcomer)).json()).toMatchObject({ role: 'manager' });
    expect((await call('/staff/1', 'owner', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"role":"viewer"}' })).status).toBe(409);
    expect((await call('/staff/77', 'owner', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"role":"owner"}' })).status).toBe(400);
    const staff = await json<{ staff: Array<{ user_id: string; role: string; name: string | null }> }>('/staff', 'owner');
    expect(staff.staff.find((s) => s.user_id === '1')).toMatchObject({ role: 'owner', name: 'Camille Martin' });
  });

  it("never shows another shop's leads to its staff", async (ctx) => {
    if (!t) return ctx.skip();
    const other = await t.sessionToken({ shop: 'another-shop.myshopify.com' });
    expect(await (await call('/leads', other)).json()).toEqual({ leads: [], nextCursor: null });
    expect((await call(`/leads/${pierreId}`, other)).status).toBe(404);
    expect((await call(`/leads/${pierreId}`, other, { method: 'DELETE' })).status).toBe(404);
    const csv = await (await call('/leads/export.csv', other)).text();
    expect(csv.trim().split('\r\n')).toHaveLength(1);
    expect(await (await call('/leads?q=pierre', other)).json()).toEqual({ leads: [], nextCursor: null });
  });

  it('rejects an invalid correction field by field and writes nothing', async (ctx) => {
    if (!t) return ctx.skip();
    const response = await call(`/leads/${pierreId}`, 'manager', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'not-an-email', phone: '12', country: 'France', nickname: 'x' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: 'invalid_contact',
      fields: { email: 'invalid_email', phone: 'invalid_phone', country: 'invalid', nickname: 'unknown_field' },
    });
    const lead = (await json<{ lead: Lead }>(`/leads/${pierreId}`, 'manager')).lead;
    expect(lead).toMatchObject({ email: PIERRE.email, phone: '+33612345678' });
  });

  it("corrects Pierre's address: the Shopify customer gets it as default address, the same customer, audited by field name", async (ctx) => {
    if (!t) return ctx.skip();
    const before = await t.customerByEmail(PIERRE.email);
    const edit = {
      email: PIERRE.email,
      first_name: 'Pierre',
      last_name: 'Dupont',
      phone: PIERRE.phone,
      address1: '12 quai Saint-Antoine',
      city: 'Lyon',
      zip: '69002',
      country: 'FR',
    };
    const result = await json<{ changed: string[]; queued: boolean; status: string }>(`/leads/${pierreId}`, 'manager', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(edit),
    });
    expect(result).toMatchObject({ changed: ['address'], queued: true, status: 'pending' });
    await t.runtime.worker.drain();
    const after = (await t.customerByEmail(PIERRE.email)) as { id: string; defaultAddress: Record<string, string> | null };
    expect(after.id).toBe((before as { id: string }).id);
    expect(after.defaultAddress).toEqual({
      address1: '12 quai Saint-Antoine',
      address2: null,
      city: 'Lyon',
      zip: '69002',
      countryCodeV2: 'FR',
      provinceCode: null,
    });
    // A second move updates that address in place rather than adding another.
    await json(`/leads/${pierreId}`, 'manager', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...edit, address1: '3 place Bellecour' }),
    });
    await t.runtime.worker.drain();
    const customers = t.emulator.shopData(SHOP)!.customers;
    const pierre = [...customers.values()].find((c) => c.email === PIERRE.email)!;
    expect(pierre.addresses.map((a) => a.fields.address1)).toEqual(['3 place Bellecour']);
    expect((await json<{ lead: Lead }>(`/leads/${pierreId}`, 'manager')).lead.status).toBe('synced');
    expect((await search('q=bellecour')).length).toBe(0); // addresses are not searched (not in the index)...
    expect((await search('q=dupont')).map((l) => l.id)).toEqual([pierreId]); // ...names still are, after re-indexing
    const edits = (await json<{ entries: Array<{ action: string; detail: { fields: string[] } }> }>('/audit', 'owner')).entries.filter(
      (e) => e.action === 'edit',
    );
    expect(edits[0]?.detail.fields).toEqual(['address']);
    expect(JSON.stringify(edits)).not.toMatch(/Bellecour|Lyon/);
  });

  it('changes an email on the same Shopify customer (by id), and re-indexes the lead for search', async (ctx) => {
    if (!t) return ctx.skip();
    const sam = (await search('q=sam'))[0]!;
    const before = (await t.customerByEmail('sam@example.org')) as { id: string };
    await json(`/leads/${sam.id}`, 'owner', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'robin@example.org', first_name: 'Robin' }),
    });
    await t.runtime.worker.drain();
    expect(((await t.customerByEmail('robin@example.org')) as { id: string }).id).toBe(before.id);
    expect(await t.customerByEmail('sam@example.org')).toBeNull();
    expect((await search('q=robin')).map((l) => l.id)).toEqual([sam.id]);
    expect(await search('q=sam')).toEqual([]);
  });

  it('exports the current filter as a spreadsheet-safe CSV with a BOM, and logs the export', async (ctx) => {
    if (!t) return ctx.skip();
    const response = await call('/leads/export.csv?form=contact-page&sort=oldest', 'manager');
    expect(response.headers.get('content-type')).toContain('text/csv');
    expect(response.headers.get('x-total-rows')).toBe('2');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString('utf8');
    expect(text.startsWith('id,received_at,form,')).toBe(true);
    const lines = text.trim().split('\r\n');
    expect(lines).toHaveLength(3);
    // A phone starts with +, so it is neutralised like a formula (the apostrophe shows as text in spreadsheets).
    expect(lines[1], lines[1]).toContain("Pierre,Dupont,pierre.dupont@example.fr,'+33612345678,");
    expect(lines[2]).toContain(`"'=HYPERLINK(""http://evil"")"`);
    const entries = (await json<{ entries: Array<{ action: string; detail: { rows: number; filter: Record<string, unknown> } }> }>('/audit', 'owner')).entries;
    expect(entries.find((e) => e.action === 'export')?.detail).toEqual({ rows: 2, filter: { form: 'contact-page', sort: 'oldest' } });
  });

  it('retries a failed sync, marks handled, keeps notes, and deletes a lead with everything hanging off it', async (ctx) => {
    if (!t) return ctx.skip();
    // The shop's access token was revoked (a value refused on its own no longer fails a lead: see sync-rules.test.ts).
    t.emulator.install(SHOP, 'shpat_rotated_elsewhere');
    const id = (
      (await (await t.proxy('/submit', jsonPost(human({ email: 'taken@example.com', phone: '+33611111111', email_marketing_consent: true })))).json()) as {
        id: string;
      }
    ).id;
    await t.runtime.worker.drain();
    const failed = await json<{ lead: Lead & { sync_error: string }; history: Array<{ state: string; last_error: string }> }>(`/leads/${id}`, 'manager');
    expect(failed.lead.status).toBe('failed');
    // Stored as a code and its parameters, said in the staff member's language (English rows stay readable).
    expect(syncErrorText(DICTIONARIES.en, failed.lead.sync_error)).toMatch(/access token was refused/);
    expect(syncErrorText(DICTIONARIES.fr, failed.lead.sync_error)).toMatch(/jeton d’accès de la boutique a été refusé/);
    expect(syncErrorText(DICTIONARIES.fr, failed.history[0]!.last_error)).toMatch(/jeton d’accès de la boutique a été refusé/);
    expect((await call(`/leads/${pierreId}/retry`, 'manager', { method: 'POST' })).status).toBe(409);
    t.emulator.install(SHOP, t.config.devAccessToken);
    expect(await json(`/leads/${id}/retry`, 'manager', { method: 'POST' })).toEqual({ id, status: 'pending' });
    await t.runtime.worker.drain();
    const retried = await json<{ lead: Lead; history: Array<{ state: string }> }>(`/leads/${id}`, 'manager');
    expect(retried.lead.status).toBe('synced');
    expect(retried.history.map((h) => h.state)).toEqual(['failed', 'done']);

    expect((await json<{ handled_at: string | null }>(`/leads/${id}/handled`, 'manager', jsonPost({ handled: true }))).handled_at).toBeTruthy();
    expect((await search('handled=yes')).map((l) => l.id)).toEqual([id]);
    await json(`/leads/${id}/notes`, 'manager', jsonPost({ body: 'Phoned, all good.' }));
    expect((await json<{ notes: Array<{ body: string; author: string }> }>(`/leads/${id}`, 'owner')).notes).toEqual([
      expect.objectContaining({ body: 'Phoned, all good.', author: '2' }),
    ]);
    expect((await json<{ notes: unknown[] }>(`/leads/${id}`, 'viewer')).notes).toEqual([]);
    expect((await call(`/leads/${id}/notes`, 'manager', jsonPost({ body: '   ' }))).status).toBe(400);

    expect((await call(`/leads/${id}`, 'manager', { method: 'DELETE' })).status).toBe(204);
    const db = t.runtime.storage.db;
    for (const table of ['outbox_jobs', 'consent_records', 'lead_terms', 'lead_notes'] as const) {
      expect(await db.selectFrom(table).select('lead_id').where('lead_id', '=', id).execute(), table).toEqual([]);
    }
    expect(await db.selectFrom('erasure_log').select(['reason', 'leads_erased']).where('reason', '=', 'staff_delete').execute()).toEqual([
      { reason: 'staff_delete', leads_erased: 1 },
    ]);
    expect((await call(`/leads/${id}`, 'manager')).status).toBe(404);
  });

  it('reports per form views (beacon), submissions, conversion and consent rates, and spam per day', async (ctx) => {
    if (!t) return ctx.skip();
    for (let i = 0; i < 4; i++) {
      const beacon = await t.proxy('/view', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'form_id=contact-page' });
      expect(beacon.status).toBe(204);
    }
    expect(
      (await t.proxy('/view', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'form_id=<script>' })).status,
    ).toBe(400);
    await t.proxy('/submit', jsonPost(human({ email: 'bot@example.com', website: 'http://spam', form_id: 'contact-page' })));
    const report = await json<{
      forms: Array<{
        form: string;
        views: number;
        submissions: number;
        spam: number;
        conversionRate: number;
        consentRate: number;
        days: Array<{ day: string }>;
      }>;
    }>('/insights', 'viewer');
    const contact = report.forms.find((f) => f.form === 'contact-page')!;
    expect(contact).toMatchObject({ views: 4, submissions: 2, spam: 1, conversionRate: 0.5, consentRate: 1 });
    expect(contact.days).toHaveLength(30);
    expect((await call('/insights?from=2026-02-01&to=2026-01-01', 'viewer')).status).toBe(400);
  });

  it("shows a form's first lead in the filter menus at once, not after the minute the full scan is kept", async (ctx) => {
    if (!t) return ctx.skip();
    const before = await json<{ forms: string[] }>('/leads/facets', 'viewer');
    expect(before.forms).not.toContain('autumn-popup');
    expect((await t.proxy('/submit', jsonPost(human({ email: 'autumn@example.com', form_id: 'autumn-popup' })))).status).toBe(202);
    expect((await json<{ forms: string[] }>('/leads/facets', 'viewer')).forms).toEqual([...before.forms, 'autumn-popup'].sort());
  });
});
