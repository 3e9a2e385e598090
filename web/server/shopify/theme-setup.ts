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

/** `ok: false` when Shopify cannot answer now (no token, no read_themes grant yet, throttled, down). */
export function themeSetupLookup(client: AdminClient, tokens: ShopTokens): ThemeSetupLookup {
  return async (shop) => {
    const token = await tokens.get(shop);
    if (!token) return { ok: false };
    const result = await client.request<unknown>(shop, token, LIVE_THEME_FILES, {});
    if (!result.ok) return { ok: false };
    const parsed = answer.safeParse(result.data);
    if (!parsed.success) return { ok: false };
    const theme = parsed.data.themes.nodes[0];
    if (!theme) return { ok: true, theme: null, block: false, embed: false };
    const files = theme.files.nodes.flatMap((f) => (typeof f.body.content === 'string' ? [{ filename: f.filename, content: f.body.content }] : []));
    return { ok: true, theme: theme.name, ...themeSetupOf(files) };
  };
}
