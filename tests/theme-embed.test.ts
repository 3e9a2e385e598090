import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createThemeEngine, defaultSettings, readBlock } from '../dev/theme-liquid.js';
import { embedBlockSource } from '../scripts/theme-sources.js';
import { signedOptInDays } from '../web/server/core/form-key.js';
import { loadTranslator } from '../web/server/core/i18n.js';
import { EXTENSION_DIR, PROJECT_ROOT } from '../web/server/core/paths.js';

/**
 * The app embed block as Shopify renders it: built from the contact block (same form, same settings), shown only
 * where the merchant targets it and never on cart, account or checkout pages; the theme editor always shows it, and
 * shows the block's sample states. The built files come from `npm run build:storefront`.
 */
const engine = createThemeEngine(loadTranslator(), '/assets/', EXTENSION_DIR);
const embed = readBlock(EXTENSION_DIR, 'contact-embed');
const block = readBlock(EXTENSION_DIR, 'contact-form');

async function render(
  source: { liquid: string; schema: typeof embed.schema },
  settings: Record<string, unknown>,
  request: { page_type: string; path: string; design_mode?: boolean; locale?: string },
): Promise<string> {
  const globals = {
    request: { locale: { iso_code: request.locale ?? 'en' }, path: request.path, page_type: request.page_type, design_mode: request.design_mode ?? false },
    routes: { root_url: request.locale && request.locale !== 'en' ? `/${request.locale}` : '/' },
    customer: null,
    app: { metafields: { contact_capture: { form_key: { value: 'k' } } } },
  };
  const ctx = { block: { id: 'E1', settings: { ...defaultSettings(source.schema), ...settings }, shopify_attributes: '' } };
  return String(await engine.parseAndRender(source.liquid, ctx, { globals }));
}
const shown = async (settings: Record<string, unknown>, page_type: string, path: string, locale?: string) =>
  (await render(embed, settings, { page_type, path, ...(locale ? { locale } : {}) })).includes('data-cc-embed');

