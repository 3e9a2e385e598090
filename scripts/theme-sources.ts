import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, STOREFRONT_ASSETS_DIR } from './bundles.js';

/**
 * Liquid built from other sources, so each thing is written once:
 * - the block's stylesheet, minified, as a snippet of inline <style>: a linked stylesheet is a render-blocking
 *   request in the head (it delayed the first paint by 0.1-0.35 s on Lighthouse mobile); inlined it costs no request
 *   and, being there before the form, moves nothing when it applies;
 * - the block's loader and the embed's trigger script as inline <script> snippets (see scriptSnippet);
 * - the app embed block: its own wrapper (web/storefront/contact-embed.liquid: the trigger and a small config; the app
 *   renders the form on the trigger) with the contact block's settings after its own, so the embed always offers
 *   exactly the block's form settings.
 */
const EXTENSION = join(ROOT, 'extensions', 'contact-form');
const GENERATED = '{%- comment -%} Built by `npm run build:storefront` from web/storefront; never edited by hand. {%- endcomment -%}\n';
const SCHEMA = /\{%-?\s*schema\s*-?%\}([\s\S]*?)\{%-?\s*endschema\s*-?%\}/;

/**
 * A page-load script as an inline <script>: no request at all, so nothing for the first paint or the largest paint to
 * wait on (Lighthouse counts every request that starts before the largest paint against it). Same budget as a
 * schema script (10,000 bytes raw, checked in tests/theme-extension.test.ts).
 */
function scriptSnippet(js: string): string {
  if (/<\/script|<!--|\{%-?\s*endraw/i.test(js)) throw new Error('built script holds a sequence that would end its <script> early');
  return `${GENERATED}<script>{% raw %}${js.trim()}{% endraw %}</script>\n`;
}

function styleSnippet(css: string): string {
  // Liquid would read `{{` or `{%` as its own; `</` could end the style element early.
  if (/\{\{|\{%|<\//.test(css)) throw new Error('built CSS holds a Liquid or HTML delimiter');
  return `${GENERATED}<style>${css.trim()}</style>\n`;
}

export function embedBlockSource(blockSource: string, wrapperSource: string): string {
  const block = SCHEMA.exec(blockSource);
  const wrapper = SCHEMA.exec(wrapperSource);
  if (!block?.[1] || !wrapper?.[1]) throw new Error('contact-form.liquid and contact-embed.liquid each need a {% schema %}');
  const blockSchema = JSON.parse(block[1]) as { settings: unknown[] };
  const embedSchema = JSON.parse(wrapper[1]) as { settings: unknown[] };
  const body = wrapperSource.replace(wrapper[0], '').replace(/\{%-? comment -?%\}[\s\S]*?\{%-? endcomment -?%\}\n?/, '');
  const schema = { ...embedSchema, settings: [...embedSchema.settings, ...blockSchema.settings] };
  const lines = schema.settings.map((s) => `    ${JSON.stringify(s)}`).join(',\n');
  const schemaText = JSON.stringify({ ...schema, settings: [] }, null, 2).replace('"settings": []', `"settings": [\n${lines}\n  ]`);
  return `${GENERATED}${body.trim()}\n\n{% schema %}\n${schemaText}\n{% endschema %}\n`;
}

export function writeThemeSources(): void {
  const read = (path: string) => readFileSync(path, 'utf8');
  writeFileSync(join(EXTENSION, 'snippets', 'cc-style.liquid'), styleSnippet(read(`${STOREFRONT_ASSETS_DIR}contact-form.css`)));
  writeFileSync(join(EXTENSION, 'snippets', 'cc-loader.liquid'), scriptSnippet(read(`${STOREFRONT_ASSETS_DIR}contact-form.js`)));
  writeFileSync(join(EXTENSION, 'snippets', 'cc-embed-script.liquid'), scriptSnippet(read(`${STOREFRONT_ASSETS_DIR}contact-embed.js`)));
  writeFileSync(join(EXTENSION, 'snippets', 'cc-embed-open.liquid'), scriptSnippet(read(`${STOREFRONT_ASSETS_DIR}contact-embed-button.js`)));
  writeFileSync(join(EXTENSION, 'snippets', 'cc-embed-style.liquid'), styleSnippet(read(`${STOREFRONT_ASSETS_DIR}contact-embed.css`)));
  writeFileSync(
    join(EXTENSION, 'blocks', 'contact-embed.liquid'),
    embedBlockSource(read(join(EXTENSION, 'blocks', 'contact-form.liquid')), read(join(ROOT, 'web', 'storefront', 'contact-embed.liquid'))),
  );
}
