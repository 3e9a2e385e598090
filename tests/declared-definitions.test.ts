import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DECLARED_METAFIELDS } from '../schema/customer-metafields.js';
import { METAFIELDS, METAFIELD_KEY } from '../schema/fields.js';
import { PURCHASE_QUESTIONS } from '../schema/purchase-questions.js';
import { readDeclaredCustomerDefinitions } from '../dev/admin-emulator/declared.js';
import { formKey, signSpec } from '../web/server/core/form-key.js';
import { PROJECT_ROOT } from '../web/server/core/paths.js';
import { SECRET, SHOP, type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';

/**
 * Issue 12 §3: the app's own customer metafields are declared in shopify.app.toml, which Shopify turns into
 * definitions in every shop on deploy. The toml and the catalogue (schema/customer-metafields.ts, built on the contact
 * form's METAFIELDS and the purchase questions) must say the same; the app creates through the API only the
 * definitions of keys merchants invent.
 */
type TomlDefinition = { type: string; name: string; description?: string; access?: { admin?: string; customer_account?: string; storefront?: string } };
const toml = parse(readFileSync(join(PROJECT_ROOT, 'shopify.app.toml'), 'utf8')) as { customer?: { metafields?: { app?: Record<string, TomlDefinition> } } };
const declared = toml.customer?.metafields?.app ?? {};

/** Types a customer metafield of the app may have (Shopify's list, restricted to what the app writes). */
const TYPES = new Set(['single_line_text_field', 'multi_line_text_field', 'json', 'date', 'boolean', 'number_decimal', 'number_integer', 'file_reference']);

describe('shopify.app.toml declares the catalogue of app-owned customer metafields', () => {
  it('declares exactly the catalogue: same keys, types, names, descriptions and access', () => {
    const fromToml = Object.fromEntries(
      Object.entries(declared).map(([key, d]) => [key, { type: d.type, name: d.name, description: d.description, access: d.access }]),
    );
    const fromCatalogue = Object.fromEntries(
      DECLARED_METAFIELDS.map((m) => [m.key, { type: m.type, name: m.name, description: m.description, access: m.access }]),
    );
    expect(fromToml).toEqual(fromCatalogue);
  });

  it('the catalogue covers every metafield the contact form and the purchase questions write, with the same type, and nothing else', () => {
    const written = new Map<string, string>([...Object.values(METAFIELDS), ...PURCHASE_QUESTIONS.map((q) => q.metafield)].map((m) => [m.key, m.type]));
    expect(new Map(DECLARED_METAFIELDS.map((m) => [m.key, m.type]))).toEqual(written);
  });

  it('every declaration is one Shopify takes (checked here: `shopify app build` does not look at these values)', () => {
    expect(Object.keys(declared).length).toBeGreaterThan(0);
    for (const [key, d] of Object.entries(declared)) {
      expect(key, key).toMatch(METAFIELD_KEY);
      expect(TYPES.has(d.type), `${key}: type ${d.type}`).toBe(true);
      expect(d.name.trim().length, key).toBeGreaterThan(0);
      expect(['merchant_read', 'merchant_read_write'], key).toContain(d.access?.admin);
      if (d.access?.customer_account !== undefined) expect(['read', 'read_write'], key).toContain(d.access.customer_account);
      expect(d.access?.storefront, key).toBeUndefined();
    }
  });

  it('the fields the account page lets customers edit are read_write on the Customer Account API; the submission record is not reachable there', () => {
    const account = Object.fromEntries(Object.entries(declared).map(([key, d]) => [key, d.access?.customer_account ?? 'none']));
    for (const key of ['birthday', 'company', 'heard_about', 'delivery_notes']) expect(account[key], key).toBe('read_write');
    for (const key of ['consent_proof', 'last_message', 'source_form', 'postal_address']) expect(account[key], key).toBe('none');
    // Evidence stays evidence: merchants read the proof of consent in the admin but cannot rewrite it.
    expect(declared.consent_proof?.access?.admin).toBe('merchant_read');
  });

  it('the emulator reads the same declarations for its shops, as Shopify reads them on deploy', () => {
    expect(
      readDeclaredCustomerDefinitions()
        .map((d) => `${d.key}:${d.type}`)
        .sort(),
    ).toEqual(DECLARED_METAFIELDS.map((m) => `${m.key}:${m.type}`).sort());
  });
});

describe('install and sync create only the definitions of keys merchants invent', () => {
  let t: TestApp | null;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
  });
  afterAll(async () => t?.close());

  it('a new shop installs without metafieldDefinitionCreate; a lead with app fields and one custom key defines only the custom key', async (ctx) => {
    if (!t) return ctx.skip();
    const shop = 'declared-install.myshopify.com';
    expect((await t.runtime.app.request('/api/leads', { headers: { authorization: `Bearer ${await t.sessionToken({ shop })}` } })).status).toBe(200);
    expect(t.emulator.stats.operations.ContactCaptureMetafieldDefinitionCreate ?? 0).toBe(0);
    const inShop = [...t.emulator.shopData(shop)!.definitions.values()];
    expect(inShop.every((d) => d.declared)).toBe(true);
    expect(inShop.map((d) => d.key).sort()).toEqual(DECLARED_METAFIELDS.map((m) => m.key).sort());

    const spec = JSON.stringify([{ key: 'shoe_size', kind: 'number', required: false }]);
    const response = await t.proxy('/submit', {
      ...jsonPost({
        email: 'declared@example.com',
        company: 'Atelier',
        birthday: '1990-04-12',
        message: 'Hello',
        email_marketing_consent: true,
        consent_text: 'Email me news.',
        custom_fields: spec,
        custom_fields_sig: signSpec(formKey(SECRET, SHOP), spec),
        'custom.shoe_size': '42',
        rendered_at: Date.now() - 10_000,
      }),
    });
    expect(response.status).toBe(202);
    await t.runtime.worker.drain();
    expect(t.emulator.stats.operations.ContactCaptureMetafieldDefinitionCreate).toBe(1);
    const made = [...t.emulator.shopData(SHOP)!.definitions.values()].filter((d) => !d.declared);
    expect(made.map((d) => `${d.key}:${d.type}`)).toEqual(['shoe_size:number_decimal']);
    const customer = (await t.customerByEmail('declared@example.com')) as { metafields: { nodes: Array<{ key: string; value: string }> } };
    expect(Object.fromEntries(customer.metafields.nodes.map((m) => [m.key, m.value]))).toMatchObject({
      company: 'Atelier',
      birthday: '1990-04-12',
      shoe_size: '42',
    });

    const owner = await t.staffToken('owner');
    const listing = (await (await t.runtime.app.request('/api/metafield-definitions', { headers: { authorization: `Bearer ${owner}` } })).json()) as {
      custom: number;
      definitions: Array<{ key: string; app: boolean; created_at: string | null; leads: number }>;
    };
    expect(listing.custom).toBe(1);
    expect(listing.definitions.filter((d) => d.app).map((d) => d.key)).toEqual(DECLARED_METAFIELDS.map((m) => m.key));
    expect(listing.definitions.filter((d) => d.app).every((d) => d.created_at === null)).toBe(true);
    expect(listing.definitions.find((d) => d.key === 'company')).toMatchObject({ leads: 1 });
    expect(listing.definitions.find((d) => d.key === 'shoe_size')).toMatchObject({ app: false, leads: 1 });
  });
});
