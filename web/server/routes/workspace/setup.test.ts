import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../../../tests/helpers/databases.js';
import { type TestApp, startTestApp } from '../../../../tests/helpers/runtime.js';
import type { SetupStatus } from '../../../../schema/workspace-api.js';
import { themeSetupLookup, themeSetupOf } from '../../shopify/theme-setup.js';
import type { AdminClient, AdminResult } from '../../shopify/admin-client.js';

const BLOCK_TYPE = 'shopify://apps/contact-capture/blocks/contact-form/0190f3b2-7d8e-7c3a-9a41-2f1d7b1c9e01';
const EMBED_TYPE = 'shopify://apps/contact-capture/blocks/contact-embed/0190f3b2-7d8e-7c3a-9a41-2f1d7b1c9e01';
const pageWithBlock = `/*
 * IMPORTANT: The contents of this file are auto-generated.
 */
{"sections":{"main":{"type":"main-page"},"apps":{"type":"_blocks","blocks":{"b1":{"type":"${BLOCK_TYPE}","settings":{}}},"block_order":["b1"]}},"order":["main","apps"]}`;
const settingsWithEmbed = (disabled: boolean) => JSON.stringify({ current: { blocks: { e1: { type: EMBED_TYPE, disabled, settings: {} } } } });

describe('reading the live theme for the contact block and the embed', () => {
  it('finds the block in a generated template (comment header and all) and the embed only when enabled', () => {
    expect(themeSetupOf([{ filename: 'templates/page.contact.json', content: pageWithBlock }])).toEqual({ block: true, embed: false });
    expect(themeSetupOf([{ filename: 'config/settings_data.json', content: settingsWithEmbed(false) }])).toEqual({ block: false, embed: true });
    expect(themeSetupOf([{ filename: 'config/settings_data.json', content: settingsWithEmbed(true) }])).toEqual({ block: false, embed: false });
  });

  it('does not take another block of the app, a removed one, or a broken file for it', () => {
    const other = pageWithBlock.replace('/blocks/contact-form/', '/blocks/cart-fields/');
    const disabled = pageWithBlock.replace('"settings":{}', '"disabled":true,"settings":{}');
    const files = [other, disabled, '{ not json'].map((content, i) => ({ filename: `templates/p${i}.json`, content }));
    expect(themeSetupOf(files)).toEqual({ block: false, embed: false });
    // An embed handle in a template is a block of a section, not the activated embed.
    expect(themeSetupOf([{ filename: 'templates/index.json', content: settingsWithEmbed(false) }])).toEqual({ block: false, embed: false });
  });
});

describe('paging the live theme within the cost budget', () => {
  const tokens = { save: async () => undefined, get: async () => 'token', revoke: async () => undefined };
  // A theme of many pages, none holding the block, answered with the bucket left as `available` says.
  const client = (available: number) => {
    const variables: Array<Record<string, unknown>> = [];
    const fake: AdminClient = {
      request: async <T>(_shop: string, _token: string, _query: string, vars: Record<string, unknown>): Promise<AdminResult<T>> => {
        variables.push(vars);
        const data = { themes: { nodes: [{ name: 'Big', files: { nodes: [], pageInfo: { hasNextPage: true, endCursor: `c${variables.length}` } } }] } };
        return {
          ok: true,
          data: data as T,
          cost: { requestedQueryCost: 155, actualQueryCost: 150, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: available, restoreRate: 100 } },
        };
      },
    };
    return { fake, variables };
  };

  it('asks for the next page with the cursor only while half the bucket stays free, then says unknown, not absent', async () => {
    const low = client(1100);
    expect(await themeSetupLookup(low.fake, tokens)('shop.myshopify.com')).toEqual({ ok: false });
    expect(low.variables).toEqual([{ after: null }]);
    const high = client(2000);
    expect(await themeSetupLookup(high.fake, tokens)('shop.myshopify.com')).toEqual({ ok: false });
    expect(high.variables.map((v) => v.after)).toEqual([null, 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9']);
  });
});

describe.each(ENGINES)('GET /api/setup on %s', (engine) => {
  let t: TestApp | null;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => t?.close());
  const get = async (token?: string) => t!.runtime.app.request('/api/setup', { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('gives the theme editor deep links with the client id and handles, and what the emulated live theme has', async (ctx) => {
    if (!t) return ctx.skip();
    const token = await t.staffToken('viewer');
    const before = (await (await get(token)).json()) as SetupStatus;
    const shop = t.config.devShop;
    const apiKey = t.config.apiKey;
    expect(before.links.block).toBe(
      `https://${shop}/admin/themes/current/editor?template=page&addAppBlockId=${encodeURIComponent(`${apiKey}/contact-form`)}&target=newAppsSection`,
    );
    expect(before.links.embed).toBe(
      `https://${shop}/admin/themes/current/editor?context=apps&template=index&activateAppId=${encodeURIComponent(`${apiKey}/contact-embed`)}`,
    );
    expect(before.live).toEqual({ theme: 'Horizon', block: false, embed: false });

    t.emulator.setThemeFile(shop, 'templates/page.contact.json', pageWithBlock);
    t.emulator.setThemeFile(shop, 'config/settings_data.json', settingsWithEmbed(false));
    const after = (await (await get(token)).json()) as SetupStatus;
    expect(after.live).toEqual({ theme: 'Horizon', block: true, embed: true });
    // The query the app sends is the one the emulator checked against the 2026-10 schema (no NOT_IMPLEMENTED, no error).
    expect(t.emulator.stats.operations).toHaveProperty('ContactCaptureLiveThemeFiles');
  });

  it('pages through a theme with more files than one page holds, and stops once it has found both', async (ctx) => {
    if (!t) return ctx.skip();
    const token = await t.staffToken('viewer');
    const shop = t.config.devShop;
    const calls = () => t!.emulator.stats.operations.ContactCaptureLiveThemeFiles ?? 0;
    // The block only in a template far past the first page (a theme with many product and page templates).
    t.emulator.setThemeFile(shop, 'templates/page.contact.json', pageWithBlock.replace(BLOCK_TYPE, 'main-page'));
    for (let i = 0; i < 130; i++) t.emulator.setThemeFile(shop, `templates/product.p${String(i).padStart(3, '0')}.json`, '{"sections":{},"order":[]}');
    t.emulator.setThemeFile(shop, 'templates/page.late.json', pageWithBlock);
    const before = calls();
    expect(((await (await get(token)).json()) as SetupStatus).live).toEqual({ theme: 'Horizon', block: true, embed: true });
    expect(calls() - before).toBeGreaterThan(1);
    // Both in the first page: one request, however many files follow.
    t.emulator.setThemeFile(shop, 'templates/page.contact.json', pageWithBlock);
    const second = calls();
    expect(((await (await get(token)).json()) as SetupStatus).live).toEqual({ theme: 'Horizon', block: true, embed: true });
    expect(calls() - second).toBe(1);
  });

  it('answers 401 without a session token, and says nothing about the theme when Shopify cannot answer', async (ctx) => {
    if (!t) return ctx.skip();
    expect((await get()).status).toBe(401);
    const token = await t.staffToken('viewer');
    t.emulator.configure({ faults: { rate: 1, kinds: ['http500'] } });
    try {
      const body = (await (await get(token)).json()) as SetupStatus;
      expect(body.live).toBeNull();
      expect(body.links.block).toContain('addAppBlockId=');
    } finally {
      t.emulator.configure({ faults: { rate: 0, kinds: [] } });
    }
  });
});
