// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ComponentChild, render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AttributeChange, FieldsApi, InterceptorResult, SettingValue } from '../extensions/checkout-fields/src/api.js';
import { PurchaseQuestions } from '../extensions/checkout-fields/src/PurchaseQuestions.js';

/**
 * The checkout extension's component against a stand-in for the global `shopify` (the same shape as in checkout):
 * real translations from the extension's locales, recorded attribute changes, a buyer-journey interceptor, a session
 * token and fetch for the thank-you page.
 */
const LOCALES = join(process.cwd(), 'extensions/checkout-fields/locales');
const dictionaries = {
  en: JSON.parse(readFileSync(join(LOCALES, 'en.default.json'), 'utf8')) as Record<string, unknown>,
  fr: JSON.parse(readFileSync(join(LOCALES, 'fr.json'), 'utf8')) as Record<string, unknown>,
};
/** Shopify's `i18n.translate`: a dotted key into the buyer's locale, `{{name}}` replaced by the option. */
const translator =
  (dictionary: Record<string, unknown>) =>
  (key: string, options: Record<string, string | number> = {}) => {
    const text = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], dictionary);
    return typeof text === 'string' ? text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(options[name] ?? `{{${name}}}`)) : key;
  };
const translate = translator(dictionaries.en);

function stand_in(settings: Record<string, SettingValue>, extra: Partial<FieldsApi> = {}) {
  const changes: AttributeChange[] = [];
  let interceptor: ((context: { canBlockProgress: boolean }) => InterceptorResult) | null = null;
  const api: FieldsApi = {
    settings: { value: settings },
    i18n: { translate },
    // As shopify.extension.toml asks, and as granted by a merchant who allows blocking in the checkout editor.
    extension: { capabilities: { value: ['network_access', 'block_progress'] } },
    localization: { language: { value: { isoCode: 'fr' } } },
    applyAttributeChange: vi.fn(async (change: AttributeChange) => {
      changes.push(change);
      return { type: 'success' as const };
    }),
    buyerJourney: {
      intercept: async (fn) => {
        interceptor = fn;
        return () => (interceptor = null);
      },
    },
    sessionToken: { get: async () => 'checkout-session-token' },
    ...extra,
  };
  return {
    api,
    changes,
    intercept: (canBlockProgress = true) => interceptor!({ canBlockProgress }),
    installed: () => interceptor !== null,
  };
}

let root: HTMLElement;
beforeEach(() => {
  root = document.createElement('div');
  document.body.append(root);
});
afterEach(() => {
  render(null, root);
  root.remove();
  vi.unstubAllGlobals();
});

const el = (selector: string) => root.querySelector<HTMLElement & { value?: string; checked?: boolean }>(selector);
/** Dispatches an event and lets the handler's awaited work (attribute writes, fetch) finish before asserting. */
async function fire(node: HTMLElement, type: string) {
  await act(async () => {
    node.dispatchEvent(new Event(type));
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  });
}

/** Renders and lets the effects' promises (the interceptor's installation) settle. */
async function mount(node: ComponentChild) {
  await act(async () => {
    render(node, root);
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  });
}

async function change(selector: string, value: string | boolean) {
  const node = el(selector)!;
  if (typeof value === 'boolean') node.checked = value;
  else node.value = value;
  await fire(node, 'change');
}

