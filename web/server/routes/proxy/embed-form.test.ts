import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createThemeEngine, defaultSettings, readBlock } from '../../../../dev/theme-liquid.js';
import { type TestApp, SECRET, SHOP, jsonPost, startTestApp } from '../../../../tests/helpers/runtime.js';
import { formKey } from '../../core/form-key.js';
import { safeRichText, stripHtml } from './embed-form.js';
import { WINDOW_MS } from '../../leads/rate-limit.js';
import { loadTranslator } from '../../core/i18n.js';
import { EXTENSION_DIR } from '../../core/paths.js';

/**
 * POST /proxy/embed-form: the app embed's form, fetched on its trigger from the config the embed's Liquid wrote. Signed
 * like every proxy request; JSON in and out; what it renders posts as the block's form does, signatures included.
 */
const engine = createThemeEngine(loadTranslator(), '/assets/', EXTENSION_DIR);
const embed = readBlock(EXTENSION_DIR, 'contact-embed');

async function embedConfigFor(settings: Record<string, unknown>, key: string): Promise<Record<string, unknown>> {
  const html = String(
    await engine.parseAndRender(
      embed.liquid,
      { block: { id: 'E9', settings: { ...defaultSettings(embed.schema), ...settings }, shopify_attributes: '' } },
      {
        globals: {
          request: { locale: { iso_code: 'fr' }, path: '/fr/pages/about', page_type: 'page', design_mode: false },
          routes: { root_url: '/fr' },
          customer: null,
          app: { metafields: { contact_capture: { form_key: { value: key } } } },
        },
      },
    ),
  );
  return JSON.parse(/data-cc-embed-config>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '{}') as Record<string, unknown>;
}

