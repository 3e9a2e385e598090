import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { API_VERSION, CUSTOM_FIELD_KINDS } from '../schema/fields.js';
import {
  CART_CUSTOM_SLOTS,
  CHECKOUT_CUSTOM_SLOTS,
  CONSENT_ATTRIBUTE,
  CONSENT_TEXT_ATTRIBUTE,
  CUSTOM_KINDS_ATTRIBUTE,
  LOCALE_ATTRIBUTE,
  PURCHASE_QUESTIONS,
  SOURCE_ATTRIBUTE,
  askSetting,
  attributeFor,
} from '../schema/purchase-questions.js';
import { readBlock } from '../dev/theme-liquid.js';
import { EXTENSION_DIR, PROJECT_ROOT } from '../web/server/core/paths.js';

/**
 * schema/purchase-questions.ts is the one definition of the purchase questions. The checkout extension's toml and
 * locales, the cart block's Liquid and settings, the storefront locales and the app config must all agree with it.
 */
const CHECKOUT_DIR = join(PROJECT_ROOT, 'extensions', 'checkout-fields');
const extensionToml = parse(readFileSync(join(CHECKOUT_DIR, 'shopify.extension.toml'), 'utf8')) as {
  api_version: string;
  extensions: Array<{
    type: string;
    handle: string;
    targeting: Array<{ target: string; module: string }>;
    capabilities: Record<string, boolean>;
    settings: { fields: Array<{ key: string; type: string; validations?: Array<{ name: string; value: string }> }> };
  }>;
};
const appToml = parse(readFileSync(join(PROJECT_ROOT, 'shopify.app.toml'), 'utf8')) as { application_url: string; webhooks: { api_version: string } };
const json = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;

describe('one source of truth for purchase questions', () => {
  const extension = extensionToml.extensions[0]!;
  const settings = new Map(extension.settings.fields.map((f) => [f.key, f]));

  it('the checkout extension is a UI extension on the app API version, in checkout and on the thank-you page, allowed to call the app', () => {
    expect(extensionToml.api_version).toBe(API_VERSION);
    expect(appToml.webhooks.api_version).toBe(API_VERSION);
    expect(extension.type).toBe('ui_extension');
    expect(extension.targeting.map((t) => t.target).sort()).toEqual(['purchase.checkout.contact.render-after', 'purchase.thank-you.block.render']);
    expect(extension.capabilities).toMatchObject({ network_access: true, block_progress: true });
    // Shopify caps an extension's settings at 20.
    expect(extension.settings.fields.length).toBeLessThanOrEqual(20);
  });

  it('has a boolean setting per catalogue field and the custom slots the code reads, with kinds the catalogue knows', () => {
    for (const field of PURCHASE_QUESTIONS) expect(settings.get(askSetting(field.key))?.type, field.key).toBe('boolean');
    for (let i = 1; i <= CHECKOUT_CUSTOM_SLOTS; i++) {
      expect(settings.get(`custom_${i}_label`)?.type).toBe('single_line_text_field');
      expect(settings.get(`custom_${i}_key`)?.type).toBe('single_line_text_field');
      const choices = JSON.parse(settings.get(`custom_${i}_kind`)?.validations?.find((v) => v.name === 'choices')?.value ?? '[]') as string[];
      expect(choices.length).toBeGreaterThan(0);
      for (const kind of choices) expect(CUSTOM_FIELD_KINDS).toContain(kind);
    }
    expect(settings.has(`custom_${CHECKOUT_CUSTOM_SLOTS + 1}_key`)).toBe(false);
  });

  it("translates every catalogue field in the extension's locales, with the same keys in each language", () => {
    const en = json(join(CHECKOUT_DIR, 'locales', 'en.default.json'));
    const fr = json(join(CHECKOUT_DIR, 'locales', 'fr.json'));
    const keys = (o: Record<string, any>, prefix = ''): string[] =>
      Object.entries(o)
        .flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]))
        .sort();
    for (const field of PURCHASE_QUESTIONS) expect(en.fields[field.key], field.key).toBeTruthy();
    expect(keys(fr)).toEqual(keys(en));
  });

  it('the cart block asks the catalogue fields under their attribute names, with the custom slots and the shared attributes', () => {
    const { liquid, schema } = readBlock(EXTENSION_DIR, 'cart-fields');
    const ids = new Set(schema.settings.map((s) => s.id));
    for (const field of PURCHASE_QUESTIONS) {
      expect(ids.has(`field_${field.key}`), field.key).toBe(true);
      expect(liquid).toContain(`name: 'attributes[${attributeFor(field.key)}]'`);
    }
    for (let i = 1; i <= CART_CUSTOM_SLOTS; i++) for (const part of ['type', 'label', 'key']) expect(ids.has(`custom_${i}_${part}`)).toBe(true);
    expect(ids.has(`custom_${CART_CUSTOM_SLOTS + 1}_type`)).toBe(false);
    for (const attribute of [CONSENT_ATTRIBUTE, CONSENT_TEXT_ATTRIBUTE, LOCALE_ATTRIBUTE, SOURCE_ATTRIBUTE, CUSTOM_KINDS_ATTRIBUTE])
      expect(liquid).toContain(`attributes[${attribute}]`);
    expect(liquid).toContain("'cc_custom_' | append: c_key");
  });

  it('every storefront language names every catalogue field for the cart block', () => {
    for (const file of ['en.default.json', 'fr.json', 'de.json', 'es.json', 'it.json', 'nl.json', 'pt-BR.json', 'ja.json']) {
      const locale = json(join(EXTENSION_DIR, 'locales', file));
      for (const field of PURCHASE_QUESTIONS) expect(locale.cart_fields?.fields?.[field.key], `${file} ${field.key}`).toBeTruthy();
      for (const key of ['heading', 'intro', 'consent']) expect(locale.cart_fields?.[key], `${file} ${key}`).toBeTruthy();
    }
  });

  it("the checkout extension posts to the app's own URL (shopify.app.toml application_url)", () => {
    const backend = json(join(CHECKOUT_DIR, 'src', 'backend.json'));
    expect(backend.url).toBe(new URL(appToml.application_url).origin);
  });
});
