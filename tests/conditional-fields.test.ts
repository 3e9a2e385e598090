import { describe, expect, it } from 'vitest';
import { conditionNames, parseConditions } from '../schema/conditions.js';
import { createThemeEngine, defaultSettings, readBlock } from '../dev/theme-liquid.js';
import { loadTranslator } from '../web/server/core/i18n.js';
import { EXTENSION_DIR } from '../web/server/core/paths.js';

/**
 * The block as Liquid renders it with conditional fields and the privacy notice: what a shopper without JavaScript
 * sees, and the rule text the widget and the server read (schema/conditions.ts).
 */
const translator = loadTranslator();
const engine = createThemeEngine(translator, '/assets/', EXTENSION_DIR);
const block = readBlock(EXTENSION_DIR, 'contact-form');

const SETTINGS = {
  company: 'required',
  custom_1_type: 'select',
  custom_1_label: 'Subject',
  custom_1_key: 'subject',
  custom_2_type: 'text',
  custom_2_label: 'Order number',
  custom_2_key: 'order_number',
  custom_3_type: 'checkbox',
  custom_3_label: 'I am a business',
  custom_3_key: 'business',
  custom_options: 'subject: An order, A return, Something else',
  custom_required: 'order_number',
  conditions: '# orders\norder_number: subject = An order | A return\ncompany: business\nmessage: not business\nphone: subject != Something else',
};

async function render(settings: Record<string, unknown>, locale = 'en', request: Record<string, unknown> = {}, shop: Record<string, unknown> = {}) {
  const html = await engine.parseAndRender(
    block.liquid,
    { block: { id: 'b1', settings: { ...defaultSettings(block.schema), ...settings }, shopify_attributes: '' } },
    { globals: { request: { locale: { iso_code: locale }, path: '/', ...request }, shop: { name: 'Shop', ...shop }, customer: null, app: { metafields: {} } } },
  );
  return String(html);
}

const fieldHtml = (html: string, name: string) => {
  const start = html.indexOf(`data-cc-field="${name}"`);
  return start < 0 ? '' : html.slice(start, html.indexOf('data-cc-error', start));
};

describe('conditional fields in the Liquid block', () => {
  it('writes each condition beside its field, with the other field as the shopper sees it', async () => {
    const html = await render(SETTINGS);
    expect(fieldHtml(html, 'custom.order_number')).toContain('Only if “Subject” is “An order or A return”.');
    expect(fieldHtml(html, 'company')).toContain('Only if “I am a business” is ticked or filled in.');
    expect(fieldHtml(html, 'message')).toContain('Only if “I am a business” is not ticked or left empty.');
    expect(fieldHtml(html, 'phone')).toContain('Only if “Subject” is not “Something else”.');
    expect(fieldHtml(html, 'email')).not.toContain('data-cc-condition');
  });

  it('words in the shopper language', async () => {
    const html = await render(SETTINGS, 'fr');
    expect(fieldHtml(html, 'company')).toContain('Seulement si «\u00a0I am a business\u00a0» est coché ou rempli.');
    expect(fieldHtml(html, 'phone')).toContain('Seulement si «\u00a0Subject\u00a0» ne vaut pas «\u00a0Something else\u00a0».');
  });

  it('notes exactly the fields the one parser gives a rule to', async () => {
    const html = await render(SETTINGS);
    const { rules, errors } = parseConditions(SETTINGS.conditions, conditionNames(['subject', 'order_number', 'business']));
    expect(errors).toEqual([]);
    const noted = [...html.matchAll(/data-cc-field="([^"]+)"(?:(?!data-cc-field=)[\s\S])*?data-cc-condition/g)].map((m) => m[1]).sort();
    expect(noted).toEqual(rules.map((r) => r.target).sort());
  });

  it('lets the browser submit without a conditional required field (the server decides), but keeps it marked', async () => {
    const html = await render(SETTINGS);
    for (const name of ['custom.order_number', 'company']) {
      expect(fieldHtml(html, name)).toContain('data-cc-required');
      expect(fieldHtml(html, name)).not.toMatch(/\srequired[\s>]/);
      expect(fieldHtml(html, name)).toMatch(/aria-describedby="[^"]*-condition"/);
    }
    expect(fieldHtml(html, 'email')).toMatch(/\srequired[\s>]/);
  });

  it('posts the rule text exactly as written, for the widget and the server', async () => {
    const html = await render(SETTINGS);
    const posted = /name="conditions" value="([^"]*)"/.exec(html)?.[1];
    expect(
      posted
        ?.replace(/&#39;/g, "'")
        .replace(/&quot;/g, '"')
        .replace(/&gt;/g, '>')
        .replace(/&lt;/g, '<')
        .replace(/&amp;/g, '&'),
    ).toBe(SETTINGS.conditions);
    // The inlined loader mentions the input in a selector: look at the form's markup only.
    const markup = (await render({})).replace(/<(script|style)\b[\s\S]*?<\/\1>/g, '');
    expect(markup).not.toContain('name="conditions"');
  });

  it('lists what it cannot use only in the theme editor', async () => {
    const broken = { ...SETTINGS, conditions: 'vat: subject = An order' };
    expect(await render(broken)).not.toContain('data-cc-config');
    const editor = await render(broken, 'en', { design_mode: true });
    expect(editor).toContain('data-cc-config');
    expect(editor).toContain('this form has no field named “[name]”');
  });
});

describe('the privacy notice beside the consent box and the send button', () => {
  it("links the shop's privacy policy, in the shopper's language, and describes the button", async () => {
    const html = await render({}, 'de', {}, { privacy_policy: { url: '/policies/privacy-policy', title: 'Privacy' } });
    expect(html).toMatch(
      /<p class="cc__privacy" id="contact-capture-b1-privacy">Wir verwenden Ihre Angaben[^<]*<a href="\/policies\/privacy-policy">Datenschutzerklärung<\/a><\/p>/,
    );
    expect(html).toContain('aria-describedby="contact-capture-b1-privacy"');
    expect(html.indexOf('class="cc__privacy"')).toBeGreaterThan(html.indexOf('name="email_marketing_consent"'));
    expect(html.indexOf('class="cc__privacy"')).toBeLessThan(html.indexOf('class="cc__submit"'));
  });

  it("takes the merchant's wording, escaped, and shows no link when the shop has no policy", async () => {
    const html = await render({ privacy_text: 'We keep it <safe>.', privacy_link_label: 'Our policy' }, 'en', {}, { privacy_policy: { url: '/p' } });
    expect(html).toContain('We keep it &lt;safe&gt;. <a href="/p">Our policy</a>');
    const none = await render({}, 'en', {}, { privacy_policy: null });
    expect(none).toMatch(/<p class="cc__privacy"[^>]*>We use your details[^<]*<\/p>/);
  });
});