describe('POST /proxy/embed-form', () => {
  let t: TestApp | null;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
  });
  afterAll(async () => t?.close());

  it('renders the form in the config locale, and what it renders posts with the signed tags the Liquid made', async (ctx) => {
    if (!t) return ctx.skip();
    const config = await embedConfigFor({ tags: 'popup, spring' }, formKey(SECRET, SHOP));
    const response = await t.proxy('/embed-form', jsonPost(config));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const { html } = (await response.json()) as { html: string };
    expect(html).toContain('aria-label="Fermer"');
    expect(html).toContain('<form id="contact-capture-E9"');
    // The form's hidden fields, as the browser would post them.
    const fields: Record<string, unknown> = Object.fromEntries(
      [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&')]),
    );
    expect(fields).toMatchObject({ locale: 'fr', page: '/fr/pages/about', form_id: 'e9', tags: 'popup, spring' });
    const submitted = await t.proxy(
      '/submit',
      jsonPost({ ...fields, email: 'embed-form@example.com', idempotency_key: 'embed-form-0001', rendered_at: Date.now() - 10_000 }),
    );
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as { id: string };
    const lead = await t.runtime.storage.db.selectFrom('leads').select(['tags', 'locale', 'form_id']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(lead).toEqual({ tags: JSON.stringify(['popup', 'spring']), locale: 'fr', form_id: 'e9' });
  });

  it('escapes everything the config holds: a crafted config cannot put markup in the form', async (ctx) => {
    if (!t) return ctx.skip();
    const response = await t.proxy(
      '/embed-form',
      jsonPost({
        block: 'E9',
        heading: '<script>alert(1)</script>',
        page: '"><img src=x onerror=alert(1)>',
        consent_text: '<p onclick="x()">Yes <a href="javascript:alert(1)">terms</a><iframe src="//evil"></iframe></p>',
        field_text: 'email: <b>Mail</b> | "><svg onload=x>',
      }),
    );
    expect(response.status).toBe(200);
    const { html } = (await response.json()) as { html: string };
    // Text may say anything; no tag may be one of theirs, nor carry a handler or a script URL.
    expect(html).not.toMatch(/<(img|iframe|svg|b)\b|<script>alert/);
    expect(html.replace(/="[^"]*"/g, '=""')).not.toMatch(/<[^>]*\son\w+=/);
    expect(html).not.toMatch(/href="javascript:/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Yes <a>terms</a>');
  });

  it('takes JSON only (415), refuses a config that is not one (400), and an unsigned request (401); writes nothing', async (ctx) => {
    if (!t) return ctx.skip();
    const form = await t.proxy('/embed-form', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'block=E9' });
    expect(form.status).toBe(415);
    const bad = await t.proxy('/embed-form', jsonPost({ block: '../../x', fields: 'x' }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { reason?: string; error?: string }).error ?? '').toBe('invalid_embed_config');
    const wrongType = await t.proxy('/embed-form', jsonPost({ block: 'E9', spacing: 'wide' }));
    expect(wrongType.status).toBe(400);
    const unsigned = await t.runtime.app.request('/proxy/embed-form', jsonPost({ block: 'E9' }));
    expect(unsigned.status).toBe(401);
    // A backslash after the first slash leads browsers to another site, as `//` does.
    for (const url of ['/\\evil.example', '//evil.example']) {
      expect((await t.proxy('/embed-form', jsonPost({ block: 'E9', redirect_url: url }))).status, url).toBe(400);
      expect((await t.proxy('/embed-form', jsonPost({ block: 'E9', privacy_url: url }))).status, url).toBe(400);
    }
  });
});

describe('POST /proxy/embed-form per address', () => {
  let t: TestApp | null;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
  });
  afterAll(async () => t?.close());

  const render = (config: Record<string, unknown>, ip: string, shop = SHOP) =>
    t!.proxy('/embed-form', { ...jsonPost(config), headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, shop });

  it('renders 30 forms a minute for one address and shop, invalid configs counted, then 429 with Retry-After', async (ctx) => {
    if (!t) return ctx.skip();
    // Fixed one-minute windows: start with ten seconds left at least, so the count does not restart midway.
    const left = WINDOW_MS - (Date.now() % WINDOW_MS);
    if (left < 10_000) await new Promise((r) => setTimeout(r, left + 50));
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) answers.push((await render({ block: '../x' }, '198.51.100.7')).status);
    for (let i = 0; i < 25; i++) answers.push((await render({ block: 'E9' }, '198.51.100.7')).status);
    expect(answers).toEqual([...Array(5).fill(400), ...Array(25).fill(200)]);
    const over = await render({ block: 'E9' }, '198.51.100.7');
    expect(over.status).toBe(429);
    expect(((await over.json()) as { error: string }).error).toBe('rate_limited');
    expect(over.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    // Another address, or the same address on another shop, has its own count.
    expect((await render({ block: 'E9' }, '198.51.100.8')).status).toBe(200);
    expect((await render({ block: 'E9' }, '198.51.100.7', 'other-shop.myshopify.com')).status).toBe(200);
  });
});

describe("the embed form's HTML handling", () => {
  it('keeps only same-site or http(s) links in the consent wording: no `/\\` or `//` address', () => {
    expect(safeRichText('<p>See <a href="/\\evil.example">terms</a></p>')).toBe('See <a>terms</a>');
    expect(safeRichText('<p>See <a href="//evil.example">terms</a></p>')).toBe('See <a>terms</a>');
    expect(safeRichText('<p>See <a href="/pages/terms">terms</a></p>')).toBe('See <a href="/pages/terms">terms</a>');
  });

  it("strips markup as Liquid's strip_html does, unclosed openings included", () => {
    expect(stripHtml('<p>Email me <strong>offers</strong></p><script>x()</script><!-- c --><style>p{}</style>')).toBe('Email me offers');
    expect(stripHtml('a <script>never closed <b>b</b> <!-- c --> d')).toBe('a never closed b  d');
    // Text made of unclosed openings is kept as text (and read once: see stripHtml).
    expect(stripHtml('<a'.repeat(2500))).toBe('<a'.repeat(2500));
    expect(stripHtml('<script'.repeat(700) + '<!-- x -->y')).toBe('<script'.repeat(700) + 'y');
  });
});
