import * as z from 'zod';
import type { AdminClient } from './admin-client.js';
import { LIVE_THEME_FILES } from './operations.js';
import type { ShopTokens } from './shops.js';

/** The theme app extension's handles: the contact block, and the app embed (popup and floating button). */
export const BLOCK_HANDLES = { block: 'contact-form', embed: 'contact-embed' } as const;

/** Whether the live theme already has the block (in a template or section) and the embed (enabled). */
export type ThemeSetup = { ok: true; theme: string | null; block: boolean; embed: boolean } | { ok: false };
export type ThemeSetupLookup = (shop: string) => Promise<ThemeSetup>;

const answer = z.object({
  themes: z.object({
    nodes: z.array(
      z.object({
        name: z.string(),
        files: z.object({
          nodes: z.array(z.object({ filename: z.string(), body: z.object({ content: z.string().optional() }).passthrough() })),
          pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
        }),
      }),
    ),
  }),
});

/** Shopify writes a comment header above generated JSON templates; JSON.parse would refuse it. */
const parseThemeJson = (text: string): unknown => {
  try {
    return JSON.parse(text.replace(/^\s*\/\*[\s\S]*?\*\//, '')) as unknown;
  } catch {
    return undefined;
  }
};

/** Every `{type, disabled}` object in a theme JSON file, however deep (sections > blocks, settings_data > current > blocks). */
function blocksIn(node: unknown, out: Array<{ type: string; disabled: boolean }> = []): Array<{ type: string; disabled: boolean }> {
  if (Array.isArray(node)) for (const item of node) blocksIn(item, out);
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (typeof record.type === 'string') out.push({ type: record.type, disabled: record.disabled === true });
    for (const value of Object.values(record)) if (value && typeof value === 'object') blocksIn(value, out);
  }
  return out;
}

/** An app block's type in a theme: `shopify://apps/<app>/blocks/<handle>/<extension uid>`. */
const isAppBlock = (type: string, handle: string) => new RegExp(`^shopify://apps/[^/]+/blocks/${handle}/[^/]+$`).test(type);

export function themeSetupOf(files: ReadonlyArray<{ filename: string; content: string }>): { block: boolean; embed: boolean } {
  let block = false;
  let embed = false;
  for (const file of files) {
    const blocks = blocksIn(parseThemeJson(file.content)).filter((b) => !b.disabled);
    if (file.filename === 'config/settings_data.json') embed ||= blocks.some((b) => isAppBlock(b.type, BLOCK_HANDLES.embed));
    else block ||= blocks.some((b) => isAppBlock(b.type, BLOCK_HANDLES.block));
  }
  return { block, embed };
}

/**
 * At most this many pages of 50 files per look (500 files: more JSON templates and sections than themes carry), and
 * a next page only while the shop's cost bucket keeps at least half its points afterwards: the sync worker shares the
 * bucket, and a setup card must never be what throttles a lead's sync.
 */
export const THEME_FILE_PAGES = 10;

/** `ok: false` when Shopify cannot answer now (no token, no read_themes grant yet, throttled, down), or not fully. */
export function themeSetupLookup(client: AdminClient, tokens: ShopTokens): ThemeSetupLookup {
  return async (shop) => {
    const token = await tokens.get(shop);
    if (!token) return { ok: false };
    let found = { block: false, embed: false };
    let after: string | null = null;
    let name: string | null = null;
    for (let page = 0; page < THEME_FILE_PAGES; page++) {
      const result = await client.request<unknown>(shop, token, LIVE_THEME_FILES, { after });
      if (!result.ok) return { ok: false };
      const parsed = answer.safeParse(result.data);
      if (!parsed.success) return { ok: false };
      const theme = parsed.data.themes.nodes[0];
      if (!theme) return { ok: true, theme: null, block: false, embed: false };
      name = theme.name;
      const files = theme.files.nodes.flatMap((f) => (typeof f.body.content === 'string' ? [{ filename: f.filename, content: f.body.content }] : []));
      const here = themeSetupOf(files);
      found = { block: found.block || here.block, embed: found.embed || here.embed };
      const { hasNextPage, endCursor } = theme.files.pageInfo;
      if ((found.block && found.embed) || !hasNextPage || !endCursor) return { ok: true, theme: name, ...found };
      const bucket = result.cost?.throttleStatus;
      // The bucket as this page left it; the next page asks about as much as this one did. Without room for it and half
      // the bucket to spare, say "unknown" rather than "not there".
      const next = result.cost?.requestedQueryCost ?? 0;
      if (bucket && bucket.currentlyAvailable - next < bucket.maximumAvailable / 2) return { ok: false };
      after = endCursor;
    }
    // More files than the pages read: what was not found may be in the rest.
    return { ok: false };
  };
}
