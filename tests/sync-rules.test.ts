import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmuCustomer } from '../dev/admin-emulator/store.js';
import type { Role } from '../web/server/storage/tables.js';
import { ENGINES } from './helpers/databases.js';
import { SECRET, SHOP, type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';

/**
 * Who may change a Shopify customer (README "Who may change what"), end to end: real runtime, database, worker and
 * the Admin API emulator. An anonymous post may create a customer, never rewrite one; a verified one may; staff apply
 * what waits; and a value Shopify refuses on its own never keeps the shopper out.
 */
const human = (body: Record<string, unknown>) => ({
  email_marketing_consent: true,
  consent_text: 'Email me offers.',
  rendered_at: Date.now() - 10_000,
  ...body,
});
const NS = 'app--1000';

type Proposal = { changes: Array<{ field: string; current: string | null; proposed: string }>; applying: unknown } | null;
type Warning = { field: string; code: string | null; message: string };

describe.each(ENGINES)('who may change a Shopify customer, on %s', (engine) => {
  let t: TestApp | null;
  const tokens = {} as Record<Role, string>;
  beforeAll(async () => {
    t = await startTestApp(engine);
    if (!t) return;
    for (const role of ['owner', 'manager', 'viewer'] as const) tokens[role] = await t.staffToken(role);
  });
  afterAll(async () => t?.close());

  const shop = () => t!.emulator.shopData(SHOP)!;
  const seed = (fields: Partial<EmuCustomer>, legacyId?: number, metafields: Record<string, [string, string]> = {}) => {
    const customer = shop().addCustomer(fields, legacyId);
    const at = new Date().toISOString();
    for (const [key, [type, value]] of Object.entries(metafields))
      customer.metafields.set(`${NS}.${key}`, { id: shop().newGid('Metafield').gid, namespace: NS, key, type, value, createdAt: at, updatedAt: at });
    return customer;
  };
  const submit = async (body: Record<string, unknown>, customerId: string | null = null) => {
    const response = await t!.proxy('/submit', { ...jsonPost(human(body)), customerId });
    expect(response.status).toBe(202);
    return ((await response.json()) as { id: string }).id;
  };
  const lead = (id: string) => t!.runtime.storage.db.selectFrom('leads').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const api = (path: string, role: Role, init: RequestInit = {}) =>
    t!.runtime.app.request(`/api${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string>), authorization: `Bearer ${tokens[role]}` },
    });
  const metafield = (c: EmuCustomer, key: string) => c.metafields.get(`${NS}.${key}`)?.value;

  it("an anonymous post with an existing customer's email does not rename them or replace their phone; the differences wait as proposed changes", async (ctx) => {
    if (!t) return ctx.skip();
    const jeanne = seed({ email: 'jeanne@example.fr', firstName: 'Jeanne', lastName: 'Moreau', phone: '+33611112222' }, undefined, {
      company: ['single_line_text_field', 'Maison Moreau'],
    });
    const id = await submit({
      email: 'jeanne@example.fr',
      first_name: 'Mallory',
      last_name: 'Intruder',
      phone: '+33 6 99 99 00 00',
      company: 'Evil Corp',
      birthday: '1990-01-02',
      address1: '9 rue du Faux',
      city: 'Paris',
      zip: '75001',
      country: 'FR',
      message: 'Please call me',
      sms_marketing_consent: true,
      sms_consent_text: 'Text me.',
    });
    await t.runtime.worker.drain();
    expect(jeanne).toMatchObject({ firstName: 'Jeanne', lastName: 'Moreau', phone: '+33611112222', addresses: [] });
    expect(metafield(jeanne, 'company')).toBe('Maison Moreau');
    // What was empty is filled; the consent and the tag are recorded; SMS consent stays off her own phone.
    expect(metafield(jeanne, 'birthday')).toBe('1990-01-02');
    expect(metafield(jeanne, 'last_message')).toBe('Please call me');
    expect(jeanne.emailConsent?.marketingState).toBe('SUBSCRIBED');
    expect(jeanne.smsConsent).toBeNull();
    expect([...jeanne.tags]).toContain('contact-capture');
    const row = await lead(id);
    expect(row).toMatchObject({ status: 'synced', shopify_customer_id: jeanne.id, first_name: 'Mallory', phone: '+33699990000' });
    const detail = (await (await api(`/leads/${id}`, 'manager')).json()) as { proposed: Proposal; lead: { sync_warnings: Warning[] } };
    expect(detail.proposed?.changes).toEqual([
      { field: 'first_name', current: 'Jeanne', proposed: 'Mallory' },
      { field: 'last_name', current: 'Moreau', proposed: 'Intruder' },
      { field: 'phone', current: '+33611112222', proposed: '+33699990000' },
      { field: 'address', current: null, proposed: expect.stringContaining('9 rue du Faux') },
      { field: 'metafield:company', current: 'Maison Moreau', proposed: 'Evil Corp' },
    ]);
    expect(detail.lead.sync_warnings.map((w) => w.field)).toEqual(['sms_consent']);
    // A viewer learns which fields differ, not the values.
    const viewed = (await (await api(`/leads/${id}`, 'viewer')).json()) as { proposed: Proposal };
    expect(viewed.proposed?.changes).toEqual(['first_name', 'last_name', 'phone', 'address', 'metafield:company'].map((field) => ({ field })));
    // The proposal is personal data: stored encrypted like the lead's own fields.
    // (the WHERE compares the stored value, which the storage plugin does not decrypt)
    expect(await t.runtime.storage.db.selectFrom('leads').select('id').where('id', '=', id).where('proposed_changes', 'like', 'v3:%').execute()).toHaveLength(
      1,
    );
    // Staff may also decide against them: dismissed, nothing is written, and that is audited too.
    expect((await api(`/leads/${id}/proposed-changes/dismiss`, 'viewer', { method: 'POST' })).status).toBe(403);
    expect(await (await api(`/leads/${id}/proposed-changes/dismiss`, 'manager', { method: 'POST' })).json()).toEqual({ id, dismissed: 5 });
    expect(((await (await api(`/leads/${id}`, 'manager')).json()) as { proposed: Proposal }).proposed).toBeNull();
    expect(jeanne.firstName).toBe('Jeanne');
  });

  it('an anonymous post never re-subscribes a customer who opted out, nor replaces the proof of a consent they gave (attacker review)', async (ctx) => {
    if (!t) return ctx.skip();
    const proof = JSON.stringify({
      text: 'Real wording the customer saw',
      text_sha256: null,
      locale: 'fr',
      page: '/pages/contact',
      recorded_at: '2026-01-01T00:00:00.000Z',
    });
    const out = seed(
      {
        email: 'out@example.fr',
        firstName: 'Odile',
        phone: '+33611113333',
        emailConsent: { marketingState: 'UNSUBSCRIBED', marketingOptInLevel: 'SINGLE_OPT_IN', consentUpdatedAt: '2026-02-01T00:00:00Z' },
        smsConsent: { marketingState: 'UNSUBSCRIBED', marketingOptInLevel: 'SINGLE_OPT_IN', consentUpdatedAt: '2026-02-01T00:00:00Z' },
      },
      undefined,
      { consent_proof: ['json', proof], last_message: ['multi_line_text_field', 'Earlier message'] },
    );
    const outLead = await submit({
      email: 'out@example.fr',
      phone: '+33611113333',
      sms_marketing_consent: true,
      sms_consent_text: 'Texts',
      consent_text: 'Forged wording',
      message: 'Forged message',
    });
    const kept = seed(
      {
        email: 'kept@example.fr',
        firstName: 'Karim',
        emailConsent: { marketingState: 'SUBSCRIBED', marketingOptInLevel: 'CONFIRMED_OPT_IN', consentUpdatedAt: '2026-01-01T00:00:00Z' },
      },
      undefined,
      { consent_proof: ['json', proof] },
    );
    await submit({ email: 'kept@example.fr', consent_text: 'Forged wording' });
    await t.runtime.worker.drain();
    expect(out.emailConsent?.marketingState).toBe('UNSUBSCRIBED');
    expect(out.smsConsent?.marketingState).toBe('UNSUBSCRIBED');
    expect(metafield(out, 'consent_proof')).toBe(proof);
    expect(metafield(out, 'last_message')).toBe('Earlier message');
    const row = await lead(outLead);
    expect(row.status).toBe('synced');
    expect((JSON.parse(row.sync_warnings ?? '[]') as Warning[]).map((w) => [w.field, w.code])).toEqual([
      ['email_consent', 'UNSUBSCRIBED'],
      ['sms_consent', 'UNSUBSCRIBED'],
    ]);
    expect(kept.emailConsent).toMatchObject({ marketingState: 'SUBSCRIBED', marketingOptInLevel: 'CONFIRMED_OPT_IN' });
    expect(metafield(kept, 'consent_proof')).toBe(proof);
  });

  it('staff apply the proposed changes in one click: the customer changes by id, audited by field name; viewers may not', async (ctx) => {
    if (!t) return ctx.skip();
    const customer = seed({ email: 'paul@example.fr', firstName: 'Paul', lastName: 'Martin', phone: '+33622223333' }, undefined, {
      company: ['single_line_text_field', 'Old Co'],
    });
    const id = await submit({
      email: 'paul@example.fr',
      first_name: 'Paulo',
      phone: '+33 6 44 44 55 55',
      company: 'New Co',
      address1: '2 place Bellecour',
      city: 'Lyon',
      zip: '69002',
      country: 'FR',
    });
    await t.runtime.worker.drain();
    expect(customer.firstName).toBe('Paul');
    expect((await api(`/leads/${id}/proposed-changes/apply`, 'viewer', { method: 'POST', body: '{}' })).status).toBe(403);
    expect((await api(`/leads/${id}/proposed-changes/apply`, 'manager', { method: 'POST', body: JSON.stringify({ fields: ['email'] }) })).status).toBe(400);
    const applied = await api(`/leads/${id}/proposed-changes/apply`, 'manager', { method: 'POST', body: '{}' });
    expect(applied.status).toBe(200);
    expect(await applied.json()).toEqual({ id, status: 'pending', fields: ['first_name', 'phone', 'address', 'metafield:company'] });
    await t.runtime.worker.drain();
    // Only what was proposed: the last name the lead did not give stays.
    expect(customer).toMatchObject({ id: customer.id, firstName: 'Paulo', lastName: 'Martin', phone: '+33644445555' });
    expect(customer.addresses.map((a) => [a.fields.address1, a.fields.city, a.fields.zip])).toEqual([['2 place Bellecour', 'Lyon', '69002']]);
    expect(metafield(customer, 'company')).toBe('New Co');
    const row = await lead(id);
    expect(row).toMatchObject({ status: 'synced', proposed_changes: null });
    expect((await api(`/leads/${id}/proposed-changes/apply`, 'manager', { method: 'POST', body: '{}' })).status).toBe(409);
    const audit = (await (await api('/audit', 'owner')).json()) as { entries: Array<{ action: string; lead_id: string; detail: Record<string, unknown> }> };
    const entry = audit.entries.find((e) => e.lead_id === id && e.action === 'edit');
    expect(entry?.detail).toEqual({ fields: ['first_name', 'phone', 'address', 'metafield:company'], proposed: true, synced: true });
    expect(JSON.stringify(audit.entries)).not.toMatch(/Paulo|Bellecour|New Co/);
  });

  it('a verified post (the signed logged_in_customer_id is that customer) updates them, and the address becomes their default address', async (ctx) => {
    if (!t) return ctx.skip();
    const claire = seed({ email: 'claire@example.fr', firstName: 'Claire', lastName: 'Petit', phone: '+33633334444' }, 880001, {
      company: ['single_line_text_field', 'Petit SARL'],
    });
    const id = await submit(
      {
        email: 'claire@example.fr',
        first_name: 'Claire',
        last_name: 'Durand',
        phone: '+33 6 55 55 66 66',
        company: 'Durand SAS',
        address1: '5 rue Neuve',
        city: 'Lille',
        zip: '59000',
        country: 'FR',
      },
      '880001',
    );
    await t.runtime.worker.drain();
    expect(claire).toMatchObject({ firstName: 'Claire', lastName: 'Durand', phone: '+33655556666' });
    expect(claire.addresses.map((a) => a.fields.address1)).toEqual(['5 rue Neuve']);
    expect(metafield(claire, 'company')).toBe('Durand SAS');
    expect(await lead(id)).toMatchObject({ status: 'synced', shopify_customer_id: claire.id, proposed_changes: null, sync_warnings: null });
    // Logged in, but with someone else's email: unverified for that customer.
    const other = seed({ email: 'other@example.fr', firstName: 'Odile' });
    const second = await submit({ email: 'other@example.fr', first_name: 'Claire' }, '880001');
    await t.runtime.worker.drain();
    expect(other.firstName).toBe('Odile');
    expect(JSON.parse((await lead(second)).proposed_changes ?? 'null')).toMatchObject({
      changes: [{ field: 'first_name', current: 'Odile', proposed: 'Claire' }],
    });
  });

  it('the address a shopper types becomes the default address of the customer the app creates', async (ctx) => {
    if (!t) return ctx.skip();
    await submit({
      email: 'new.shopper@example.fr',
      first_name: 'Nina',
      address1: '7 allée des Tilleuls',
      city: 'Nantes',
      zip: '44000',
      country: 'fr',
      province: '',
    });
    await t.runtime.worker.drain();
    const customer = (await t.customerByEmail('new.shopper@example.fr')) as { firstName: string; defaultAddress: Record<string, string | null> };
    expect(customer.firstName).toBe('Nina');
    expect(customer.defaultAddress).toEqual({
      address1: '7 allée des Tilleuls',
      address2: null,
      city: 'Nantes',
      zip: '44000',
      countryCodeV2: 'FR',
      provinceCode: null,
    });
  });

  it('a phone another customer holds (TAKEN) leaves the lead synced with a warning naming the field; the phone stays on the lead', async (ctx) => {
    if (!t) return ctx.skip();
    seed({ email: 'holder@example.fr', phone: '+33677778888' });
    const id = await submit({
      email: 'newcomer@example.fr',
      first_name: 'Noé',
      phone: '+33 6 77 77 88 88',
      sms_marketing_consent: true,
      sms_consent_text: 'Text me.',
    });
    await t.runtime.worker.drain();
    const row = await lead(id);
    expect(row).toMatchObject({ status: 'synced', sync_error: null, phone: '+33677778888' });
    const created = shop().byEmail('newcomer@example.fr')!;
    expect(created).toMatchObject({ firstName: 'Noé', phone: null });
    expect(created.emailConsent?.marketingState).toBe('SUBSCRIBED');
    const listed = (await (await api('/leads?q=newcomer', 'manager')).json()) as { leads: Array<{ id: string; sync_warnings: Warning[] }> };
    expect(listed.leads.find((l) => l.id === id)?.sync_warnings).toEqual([
      { field: 'phone', code: null, message: 'Phone has already been taken' },
      { field: 'sms_consent', code: 'PHONE_NOT_ON_CUSTOMER', message: "The customer's phone is not the one given with this consent." },
    ]);
  });

  it('an invalid postal code and a metafield value its definition refuses are left out with warnings; the address stays in its metafield', async (ctx) => {
    if (!t) return ctx.skip();
    // As a merchant limits the field in the admin: at most 8 characters.
    await t.runtime.worker.drain();
    const definitions = shop().definitions;
    const key = `CUSTOMER/${NS}.company`;
    const before = definitions.get(key);
    definitions.set(key, {
      id: 'gid://shopify/MetafieldDefinition/99',
      namespace: NS,
      key: 'company',
      name: 'Company',
      type: 'single_line_text_field',
      ownerType: 'CUSTOMER',
      validations: [{ name: 'max', value: '8' }],
    });
    try {
      const id = await submit({
        email: 'zip@example.fr',
        first_name: 'Zoé',
        company: 'A company name too long',
        address1: '1 rue Haute',
        city: 'Paris',
        zip: '7500',
        country: 'FR',
      });
      await t.runtime.worker.drain();
      const row = await lead(id);
      expect(row.status).toBe('synced');
      expect((JSON.parse(row.sync_warnings ?? '[]') as Warning[]).map((w) => [w.field, w.code, w.message])).toEqual([
        ['address', null, 'Enter a valid postal code for France'],
        ['metafield:company', 'INVALID_VALUE', 'Value has a maximum length of 8.'],
      ]);
      const customer = shop().byEmail('zip@example.fr')!;
      expect(customer.addresses).toEqual([]);
      expect(JSON.parse(metafield(customer, 'postal_address') ?? '{}')).toMatchObject({ zip: '7500', city: 'Paris' });
      expect(metafield(customer, 'company')).toBeUndefined();
      expect(row.company).toBe('A company name too long');
    } finally {
      if (before) definitions.set(key, before);
    }
  });

  it('self-service correction follows the same rules: it updates the signed-in customer, never another who holds the email', async (ctx) => {
    if (!t) return ctx.skip();
    const day = new Date().toISOString().slice(0, 10);
    const correct = (customer: string, fields: Record<string, string>) =>
      t!.proxy('/privacy/correct', {
        method: 'POST',
        customerId: customer,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          ...fields,
          locale: 'en',
          token: createHmac('sha256', SECRET).update(`self-service:${SHOP}:${customer}:${day}`).digest('hex'),
        }).toString(),
      });
    // Customer 880010 signed in, but wrote with Bob's email: the correction must not rename Bob.
    const bob = seed({ email: 'bob@example.fr', firstName: 'Bob' });
    await submit({ email: 'bob@example.fr', first_name: 'Eve' }, '880010');
    await t.runtime.worker.drain();
    expect((await correct('880010', { first_name: 'Mallory' })).status).toBe(200);
    await t.runtime.worker.drain();
    expect(bob.firstName).toBe('Bob');
    // Chloé wrote while logged out (an anonymous lead, matched to her customer); signed in, her correction is hers.
    const chloe = seed({ email: 'chloe@example.fr', firstName: 'Chloe' }, 880011);
    await submit({ email: 'chloe@example.fr', first_name: 'Chloé' });
    await t.runtime.worker.drain();
    expect(chloe.firstName).toBe('Chloe');
    expect((await correct('880011', { first_name: 'Chloé', last_name: 'Roux' })).status).toBe(200);
    await t.runtime.worker.drain();
    expect(chloe).toMatchObject({ firstName: 'Chloé', lastName: 'Roux' });
    // A field left out stays as it is; a post with none is refused (it used to clear names and phone, answering 200).
    expect((await correct('880011', { phone: '+33611110000' })).status).toBe(200);
    const chloeLeads = await t.runtime.storage.db
      .selectFrom('leads')
      .select(['first_name', 'last_name', 'phone'])
      .where('email_hash', 'is not', null)
      .execute();
    expect(chloeLeads).toContainEqual({ first_name: 'Chloé', last_name: 'Roux', phone: '+33611110000' });
    expect((await correct('880011', {})).status).toBe(400);
    // An attacker wrote first with Pierre's email, a company and an address; Pierre's own correction of his name must
    // carry only his name to his record, never the attacker's company or address (found by an attacker's review).
    const pierre = seed({ email: 'pierre@example.fr', firstName: 'Pierre' }, 880012, { company: ['single_line_text_field', 'Durand SARL'] });
    await submit({
      email: 'pierre@example.fr',
      first_name: 'Pierre',
      company: 'Evil Corp',
      address1: '9 rue du Faux',
      city: 'Paris',
      zip: '75001',
      country: 'FR',
    });
    await t.runtime.worker.drain();
    expect((await correct('880012', { first_name: 'Pierrot' })).status).toBe(200);
    await t.runtime.worker.drain();
    expect(pierre.firstName).toBe('Pierrot');
    expect(metafield(pierre, 'company')).toBe('Durand SARL');
    expect(pierre.addresses.map((a) => a.fields.address1)).not.toContain('9 rue du Faux');
  });
});
