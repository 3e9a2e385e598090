import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import { EXTENSION_DIR } from '../web/server/core/paths.js';
import { type Context, Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { Liquid } from 'liquidjs';
import type { Translator } from '../web/server/core/i18n.js';
import { type BlockSchema, createThemeEngine, defaultSettings, readBlock } from './theme-liquid.js';

/**
 * A minimal storefront: a theme page with the contact form block rendered from the real extension Liquid, in every
 * shipped locale (`/`, `/fr/`, ...). Query options for tests: `settings` (JSON of block settings), `blocks` (how many
 * blocks on the page, 0 to 5), `customer` (a logged-in customer id from the dev customers below).
 * The app embed: `embed` (`1`, or JSON of the embed's settings) turns it on, as Theme settings > App embeds would;
 * `privacy` (`granted` or `denied`) plays the Customer Privacy API's answer on preferences (absent: no API);
 * `design=1` renders as the theme editor does (`request.design_mode`); `linked_css=1` links the block's
 * stylesheet in the head as it used to be (the bench's baseline). Page types: `/products/x`,
 * `/collections/x`, `/pages/x`, `/account` (where the embed must never show).
 * Settings panel and more (README "Storefront preview"): `s.<setting id>` (one setting, as the settings panel at
 * `panel=1` sends them), `design_mode=1` (same as `design=1`), `privacy_policy=0` (a shop without one).
 */
const ASSET_BASE = '/extensions/contact-form/assets/';

/** The cookie the preview sets for a logged-in dev customer; the proxy emulator reads it (and strips cookies). */
export const DEV_CUSTOMER_COOKIE = 'cc_dev_customer';

export const DEV_CUSTOMERS: Record<
  string,
  { id: number; first_name: string; last_name: string; email: string; phone: string; default_address: Record<string, string> }
> = {
  '7001': {
    id: 7001,
    first_name: 'Pierre',
    last_name: 'Durand',
    email: 'pierre.durand@example.com',
    phone: '+33612345678',
    default_address: { address1: '12 rue des Lilas', address2: '', city: 'Lyon', zip: '69003', province: '', country_code: 'FR' },
  },
};

export function layout(locale: string, title: string, head: string, body: string, bodyEnd = ''): string {
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1a1a1a; background: #fff; line-height: 1.5; }
  header, main, footer { padding: 1rem 1.5rem; }
  header { border-bottom: 1px solid #ddd; display: flex; gap: 1rem; align-items: center; }
  header nav a { color: inherit; margin-right: 0.75rem; }
  .page-width { max-width: 60rem; margin: 0 auto; }
</style>
${head}
</head>
<body>
<header><strong>Élégance Parisienne</strong><nav aria-label="Languages">LANG_LINKS</nav></header>
<main id="MainContent" class="page-width">
${body}
</main>
<footer class="page-width"><small>Local storefront preview of Contact Capture. Not a real shop.</small></footer>
${bodyEnd}
</body>
</html>`;
}

export interface PreviewOptions {
  /** The shop's form key, as the app-data metafield `app.metafields.contact_capture.form_key` gives it to Liquid. */
  formKey: string;
}

export function storefrontPreview(translator: Translator, options: PreviewOptions) {
  const app = new Hono();
  const engine: Liquid = createThemeEngine(translator, ASSET_BASE, EXTENSION_DIR);
  const languageLinks = () =>
    translator.locales.map((l) => `<a href="/${l === 'en' ? '' : `${l}/`}" hreflang="${l}" lang="${l}">${l.toUpperCase()}</a>`).join('');

  const renderPage = async (locale: string, path: string, query: URLSearchParams, pageType = 'index') => {
    // Read on each request so an edit to the block shows on reload, as `shopify app dev` would.
    const block = readBlock(EXTENSION_DIR, 'contact-form');
    const overrides = {
      ...(query.get('settings') ? (JSON.parse(query.get('settings') ?? '{}') as Record<string, unknown>) : {}),
      ...panelSettings(block.schema, query),
    };
    const blocksParam = Number(query.get('blocks') ?? '1');
    const count = Math.min(5, Math.max(0, Number.isInteger(blocksParam) ? blocksParam : 1));
    const customer = DEV_CUSTOMERS[query.get('customer') ?? ''] ?? null;
    const rootUrl = locale === 'en' ? '/' : `/${locale}`;
    // Shopify's global objects are visible in rendered snippets too; `block` is not.
    const globals = {
      // `design=1` or `design_mode=1` plays the theme editor's preview (`request.design_mode`).
      request: { locale: { iso_code: locale }, path, page_type: pageType, design_mode: query.get('design') === '1' || query.get('design_mode') === '1' },
      routes: { root_url: rootUrl },
      customer,
      // `privacy_policy=0` plays a shop that has not set one (Settings > Policies).
      shop: {
        name: 'Élégance Parisienne',
        privacy_policy: query.get('privacy_policy') === '0' ? null : { title: 'Privacy policy', url: '/policies/privacy-policy' },
      },
      app: { metafields: { contact_capture: { form_key: { value: options.formKey } } } },
    };
    const blocks: string[] = [];
    for (let i = 1; i <= count; i++) {
      const html = String(
        await engine.parseAndRender(
          block.liquid,
          { block: { id: `preview${i}`, settings: { ...defaultSettings(block.schema), ...overrides }, shopify_attributes: `data-block-id="preview${i}"` } },
          { globals },
        ),
      );
      blocks.push(`<section class="shopify-section">${html}</section>`);
    }
    // Shopify loads the schema's javascript deferred and its stylesheet in the head, once per page (only when a
    // block is on the page).
    const head = count
      ? [
          block.schema.stylesheet ? `<link rel="stylesheet" href="${ASSET_BASE}${block.schema.stylesheet}">` : '',
          block.schema.javascript ? `<script src="${ASSET_BASE}${block.schema.javascript}" defer></script>` : '',
          // `linked_css=1`: the stylesheet linked in the head as the block did before it was inlined (bench baseline).
          query.get('linked_css') === '1' ? `<link rel="stylesheet" href="${ASSET_BASE}contact-form.css">` : '',
        ].join('\n')
      : '';
    const embed = await renderEmbed(query, globals);
    const panel = query.get('panel') === '1' ? settingsPanel(block.schema, { ...defaultSettings(block.schema), ...overrides }, path, query) : panelLink(query);
    return layout(locale, 'Contact – Élégance Parisienne', privacyStandIn(query.get('privacy')) + head, panel + blocks.join('\n'), embed).replace(
      'LANG_LINKS',
      languageLinks(),
    );
  };

  // The app embed renders at the end of <body>, as Shopify places `"target": "body"` blocks.
  const renderEmbed = async (query: URLSearchParams, globals: Record<string, unknown>) => {
    const param = query.get('embed');
    if (!param) return '';
    const embed = readBlock(EXTENSION_DIR, 'contact-embed');
    const overrides = param === '1' ? {} : (JSON.parse(param) as Record<string, unknown>);
    const settings = { ...defaultSettings(embed.schema), ...overrides };
    const ctx = { block: { id: 'embed1', settings, shopify_attributes: 'data-block-id="embed1"' } };
    return String(await engine.parseAndRender(embed.liquid, ctx, { globals }));
  };

  app.get('/extensions/contact-form/assets/:file', (c) => {
    const file = c.req.param('file');
    if (!/^[\w.-]+$/.test(file)) return c.notFound();
    try {
      const body = readFileSync(join(EXTENSION_DIR, 'assets', file));
      const type = file.endsWith('.css') ? 'text/css' : file.endsWith('.js') ? 'text/javascript' : 'application/octet-stream';
      return served(c, body, `${type}; charset=utf-8`, { 'cache-control': 'no-cache' });
    } catch {
      return c.notFound();
    }
  });
  // `?customer=7001` plays a logged-in customer: Liquid's `customer`, and the proxy emulator's logged_in_customer_id.
  const withCustomer = (c: Context, query: URLSearchParams) => {
    const id = query.get('customer');
    if (id && DEV_CUSTOMERS[id]) setCookie(c, DEV_CUSTOMER_COOKIE, id, { path: '/', sameSite: 'Lax', httpOnly: true });
    else deleteCookie(c, DEV_CUSTOMER_COOKIE, { path: '/' });
  };
  app.get('/', async (c) => {
    const query = new URL(c.req.url).searchParams;
    withCustomer(c, query);
    return served(c, await renderPage('en', '/', query), HTML);
  });
  for (const [route, pageType] of [
    ['/products/:handle', 'product'],
    ['/collections/:handle', 'collection'],
    ['/pages/:handle', 'page'],
    ['/account', 'customers/account'],
  ] as const) {
    app.get(route, async (c) => {
      const query = new URL(c.req.url).searchParams;
      withCustomer(c, query);
      return served(c, await renderPage('en', new URL(c.req.url).pathname, query, pageType), HTML);
    });
  }
  app.get('/:locale{[a-z]{2}(?:-[A-Za-z]{2})?}/', async (c) => {
    const locale = translator.resolve(c.req.param('locale'));
    if (locale !== c.req.param('locale').toLowerCase()) return c.notFound();
    const query = new URL(c.req.url).searchParams;
    withCustomer(c, query);
    return served(c, await renderPage(locale, `/${locale}/`, query), HTML);
  });
  return { app, engine, languageLinks };
}

const HTML = 'text/html; charset=utf-8';
/**
 * Shopify's storefront and CDN send pages and theme assets brotli-compressed to browsers that accept it. The preview
 * does the same, so that the paint figures of `npm run bench:storefront` count the bytes a shopper's browser really
 * downloads (uncompressed, the block's HTML weighed as if it were four times its size). Quality 5: a CDN's setting
 * for responses made per request.
 */
function served(c: Context, body: string | Buffer, type: string, headers: Record<string, string> = {}): Response {
  const accepts = (c.req.header('accept-encoding') ?? '').split(',').some((part) => part.trim().split(';')[0] === 'br');
  const vary = { ...headers, 'content-type': type, vary: 'accept-encoding' };
  if (!accepts) return c.body(typeof body === 'string' ? body : new Uint8Array(body), 200, vary);
  const packed = brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5 } });
  return c.body(new Uint8Array(packed), 200, { ...vary, 'content-encoding': 'br' });
}

/**
 * Plays `window.Shopify.customerPrivacy` for the embed's frequency memory: `granted` or `denied` preferences
 * processing, as the shop's cookie banner would have recorded it. Without the option there is no API at all.
 */
function privacyStandIn(value: string | null): string {
  if (value !== 'granted' && value !== 'denied') return '';
  return `<script>window.Shopify={customerPrivacy:{preferencesProcessingAllowed:function(){return ${value === 'granted'};}}};</script>\n`;
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The preview's settings panel (`?panel=1`): one control per block setting, named `s.<setting id>`, so that trying a
 * combination is a form post-back rather than hand-written JSON in the URL. Works without JavaScript. The panel's
 * values win over `settings`; an unticked box counts as false only when the panel sent the page (`panel=1`).
 */
function panelSettings(schema: BlockSchema, query: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fromPanel = query.get('panel') === '1';
  for (const setting of schema.settings) {
    if (!setting.id) continue;
    const value = query.get(`s.${setting.id}`);
    if (setting.type === 'checkbox') {
      if (value !== null) out[setting.id] = value === 'on';
      else if (fromPanel && query.has('s.__sent')) out[setting.id] = false;
    } else if (value !== null) out[setting.id] = setting.type === 'range' ? Number(value) : value;
  }
  return out;
}

function panelLink(query: URLSearchParams): string {
  const next = new URLSearchParams(query);
  next.set('panel', '1');
  return `<p><a href="?${escapeHtml(next.toString())}">Preview settings (local only)</a></p>`;
}

function settingsPanel(schema: BlockSchema, current: Record<string, unknown>, path: string, query: URLSearchParams): string {
  const controls = schema.settings
    .filter((setting) => setting.id)
    .map((setting) => {
      const id = setting.id!;
      const name = `s.${id}`;
      const value = current[id];
      const text = typeof value === 'string' || typeof value === 'number' ? String(value) : '';
      const label = `<label for="panel-${id}">${escapeHtml(id)}</label>`;
      const options = Array.isArray(setting.options) ? (setting.options as Array<{ value: string }>) : [];
      let control: string;
      if (setting.type === 'checkbox') control = `<input type="checkbox" id="panel-${id}" name="${name}"${value === true ? ' checked' : ''}>`;
      else if (setting.type === 'select')
        control = `<select id="panel-${id}" name="${name}">${options.map((o) => `<option${o.value === text ? ' selected' : ''}>${escapeHtml(o.value)}</option>`).join('')}</select>`;
      else if (setting.type === 'textarea' || setting.type === 'richtext')
        control = `<textarea id="panel-${id}" name="${name}" rows="3">${escapeHtml(text)}</textarea>`;
      else control = `<input type="${setting.type === 'range' ? 'number' : 'text'}" id="panel-${id}" name="${name}" value="${escapeHtml(text)}">`;
      return `<div class="panel__row">${label}${control}</div>`;
    })
    .join('');
  const keep = ['blocks', 'customer', 'design', 'design_mode', 'privacy_policy', 'embed', 'privacy']
    .filter((k) => query.get(k) !== null)
    .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(query.get(k) ?? '')}">`)
    .join('');
  return `<details class="panel" open><summary>Preview settings (local only)</summary>
<style>.panel{border:1px dashed #888;padding:.5rem 1rem;margin-bottom:1rem}.panel form{display:grid;gap:.5rem;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr))}.panel__row{display:grid;gap:.25rem}</style>
<form method="get" action="${escapeHtml(path)}" aria-label="Preview settings">
<input type="hidden" name="panel" value="1"><input type="hidden" name="s.__sent" value="1">${keep}${controls}
<div><button type="submit">Apply</button> <a href="${escapeHtml(path)}">Reset</a></div>
</form></details>`;
}
