import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Liquid } from 'liquidjs';
import * as z from 'zod';
import type { Translator } from '../web/server/core/i18n.js';

/**
 * Renders the REAL theme app extension Liquid the way a Shopify storefront would, with the Shopify filters the block
 * uses (t, asset_url, handleize) and the objects it reads (block, request, customer). Local mode and tests only.
 */
const settingSchema = z.object({ type: z.string(), id: z.string().optional(), default: z.unknown().optional() }).passthrough();
const blockSchema = z
  .object({
    name: z.string(),
    target: z.string(),
    javascript: z.string().optional(),
    stylesheet: z.string().optional(),
    settings: z.array(settingSchema).default([]),
  })
  .passthrough();
export type BlockSchema = z.infer<typeof blockSchema>;

export interface ParsedBlock {
  liquid: string;
  schema: BlockSchema;
}

export function readBlock(extensionDir: string, name: string): ParsedBlock {
  const source = readFileSync(join(extensionDir, 'blocks', `${name}.liquid`), 'utf8');
  const match = /\{%-?\s*schema\s*-?%\}([\s\S]*?)\{%-?\s*endschema\s*-?%\}/.exec(source);
  if (!match?.[1]) throw new Error(`${name}.liquid has no {% schema %}`);
  return { liquid: source.replace(match[0], ''), schema: blockSchema.parse(JSON.parse(match[1])) };
}

export function defaultSettings(schema: BlockSchema): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const s of schema.settings) if (s.id) settings[s.id] = s.default ?? (s.type === 'checkbox' ? false : '');
  return settings;
}

export const handleize = (text: string): string =>
  String(text)
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/^-+|-+$/g, '');

export function createThemeEngine(translator: Translator, assetBase: string, extensionDir?: string): Liquid {
  const engine = new Liquid({
    strictFilters: true,
    // `{% render 'cc-field' %}` finds the extension's snippets, as in a theme.
    ...(extensionDir ? { root: [join(extensionDir, 'snippets')], partials: [join(extensionDir, 'snippets')], extname: '.liquid' } : {}),
  });
  engine.registerFilter('hmac_sha256', (text: string, key: string) => createHmac('sha256', String(key)).update(String(text)).digest('hex'));
  // Keyword arguments (`| t: field: label`) reach a liquidjs filter as [name, value] pairs.
  engine.registerFilter('t', function (this: { context: { getSync(path: string[]): unknown } }, key: string, ...args: unknown[]) {
    const iso = this.context.getSync(['request', 'locale', 'iso_code']);
    const locale = typeof iso === 'string' ? iso : 'en';
    const vars: Record<string, string> = {};
    for (const arg of args) if (Array.isArray(arg) && typeof arg[0] === 'string') vars[arg[0]] = String(arg[1] ?? '');
    return translator.t(locale, key, vars);
  });
  engine.registerFilter('asset_url', (file: string) => `${assetBase}${file}`);
  engine.registerFilter('handleize', (text: string) => handleize(text));
  return engine;
}