describe('app embed block', () => {
  it('is built from the current contact block and wrapper (run npm run build:storefront after editing either)', () => {
    const built = readFileSync(join(EXTENSION_DIR, 'blocks', 'contact-embed.liquid'), 'utf8');
    const expected = embedBlockSource(
      readFileSync(join(EXTENSION_DIR, 'blocks', 'contact-form.liquid'), 'utf8'),
      readFileSync(join(PROJECT_ROOT, 'web', 'storefront', 'contact-embed.liquid'), 'utf8'),
    );
    expect(built).toBe(expected);
    expect(embed.schema.target).toBe('body');
    // Loaded by the embed's own <script> only on targeted pages, never by Shopify on every page.
    expect(embed.schema.javascript).toBeUndefined();
    expect(embed.schema.stylesheet).toBeUndefined();
  });

  it('offers every setting of the contact block, with the same defaults', () => {
    const embedSettings = new Map(embed.schema.settings.filter((s) => s.id).map((s) => [s.id, s]));
    for (const s of block.schema.settings.filter((x) => x.id)) expect(embedSettings.get(s.id), s.id).toEqual(s);
  });

  it.each([
    ['all', 'index', '/', true],
    ['all', 'product', '/products/hat', true],
    ['home', 'index', '/', true],
    ['home', 'product', '/products/hat', false],
    ['product', 'product', '/products/hat', true],
    ['product', 'collection', '/collections/hats', false],
    ['collection', 'collection', '/collections/hats', true],
    ['collection', 'list-collections', '/collections', true],
    ['collection', 'index', '/', false],
  ])('pages=%s on a %s page (%s): shown %s', async (pages, pageType, path, expected) => {
    expect(await shown({ embed_pages: pages }, pageType, path)).toBe(expected);
  });

  it('matches specific pages exactly, or by prefix with *, without the locale prefix', async () => {
    const urls = { embed_pages: 'urls', embed_urls: '/pages/wholesale\n/blogs/news*\n' };
    expect(await shown(urls, 'page', '/pages/wholesale')).toBe(true);
    expect(await shown(urls, 'page', '/fr/pages/wholesale', 'fr')).toBe(true);
    expect(await shown(urls, 'page', '/pages/wholesale-terms')).toBe(false);
    expect(await shown(urls, 'article', '/blogs/news/spring')).toBe(true);
    expect(await shown(urls, 'index', '/')).toBe(false);
  });

  it.each([
    ['cart', '/cart'],
    ['customers/account', '/account'],
    ['customers/login', '/account/login'],
    ['customers/order', '/account/orders/1'],
    ['page', '/checkouts/cn/abc'],
  ])('never shows on a %s page (%s), even targeted by URL', async (pageType, path) => {
    expect(await shown({ embed_pages: 'all' }, pageType, path)).toBe(false);
    expect(await shown({ embed_pages: 'urls', embed_urls: `${path}\n/*` }, pageType, path)).toBe(false);
  });

  it('renders nothing at all on a page it does not target (no markup, no script)', async () => {
    expect((await render(embed, { embed_pages: 'product' }, { page_type: 'index', path: '/' })).trim()).toBe('');
  });

  it('keeps the form in an inert <template> inside a labelled modal dialog with a translated close button', async () => {
    const html = await render(embed, {}, { page_type: 'index', path: '/', locale: 'de' });
    const template = /<template data-cc-embed-form>([\s\S]*)<\/template>/.exec(html)?.[1] ?? '';
    expect(template).toContain('<dialog class="cc-embed__dialog" aria-modal="true" aria-labelledby="contact-capture-E1-heading"');
    expect(template).toContain('id="contact-capture-E1-heading"');
    expect(template).toContain('aria-label="Schließen"');
    expect(template).toContain('<form');
    expect(html.replace(template, '')).not.toContain('<form');
    // The block's loader is not carried into the template (it would bind the dialog's form twice).
    expect(template).not.toContain('<script>');
    // Its trigger script is inline, after the markup it reads: no request before a trigger fires.
    expect(html).toMatch(/<\/template>\s*<\/div>\s*<script>/);
    expect(html).not.toContain('<script src=');
  });

  it('in the theme editor shows whatever the targeting, marks the form as never posting, and shows the chosen sample', async () => {
    const editor = { page_type: 'cart', path: '/cart', design_mode: true };
    const errors = await render(embed, { embed_pages: 'product', editor_preview: 'errors' }, editor);
    expect(errors).toContain('data-design');
    expect(errors).toMatch(/<form[^>]*data-cc-design/);
    expect(errors).toMatch(/aria-invalid="true" aria-describedby="contact-capture-e1-email-error"/);
    expect(errors).toContain('Enter an email address like name@example.com.');
    const success = await render(block, { editor_preview: 'success', success_message: 'Merci !' }, { page_type: 'index', path: '/', design_mode: true });
    expect(success).toMatch(/data-cc-status role="status" aria-live="polite">Merci !</);
    // Outside the editor the setting does nothing: shoppers never see a sample.
    const live = await render(block, { editor_preview: 'errors' }, { page_type: 'index', path: '/' });
    expect(live).not.toContain('aria-invalid="true"');
    expect(live).not.toMatch(/<form[^>]*data-cc-design/);
    expect(live).toMatch(/data-cc-summary tabindex="-1" hidden>/);
  });
});

describe('double opt-in, as the block and the embed sign it', () => {
  const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
  it.each([
    ['block', block],
    ['embed', embed],
  ])('the %s signs its setting, off included, bound to the form it posts', async (_, source) => {
    for (const [settings, value] of [
      [{}, 'doi:0'],
      [{ double_opt_in: true, double_opt_in_days: 14 }, 'doi:14'],
      [{ double_opt_in: false, double_opt_in_days: 14, form_name: 'Newsletter Form' }, 'doi:0'],
    ] as const) {
      const html = await render(source, { embed_pages: 'all', ...settings }, { page_type: 'index', path: '/' });
      const formId = hidden(html, 'form_id')!;
      expect(formId).toBe('form_name' in settings ? 'newsletter-form' : 'e1');
      expect(hidden(html, 'double_opt_in')).toBe(value);
      expect(signedOptInDays('k', formId, hidden(html, 'double_opt_in'), hidden(html, 'double_opt_in_sig'))).toBe(Number(value.slice(4)));
      // Another form's post cannot carry it.
      expect(signedOptInDays('k', 'other-form', hidden(html, 'double_opt_in'), hidden(html, 'double_opt_in_sig'))).toBeNull();
    }
  });
});