describe('purchase questions checkout extension', () => {
  it('renders the questions the merchant turned on, with translated labels, an unticked consent box and SMS consent only when offered', async () => {
    const { api } = stand_in({
      ask_birthday: true,
      ask_heard_about: true,
      custom_1_label: 'Shoe size',
      custom_1_key: 'shoe_size',
      custom_1_kind: 'number',
      custom_2_label: 'Sneaky',
      custom_2_key: 'consent_proof',
    });
    await act(async () => render(<PurchaseQuestions api={api} mode="checkout" backendUrl="https://app.example" />, root));
    expect(el('s-heading')?.textContent).toBe('A few questions');
    expect([...root.querySelectorAll('s-text-field, s-date-field')].map((n) => n.getAttribute('label'))).toEqual([
      'Birthday',
      'How did you hear about us?',
      'Shoe size',
    ]);
    // A custom question may not claim a key the app writes itself.
    expect(root.textContent).not.toContain('Sneaky');
    const consent = el('s-checkbox')!;
    expect(consent.getAttribute('label')).toBe('Keep these answers on my customer profile.');
    expect(consent.hasAttribute('checked')).toBe(false);
    expect(el('s-consent-checkbox')).toBeNull();

    render(null, root);
    const sms = stand_in({ ask_company: true, sms_consent: true });
    await act(async () => render(<PurchaseQuestions api={sms.api} mode="checkout" backendUrl="https://app.example" />, root));
    expect(el('s-consent-checkbox')?.getAttribute('policy')).toBe('sms-marketing');
  });

  it('renders nothing when no question is configured', async () => {
    const { api } = stand_in({});
    await act(async () => render(<PurchaseQuestions api={api} mode="checkout" backendUrl="https://app.example" />, root));
    expect(root.innerHTML).toBe('');
  });

  it('writes a valid answer as a cart attribute, and shows an invalid one as an error without writing it', async () => {
    const { api, changes } = stand_in({ ask_birthday: true, custom_1_label: 'Shoe size', custom_1_key: 'shoe_size', custom_1_kind: 'number' });
    await act(async () => render(<PurchaseQuestions api={api} mode="checkout" backendUrl="https://app.example" />, root));
    await change('s-date-field', '1990-02-31');
    expect(el('s-date-field')?.getAttribute('error')).toBe('This value is not valid.');
    expect(changes).toEqual([]);
    await change('s-date-field', '1990-04-12');
    expect(el('s-date-field')?.hasAttribute('error')).toBe(false);
    await change('s-text-field', 'forty-two');
    await change('s-text-field', '42');
    expect(changes).toEqual([
      { type: 'updateAttribute', key: 'cc_birthday', value: '1990-04-12' },
      { type: 'updateAttribute', key: 'cc_custom_shoe_size', value: '42' },
    ]);
  });

  it('records consent with the words shown, the language and the source, and withdraws it when unticked', async () => {
    const { api, changes } = stand_in({
      ask_company: true,
      custom_1_label: 'Shoe size',
      custom_1_key: 'shoe_size',
      custom_1_kind: 'number',
      consent_text: 'Keep my answers, please.',
    });
    await act(async () => render(<PurchaseQuestions api={api} mode="checkout" backendUrl="https://app.example" />, root));
    await change('s-checkbox', true);
    expect(changes).toEqual([
      { type: 'updateAttribute', key: 'cc_consent', value: 'yes' },
      { type: 'updateAttribute', key: 'cc_consent_text', value: 'Keep my answers, please.' },
      { type: 'updateAttribute', key: 'cc_source', value: 'checkout' },
      { type: 'updateAttribute', key: 'cc_locale', value: 'fr' },
      { type: 'updateAttribute', key: 'cc_custom_kinds', value: 'shoe_size:number' },
    ]);
    changes.length = 0;
    await change('s-checkbox', false);
    expect(changes).toEqual([
      { type: 'removeAttribute', key: 'cc_consent' },
      { type: 'removeAttribute', key: 'cc_consent_text' },
    ]);
  });

  it('holds the buyer at the step until required questions are answered (when the merchant allows blocking)', async () => {
    const { api, intercept, installed } = stand_in({ ask_heard_about: true, required_fields: 'heard_about' });
    await mount(<PurchaseQuestions api={api} mode="checkout" backendUrl="https://app.example" />);
    expect(installed()).toBe(true);
    expect(el('s-text-field')?.getAttribute('label')).toBe('How did you hear about us?');
    expect(el('s-text-field')?.hasAttribute('required')).toBe(true);
    let result: InterceptorResult | undefined;
    await act(async () => {
      result = intercept();
    });
    expect(result).toMatchObject({ behavior: 'block', errors: [{ message: 'Please answer the required questions.' }] });
    expect(el('s-text-field')?.getAttribute('error')).toBe('This field is required.');
    expect(intercept(false)).toEqual({ behavior: 'allow' });
    await change('s-text-field', 'Instagram');
    expect(intercept()).toEqual({ behavior: 'allow' });
  });

  describe('when checkout cannot hold the buyer (the deprecated intercept gone, refused or not allowed)', () => {
    const refused = () => Promise.reject(new Error('buyerJourney.intercept was removed'));
    const cases: Array<[string, Partial<FieldsApi>]> = [
      ['no buyerJourney API', { buyerJourney: undefined }],
      ['no intercept function', { buyerJourney: {} }],
      ['block_progress not granted', { extension: { capabilities: { value: ['network_access'] } } }],
      ['no capabilities to read', { extension: undefined }],
      ['the intercept refuses to install', { buyerJourney: { intercept: refused } }],
      [
        'the intercept throws',
        {
          buyerJourney: {
            intercept: () => {
              throw new TypeError('intercept is not supported');
            },
          },
        },
      ],
    ];

    it.each(cases)('%s: required questions are asked as optional, and answers are still written', async (_, extra) => {
      const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
      const { api, changes, installed } = stand_in({ ask_heard_about: true, ask_delivery_notes: true, required_fields: 'heard_about' }, extra);
      await mount(<PurchaseQuestions api={api} mode="checkout" backendUrl="https://app.example" />);
      expect(installed()).toBe(false);
      expect(el('s-text-field')?.getAttribute('label')).toBe('How did you hear about us? (optional)');
      expect(el('s-text-field')?.hasAttribute('required')).toBe(false);
      // A question the merchant left optional keeps its plain label.
      expect(el('s-text-area')?.getAttribute('label')).toBe('Delivery notes');
      await change('s-text-field', 'Instagram');
      await change('s-text-field', '');
      expect(el('s-text-field')?.hasAttribute('error')).toBe(false);
      expect(changes).toEqual([
        { type: 'updateAttribute', key: 'cc_heard_about', value: 'Instagram' },
        { type: 'removeAttribute', key: 'cc_heard_about' },
      ]);
      expect(consoleError).not.toHaveBeenCalled();
      consoleError.mockRestore();
    });

    it("words the optional question in the buyer's language", async () => {
      const { api } = stand_in(
        { ask_heard_about: true, custom_1_label: 'Pointure', custom_1_key: 'shoe_size', required_fields: 'heard_about, shoe_size' },
        { buyerJourney: undefined, i18n: { translate: translator(dictionaries.fr) } },
      );
      await mount(<PurchaseQuestions api={api} mode="checkout" backendUrl="https://app.example" />);
      expect([...root.querySelectorAll('s-text-field')].map((n) => n.getAttribute('label'))).toEqual([
        'Comment nous avez-vous connus\u00a0? (facultatif)',
        'Pointure (facultatif)',
      ]);
    });
  });

  describe('on the thank-you page', () => {
    const order = { orderConfirmation: { value: { order: { id: 'gid://shopify/OrderIdentity/9001' } } }, checkoutToken: { value: 'c1f0ad9001' } };

    it("posts the answers with the checkout session token and the checkout token (a guest's proof of purchase) and thanks the buyer", async () => {
      const fetch = vi.fn(async () => new Response('{}', { status: 202 }));
      vi.stubGlobal('fetch', fetch);
      const { api } = stand_in({ ask_heard_about: true, ask_birthday: true }, { ...order, applyAttributeChange: undefined, buyerJourney: undefined });
      await act(async () => render(<PurchaseQuestions api={api} mode="thank-you" backendUrl="https://app.example" />, root));
      await change('s-text-field', 'A friend');
      await change('s-checkbox', true);
      await fire(el('s-button')!, 'click');
      expect(fetch).toHaveBeenCalledTimes(1);
      const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
      expect(url).toBe('https://app.example/checkout/answers');
      expect(new Headers(init.headers).get('authorization')).toBe('Bearer checkout-session-token');
      expect(JSON.parse(init.body as string)).toEqual({
        order_id: 'gid://shopify/OrderIdentity/9001',
        checkout_token: 'c1f0ad9001',
        attributes: {
          cc_source: 'thank_you',
          cc_locale: 'fr',
          cc_heard_about: 'A friend',
          cc_consent: 'yes',
          cc_consent_text: 'Keep these answers on my customer profile.',
        },
      });
      expect(el('s-banner')?.getAttribute('tone')).toBe('success');
      expect(el('s-banner')?.textContent).toBe('Thank you, your answers are saved.');
    });

    it('posts without a checkout token when checkout has none (the answers then stay on the lead)', async () => {
      const fetch = vi.fn(async () => new Response('{}', { status: 202 }));
      vi.stubGlobal('fetch', fetch);
      const { api } = stand_in(
        { ask_heard_about: true },
        { ...order, checkoutToken: { value: undefined }, applyAttributeChange: undefined, buyerJourney: undefined },
      );
      await act(async () => render(<PurchaseQuestions api={api} mode="thank-you" backendUrl="https://app.example" />, root));
      await change('s-text-field', 'A friend');
      await fire(el('s-button')!, 'click');
      const [, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
      expect(JSON.parse(init.body as string)).not.toHaveProperty('checkout_token');
    });

    it('does not post invalid answers, and says so when the app cannot be reached', async () => {
      const fetch = vi.fn(async () => {
        throw new TypeError('network down');
      });
      vi.stubGlobal('fetch', fetch);
      // No intercept on this page: the answers are checked before posting, so a required one stays required.
      const { api } = stand_in({ ask_birthday: true, required_fields: 'birthday' }, { ...order, applyAttributeChange: undefined, buyerJourney: undefined });
      await act(async () => render(<PurchaseQuestions api={api} mode="thank-you" backendUrl="https://app.example" />, root));
      expect(el('s-date-field')?.getAttribute('label')).toBe('Birthday');
      await fire(el('s-button')!, 'click');
      expect(fetch).not.toHaveBeenCalled();
      expect(el('s-banner')?.textContent).toBe('Please check the highlighted answers.');
      await change('s-date-field', '1990-04-12');
      await fire(el('s-button')!, 'click');
      expect(fetch).toHaveBeenCalledTimes(1);
      expect(el('s-banner')?.getAttribute('tone')).toBe('critical');
      expect(el('s-banner')?.textContent).toBe('Your answers could not be saved. Please try again.');
    });
  });
});
