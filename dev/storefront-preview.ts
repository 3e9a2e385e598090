import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXTENSION_DIR } from '../web/server/core/paths.js';
import { type Context, Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { Liquid } from 'liquidjs';
import type { Translator } from '../web/server/core/i18n.js';
import { createThemeEngine, defaultSettings, readBlock } from './theme-liquid.js';

/**
 * A minimal storefront: a theme page with the contact form block rendered from the real extension Liquid, in every
 * shipped locale (`/`, `/fr/`, ...). Query options for tests: `settings` (JSON of block settings), `blocks` (how many
 * blocks on the page, 0 to 5), `customer` (a logged-in customer id from the dev customers below).
 * The app embed: `embed` (`1`, or JSON of the embed's settings) turns it on, as Theme settings > App embeds would;
 * `privacy` (`granted` or `denied`) plays the Customer Privacy API's answer on preferences (absent: no API);
 * `design=1` renders as the theme editor does (`request.design_mode`); `linked_css=1` links the block's
 * stylesheet in the head as it used to be (the bench's baseline). Page types: `/products/x`,
 * `/collections/x`, `/pages/x`, `/account` (where the embed must never show).
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
    const overrides = query.get('settings') ? (JSON.parse(query.get('settings') ?? '{}') as Record<string, unknown>) : {};
    const blocksParam = Number(query.get('blocks') ?? '1');
    const count = Math.min(5, Math.max(0, Number.isInteger(blocksParam) ? blocksParam : 1));
    const customer = DEV_CUSTOMERS[query.get('customer') ?? ''] ?? null;
    const rootUrl = locale === 'en' ? '/' : `/${locale}`;
    // Shopify's global objects are visible in rendered snippets too; `block` is not.
    const globals = {
      request: { locale: { iso_code: locale }, path, page_type: pageType, design_mode: query.get('design') === '1' },
      routes: { root_url: rootUrl },
      customer,
      shop: { name: 'Élégance Parisienne' },
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
    return layout(locale, 'Contact – Élégance Parisienne', privacyStandIn(query.get('privacy')) + head, blocks.join('\n'), embed).replace(
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
      return c.body(body, 200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-cache' });
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
    return c.html(await renderPage('en', '/', query));
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
      return c.html(await renderPage('en', new URL(c.req.url).pathname, query, pageType));
    });
  }
  app.get('/:locale{[a-z]{2}(?:-[A-Za-z]{2})?}/', async (c) => {
    const locale = translator.resolve(c.req.param('locale'));
    if (locale !== c.req.param('locale').toLowerCase()) return c.notFound();
    const query = new URL(c.req.url).searchParams;
    withCustomer(c, query);
    return c.html(await renderPage(locale, `/${locale}/`, query));
  });
  return { app, engine, languageLinks };
}

/**
 * Plays `window.Shopify.customerPrivacy` for the embed's frequency memory: `granted` or `denied` preferences
 * processing, as the shop's cookie banner would have recorded it. Without the option there is no API at all.
 */
function privacyStandIn(value: string | null): string {
  if (value !== 'granted' && value !== 'denied') return '';
  return `<script>window.Shopify={customerPrivacy:{preferencesProcessingAllowed:function(){return ${value === 'granted'};}}};</script>\n`;
}
