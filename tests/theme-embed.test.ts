import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createThemeEngine, defaultSettings, readBlock } from '../dev/theme-liquid.js';
import { embedBlockSource } from '../scripts/theme-sources.js';
import { signedOptInDays } from '../web/server/core/form-key.js';
import { loadTranslator } from '../web/server/core/i18n.js';
import { EXTENSION_DIR, PROJECT_ROOT } from '../web/server/core/paths.js';
import { FIELD_SETTINGS, embedConfig, embedFormHtml } from '../web/server/routes/proxy/embed-form.js';
import { signedUploadLimits } from '../web/server/core/form-key.js';

/**
 * The app embed block as Shopify renders it: the contact block's settings, shown only where the merchant targets it
 * and never on cart, account or checkout pages; the theme editor always shows it, and shows the block's sample
 * states. Before a trigger the page holds only the trigger and a config (1 KB brotli at most); the app renders the
 * form from that config (web/server/routes/proxy/embed-form.ts) as the block renders it. The built files come from
 * `npm run build:storefront`.
 */
const translator = loadTranslator();
const engine = createThemeEngine(translator, '/assets/', EXTENSION_DIR);
/** The budget of issue 14: what the embed adds to a page before any trigger fires. */
const EMBED_BUDGET_BYTES = 1024;
const brotli = (text: string) => brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
/** An attribute's value as the browser reads it (Liquid and the app escape differently, e.g. `&#34;` and `&quot;`). */
const decode = (value: string) =>
  value.replace(/&(#\d+|quot|amp|lt|gt);/g, (_, e: string) =>
    e.startsWith('#') ? String.fromCharCode(Number(e.slice(1))) : ({ quot: '"', amp: '&', lt: '<', gt: '>' } as Record<string, string>)[e]!,
  );
const configOf = (html: string): unknown => JSON.parse(/<script type="application\/json" data-cc-embed-config>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? 'null');
const embed = readBlock(EXTENSION_DIR, 'contact-embed');
const block = readBlock(EXTENSION_DIR, 'contact-form');

function globalsFor(request: { page_type: string; path: string; design_mode?: boolean; locale?: string }, formKey: string | null = 'k') {
  return {
    request: { locale: { iso_code: request.locale ?? 'en' }, path: request.path, page_type: request.page_type, design_mode: request.design_mode ?? false },
    routes: { root_url: request.locale && request.locale !== 'en' ? `/${request.locale}` : '/' },
    customer: null,
    app: { metafields: { contact_capture: formKey === null ? {} : { form_key: { value: formKey } } } },
  };
}

async function render(
  source: { liquid: string; schema: typeof embed.schema },
  settings: Record<string, unknown>,
  request: { page_type: string; path: string; design_mode?: boolean; locale?: string },
  formKey: string | null = 'k',
): Promise<string> {
  const globals = globalsFor(request, formKey);
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

  it('puts only the trigger and a small config in the page: the form comes from the app on the trigger', async () => {
    const html = await render(embed, { embed_style: 'button' }, { page_type: 'index', path: '/', locale: 'de' });
    expect(html).not.toContain('<form');
    expect(html).not.toContain('<template');
    expect(html).toContain('<button type="button" class="cc-embed__fab cc-embed__fab--right" data-cc-open hidden>Kontakt</button>');
    // The double opt-in state travels even when off, signed: without it the server would fail safe to double opt-in.
    expect(configOf(html)).toEqual({
      block: 'E1',
      locale: 'de',
      page: '/',
      double_opt_in: 'doi:0',
      double_opt_in_sig: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    // Its trigger script is inline, after the markup it reads: no request before a trigger fires.
    expect(html).toMatch(/<\/script>\s*<\/div>\s*<script>/);
    expect(html).not.toContain('<script src=');
    // The app renders the dialog around the form in the shopper's language: labelled, modal, a translated close button.
    const form = embedFormHtml(translator, embedConfig.parse(configOf(html)));
    expect(form).toContain('<dialog class="cc-embed__dialog" aria-modal="true" aria-labelledby="contact-capture-E1-heading"');
    expect(form).toContain('id="contact-capture-E1-heading"');
    expect(form).toContain('aria-label="Schließen"');
  });

  it('before any trigger adds at most 1 KB brotli to the page (popup and button, default settings)', async () => {
    // Shopify's CDN asset URLs are long; the privacy policy link is in the config when the shop has one.
    const cdn = createThemeEngine(translator, '//example.myshopify.com/cdn/shop/extensions/0a1b2c3d-4e5f-6789-abcd-ef0123456789/assets/', EXTENSION_DIR);
    for (const style of ['popup', 'button', 'link']) {
      const html = String(
        await cdn.parseAndRender(
          embed.liquid,
          { block: { id: 'AbCdEfGh12345678embed', settings: { ...defaultSettings(embed.schema), embed_style: style }, shopify_attributes: '' } },
          { globals: { ...globalsFor({ page_type: 'index', path: '/' }), shop: { privacy_policy: { url: '/policies/privacy-policy' } } } },
        ),
      );
      expect(html).toContain('data-cc-embed');
      expect(brotli(html), style).toBeLessThanOrEqual(EMBED_BUDGET_BYTES);
    }
  });

  it('carries what the block signs with the form key, signed the same way, and the app puts it in the form unchanged', async () => {
    const settings = {
      tags: 'wholesale, vip',
      double_opt_in: true,
      double_opt_in_days: 5,
      custom_1_type: 'select',
      custom_1_label: 'Subject',
      custom_1_key: 'subject',
      custom_options: 'subject: An order, A "return"',
      custom_required: 'subject',
      custom_2_type: 'checkbox',
      custom_2_label: 'I am a business',
      custom_2_key: 'business',
      company: 'required',
      address: 'optional',
      message: 'hidden',
      conditions: 'company: business',
      field_text: 'email: Your email | you@example.com',
      consent_text: '<p>Send me <strong>news</strong>, see <a href="/pages/privacy">terms</a> <img src=x onerror=alert(1)></p>',
      sms_consent_text: '<p>Texts too</p>',
      consent_required: true,
      form_name: 'Spring popup',
      heading: 'Write to us',
      file_accept: 'pdf',
      file_max_mb: 3,
    };
    const request = { page_type: 'index', path: '/pages/about' };
    const fromBlock = await render(block, settings, request);
    const fromEmbed = embedFormHtml(translator, embedConfig.parse(configOf(await render(embed, settings, request))));
    const hidden = (html: string) =>
      Object.fromEntries(
        [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)]
          .filter((m) => !['rendered_at', 'idempotency_key'].includes(m[1]!))
          .map((m) => [m[1], decode(m[2]!)]),
      );
    expect(hidden(fromEmbed)).toEqual(hidden(fromBlock));
    expect(hidden(fromEmbed).tags_sig).toMatch(/^[0-9a-f]{64}$/);
    expect(hidden(fromEmbed).custom_fields_sig).toMatch(/^[0-9a-f]{64}$/);
    expect(hidden(fromEmbed).double_opt_in_sig).toMatch(/^[0-9a-f]{64}$/);
    // The attachment settings, signed bound to the form, as the upload route checks them.
    const limits = (html: string) => /data-limits="([^"]*)" data-limits-sig="([0-9a-f]{64})"/.exec(html)?.slice(1);
    expect(limits(fromEmbed)).toEqual(limits(fromBlock));
    const [value, sig] = limits(fromBlock) ?? [];
    expect(signedUploadLimits('k', 'spring-popup', value, sig)).toEqual({ types: ['application/pdf'], maxBytes: 3 * 1024 * 1024 });
    expect(signedUploadLimits('k', 'another-form', value, sig)).toBeNull();
    // The same fields, in the same order, with the same ids, labels and requirements as the block's.
    const controls = (html: string) =>
      [...html.matchAll(/<(input|select|textarea) ([^>]*)>/g)]
        .map((m) => m[2]!)
        .filter((attrs) => !attrs.includes('type="hidden"'))
        .map((attrs) =>
          ['id', 'name', 'type', 'autocomplete', 'maxlength', 'placeholder', 'required', 'aria-describedby']
            .map((a) => new RegExp(`(?:^|\\s)${a}(?:="[^"]*")?`).exec(attrs)?.[0] ?? '')
            .join(' '),
        );
    expect(controls(fromEmbed)).toEqual(controls(fromBlock));
    const labels = (html: string) =>
      [...html.matchAll(/<label [^>]*for="([^"]+)">([\s\S]*?)<\/label>/g)].map((m) => `${m[1]}: ${m[2]!.replace(/\s+/g, ' ').trim()}`);
    expect(labels(fromEmbed).filter((l) => !l.includes('marketing_consent'))).toEqual(labels(fromBlock).filter((l) => !l.includes('marketing_consent')));
    expect([...fromEmbed.matchAll(/data-cc-field="([^"]+)"/g)].map((m) => m[1])).toEqual([...fromBlock.matchAll(/data-cc-field="([^"]+)"/g)].map((m) => m[1]));
    // The merchant's rich text keeps its link and emphasis, and nothing that could run.
    expect(fromEmbed).toContain('Send me <strong>news</strong>, see <a href="/pages/privacy">terms</a>');
    expect(fromEmbed).not.toMatch(/<img|onerror=/);
  });

  it.each(['en', 'fr', 'de', 'es', 'it', 'nl', 'pt-BR', 'ja'])('the app renders the embed form in %s, every string translated', (locale) => {
    const html = embedFormHtml(
      translator,
      embedConfig.parse({
        block: 'E1',
        locale,
        page: '/',
        fields: 'required,required,required,required,required,required,required',
        file_accept: 'images',
        file_sig: 'a'.repeat(64),
        conditions: 'company: phone',
      }),
    );
    expect(html).toContain('data-cc-file');
    expect(html).not.toMatch(/contact_(form|embed)\.[a-z_.]+/);
    expect(html).toContain(`lang="${translator.resolve(locale)}"`);
  });

  it('offers no file field, in the block or the embed, while the form key is not published; the theme editor says why', async () => {
    const settings = { file_accept: 'images_pdf', file_max_mb: 2, form_name: 'Returns' };
    const fileFieldOf = (html: string) => /<div class="cc__field cc__file"[^>]*>/.exec(html)?.[0];
    const note = "Contact Capture has not yet been opened in this shop's admin";
    for (const design_mode of [false, true]) {
      const request = { page_type: 'index', path: '/', design_mode };
      const fromBlock = await render(block, settings, request, null);
      const fromEmbed = embedFormHtml(translator, embedConfig.parse(configOf(await render(embed, settings, request, null))));
      for (const html of [fromBlock, fromEmbed]) {
        expect(fileFieldOf(html)).toBeUndefined();
        expect(html).not.toContain('name="attachment"');
        expect(decode(html).includes(note)).toBe(design_mode);
      }
    }
    // With the key, both offer the field, always signed.
    const request = { page_type: 'index', path: '/' };
    const fromBlock = await render(block, settings, request);
    const fromEmbed = embedFormHtml(translator, embedConfig.parse(configOf(await render(embed, settings, request))));
    for (const html of [fromBlock, fromEmbed]) expect(fileFieldOf(html)).toMatch(/data-limits="images_pdf:2" data-limits-sig="[0-9a-f]{64}"/);
    expect(decode(fromBlock).includes(note)).toBe(false);
  });

  it('in the theme editor shows whatever the targeting, marks the form as never posting, and shows the chosen sample', async () => {
    const editor = { page_type: 'cart', path: '/cart', design_mode: true };
    const page = await render(embed, { embed_pages: 'product', editor_preview: 'errors' }, editor);
    expect(page).toContain('data-design');
    const errors = embedFormHtml(translator, embedConfig.parse(configOf(page)));
    expect(errors).toMatch(/<form[^>]*data-cc-design/);
    expect(errors).toMatch(/aria-invalid="true" aria-describedby="contact-capture-e1-email-error"/);
    expect(errors).toContain('Enter an email address like name@example.com.');
    const success = await render(block, { editor_preview: 'success', success_message: 'Merci !' }, { page_type: 'index', path: '/', design_mode: true });
    expect(success).toMatch(/data-cc-status role="status" aria-live="polite">Merci !</);
    const embedSuccess = embedFormHtml(
      translator,
      embedConfig.parse(configOf(await render(embed, { editor_preview: 'success', success_message: 'Merci !' }, editor))),
    );
    expect(embedSuccess).toMatch(/data-cc-status role="status" aria-live="polite">Merci !</);
    // Outside the editor the setting does nothing: shoppers never see a sample.
    const live = await render(block, { editor_preview: 'errors' }, { page_type: 'index', path: '/' });
    expect(live).not.toContain('aria-invalid="true"');
    expect(live).not.toMatch(/<form[^>]*data-cc-design/);
    expect(live).toMatch(/data-cc-summary tabindex="-1" hidden>/);
    const liveEmbed = embedFormHtml(
      translator,
      embedConfig.parse(configOf(await render(embed, { editor_preview: 'errors' }, { page_type: 'index', path: '/' }))),
    );
    expect(liveEmbed).not.toContain('aria-invalid="true"');
    expect(liveEmbed).not.toMatch(/<form[^>]*data-cc-design/);
  });

  it("keeps the app's field defaults in step with the block's schema defaults (the config leaves defaults out)", () => {
    const defaults = defaultSettings(block.schema);
    for (const [name, fallback] of FIELD_SETTINGS) expect(defaults[name], name).toBe(fallback);
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
      const rendered = await render(source, { embed_pages: 'all', ...settings }, { page_type: 'index', path: '/' });
      // The embed's form is the one the app renders from its config on the trigger.
      const html = source === embed ? embedFormHtml(translator, embedConfig.parse(configOf(rendered))) : rendered;
      const formId = hidden(html, 'form_id')!;
      expect(formId).toBe('form_name' in settings ? 'newsletter-form' : 'e1');
      expect(hidden(html, 'double_opt_in')).toBe(value);
      expect(signedOptInDays('k', formId, hidden(html, 'double_opt_in'), hidden(html, 'double_opt_in_sig'))).toBe(Number(value.slice(4)));
      // Another form's post cannot carry it.
      expect(signedOptInDays('k', 'other-form', hidden(html, 'double_opt_in'), hidden(html, 'double_opt_in_sig'))).toBeNull();
    }
  });
});
