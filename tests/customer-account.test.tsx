// @vitest-environment happy-dom
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type ComponentChild, render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type AccountApi, CUSTOMER_ACCOUNT_API } from '../extensions/customer-account/src/api.js';
import { MyData } from '../extensions/customer-account/src/MyData.js';
import type { AccountData } from '../schema/account-api.js';
import { PROFILE_FIELDS, Profile } from '../extensions/customer-account/src/Profile.js';

/**
 * The customer account extension's components against a stand-in for the global `shopify` (translations from the
 * extension's own locales, a session token) and for the network: the app's backend (/account/*) and the Customer
 * Account API (shopify://customer-account/...), each answering as recorded here.
 */
const LOCALES = join(process.cwd(), 'extensions/customer-account/locales');
const dictionary = (code: string) =>
  JSON.parse(readFileSync(join(LOCALES, code === 'en' ? 'en.default.json' : `${code}.json`), 'utf8')) as Record<string, unknown>;
const translator =
  (dict: Record<string, unknown>) =>
  (key: string, options: Record<string, string | number> = {}) => {
    const text = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], dict);
    return typeof text === 'string' ? text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(options[name] ?? `{{${name}}}`)) : key;
  };
const standIn = (code = 'en'): AccountApi => ({
  i18n: { translate: translator(dictionary(code)) },
  localization: { language: { value: { isoCode: code } } },
  sessionToken: { get: async () => 'account-session-token' },
});

const BACKEND = 'https://app.example';
// What /account/data answers, in its shared type (schema/account-api.ts): the stand-in cannot drift from the server.
const HELD = {
  customer: { id: 'gid://shopify/Customer/7001' },
  leads: [
    {
      id: 'lead-1',
      created_at: '2026-11-01T10:00:00.000Z',
      form_id: null,
      email: 'anna@example.com',
      first_name: 'Anna',
      last_name: 'Liddell',
      phone: null,
      company: 'Looking Glass Ltd',
      birthday: null,
      message: 'Do you ship to Lyon?',
      address: { address1: '1 Rue X', city: 'Lyon', zip: '69001', country: 'FR' },
      answers: [{ key: 'shoe_size', kind: 'custom', value: '38' }],
      tags: [],
      locale: 'en',
      page: null,
      email_consent: 1,
      sms_consent: 0,
      whatsapp_consent: 0,
      status: 'synced',
      shopify_customer_id: 'gid://shopify/Customer/7001',
      synced_at: '2026-11-01T10:00:05.000Z',
      source: 'contact_form',
      order_id: null,
    },
  ],
  consent_records: [
    {
      lead_id: 'lead-1',
      channel: 'email',
      granted: 1,
      text: 'Yes, email me.',
      text_sha256: null,
      locale: 'en',
      page: null,
      opt_in_level: 'SINGLE_OPT_IN',
      recorded_at: '2026-11-01T10:00:00.000Z',
      source: 'contact_form',
    },
  ],
  notes: [],
} satisfies AccountData;

type Call = { url: string; body: unknown; authorization: string | null };
function network(answers: Record<string, (body: unknown) => unknown>) {
  const calls: Call[] = [];
  const fetcher = vi.fn(async (url: string, init: RequestInit = {}) => {
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    calls.push({ url, body, authorization: new Headers(init.headers).get('authorization') });
    const key = url === CUSTOMER_ACCOUNT_API ? `api:${/(query|mutation) (\w+)/.exec((body as { query: string }).query)![2]}` : url.replace(BACKEND, '');
    const answer = answers[key];
    if (!answer) return new Response('{}', { status: 404 });
    const value: unknown = await answer(body);
    return value instanceof Response ? value : new Response(JSON.stringify(value), { status: 200, headers: { 'content-type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fetcher);
  return calls;
}
const marketing = (email = 'SUBSCRIBED', whatsapp = 'NEVER_SUBSCRIBED') => ({
  data: {
    customer: {
      id: 'gid://shopify/Customer/1',
      emailAddress: { emailAddress: 'anna@example.com', marketingState: email },
      phoneNumber: { phoneNumber: '+33612345678', whatsAppMarketingConsent: { state: whatsapp } },
    },
  },
});

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
/** Lets the handlers' awaited work (session token, fetch, the response body) finish: until `ready` holds. */
const settle = async (ready: () => boolean) => {
  await vi.waitFor(
    () => {
      if (!ready()) throw new Error('not yet');
    },
    { timeout: 5000, interval: 10 },
  );
  await act(async () => {});
};
async function mount(node: ComponentChild, ready: () => boolean = () => !root.querySelector('s-spinner')) {
  await act(async () => {
    render(node, root);
  });
  await settle(ready);
}
type Host = HTMLElement & { value?: string; checked?: boolean };
const all = (selector: string) => [...root.querySelectorAll<Host>(selector)];
const byLabel = (label: string) => all('[label]').find((n) => n.getAttribute('label') === label)!;
const button = (text: string) => all('s-button').find((n) => n.textContent === text)!;
async function fire(node: HTMLElement, type: string, ready: () => boolean = () => true) {
  await act(async () => {
    node.dispatchEvent(new Event(type));
  });
  await settle(ready);
}
async function change(label: string, value: string | boolean, ready?: () => boolean) {
  const node = byLabel(label);
  if (typeof value === 'boolean') node.checked = value;
  else node.value = value;
  await fire(node, 'change', ready);
}
/** What Preact rendered into a Polaris element: a property once set by a change, else the attribute. */
const valueOf = (node: Host) => node.value ?? node.getAttribute('value');
const shows = (text: string) => () => (root.textContent ?? '').includes(text);

describe('"My data" page', () => {
  it('shows what the app holds: the lead, its answers and the consent history with the exact wording', async () => {
    const calls = network({ '/account/data': () => HELD, 'api:ContactCaptureMarketing': () => marketing() });
    await mount(<MyData api={standIn()} backendUrl={BACKEND} />, () => byLabel('Send me news and offers by email.') !== undefined);
    expect(root.querySelector('s-page')?.getAttribute('heading')).toBe('My data');
    expect(root.textContent).toContain('Do you ship to Lyon?');
    expect(root.textContent).toContain('shoe_size: 38');
    expect(root.textContent).toContain('Email · given · “Yes, email me.”');
    expect(calls.find((c) => c.url === `${BACKEND}/account/data`)?.authorization).toBe('Bearer account-session-token');
    // Prefilled from the latest lead, address included.
    expect(valueOf(byLabel('City'))).toBe('Lyon');
    expect(byLabel('Send me news and offers by email.').hasAttribute('checked')).toBe(true);
  });

  it('prefills the correction form from the most recent lead, whatever order the backend lists them in', async () => {
    // The backend lists a customer's leads oldest first (privacy/compliance.ts orders them by created_at).
    const lead = HELD.leads[0]!;
    const older = { ...lead, id: 'lead-0', created_at: '2026-10-01T09:00:00.000Z', phone: '+33600000000', address: { ...lead.address, city: 'Grenoble' } };
    const newer = { ...lead, id: 'lead-2', created_at: '2026-11-20T09:00:00.000Z', last_name: 'Hargreaves', address: { ...lead.address, city: 'Paris' } };
    network({ '/account/data': () => ({ ...HELD, leads: [older, lead, newer] }), 'api:ContactCaptureMarketing': () => marketing() });
    await mount(<MyData api={standIn()} backendUrl={BACKEND} />, () => byLabel('City') !== undefined);
    expect(valueOf(byLabel('City'))).toBe('Paris');
    expect(valueOf(byLabel('Last name'))).toBe('Hargreaves');
    // Only what the newest lead holds: its empty phone is not filled from an older lead.
    expect(valueOf(byLabel('Phone'))).toBe('');
  });

  it('sends a correction with the session token and shows the server’s field errors in the customer’s language', async () => {
    let answer: unknown = new Response(JSON.stringify({ error: 'invalid_fields', fields: { phone: 'invalid_phone' } }), { status: 422 });
    const calls = network({
      '/account/data': () => HELD,
      'api:ContactCaptureMarketing': () => marketing(),
      '/account/corrections': () => answer,
    });
    await mount(<MyData api={standIn('fr')} backendUrl={BACKEND} />, () => byLabel('Téléphone') !== undefined);
    await change('Téléphone', 'pas un numéro');
    await fire(button('Enregistrer les corrections'), 'click', () => byLabel('Téléphone').hasAttribute('error'));
    expect(byLabel('Téléphone').getAttribute('error')).toBe('Saisissez un numéro avec l’indicatif du pays.');
    answer = { leads: 1, queued: true };
    await change('Téléphone', '+33 6 12 34 56 78');
    await change('Ville', 'Paris');
    await fire(button('Enregistrer les corrections'), 'click', shows('votre profil client'));
    const sent = calls.filter((c) => c.url === `${BACKEND}/account/corrections`).at(-1)!;
    expect(sent.body).toMatchObject({ phone: '+33 6 12 34 56 78', city: 'Paris', first_name: 'Anna', country: 'FR' });
    expect(root.textContent).toContain('votre profil client sera mis à jour');
  });

  it('unsubscribes through the Customer Account API, then records the change with the wording shown', async () => {
    const calls = network({
      '/account/data': () => HELD,
      'api:ContactCaptureMarketing': () => marketing(),
      'api:ContactCaptureEmailUnsubscribe': () => ({
        data: { customerEmailMarketingUnsubscribe: { emailAddress: { marketingState: 'UNSUBSCRIBED' }, userErrors: [] } },
      }),
      '/account/consent': () => ({ recorded: 1 }),
    });
    await mount(<MyData api={standIn()} backendUrl={BACKEND} />, () => byLabel('Send me news and offers by email.') !== undefined);
    await change('Send me news and offers by email.', false, shows('Your preference is saved.'));
    const order = calls.map((c) =>
      c.url === CUSTOMER_ACCOUNT_API ? /(query|mutation) (\w+)/.exec((c.body as { query: string }).query)![2] : c.url.replace(BACKEND, ''),
    );
    expect(order.indexOf('ContactCaptureEmailUnsubscribe')).toBeLessThan(order.indexOf('/account/consent'));
    expect(calls.find((c) => c.url.endsWith('/account/consent'))?.body).toEqual({
      channel: 'email',
      state: 'UNSUBSCRIBED',
      text: 'Send me news and offers by email.',
    });
    expect(root.textContent).toContain('Your preference is saved.');
  });

  it('does not record a consent change Shopify refused', async () => {
    const calls = network({
      '/account/data': () => HELD,
      'api:ContactCaptureMarketing': () => marketing('NOT_SUBSCRIBED'),
      'api:ContactCaptureWhatsApp': () => ({
        data: {
          customerWhatsAppMarketingConsentUpdate: {
            customerPhoneNumber: null,
            userErrors: [{ field: ['input'], message: 'Phone required', code: 'PHONE_NUMBER_REQUIRED' }],
          },
        },
      }),
    });
    await mount(<MyData api={standIn()} backendUrl={BACKEND} />, () => byLabel('Send me news and offers on WhatsApp.') !== undefined);
    await change('Send me news and offers on WhatsApp.', true, shows('could not be changed'));
    expect(calls.some((c) => c.url.endsWith('/account/consent'))).toBe(false);
    expect(root.textContent).toContain('Your preference could not be changed.');
  });

  it('deletes only after the box is ticked, and offers a download link the backend signed', async () => {
    let held: unknown = HELD;
    const calls = network({
      '/account/data': () => held,
      'api:ContactCaptureMarketing': () => marketing(),
      '/account/delete': () => {
        held = { leads: [], consent_records: [] };
        return { leads_erased: 1, packages_erased: 0 };
      },
      '/account/download': () => ({ path: '/account/download/abc.def' }),
    });
    await mount(<MyData api={standIn()} backendUrl={BACKEND} />, () => button('Download as CSV') !== undefined);
    await fire(button('Download as CSV'), 'click', () => root.querySelector('s-link') !== null);
    expect(calls.find((c) => c.url.endsWith('/account/download'))?.body).toEqual({ format: 'csv' });
    expect(root.querySelector('s-link')?.getAttribute('href')).toBe(`${BACKEND}/account/download/abc.def`);
    await fire(button('Delete my data'), 'click', shows('Tick the box'));
    expect(calls.some((c) => c.url.endsWith('/account/delete'))).toBe(false);
    expect(root.textContent).toContain('Tick the box to confirm first.');
    await change('I understand that this cannot be undone.', true);
    await fire(button('Delete my data'), 'click', shows('We hold nothing about you.'));
    expect(calls.find((c) => c.url.endsWith('/account/delete'))?.body).toEqual({ confirm: true });
    expect(root.textContent).toContain('Your data is deleted.');
    expect(root.textContent).toContain('We hold nothing about you.');
  });

  it('says so when the backend cannot answer', async () => {
    network({ '/account/data': () => new Response('{}', { status: 503 }), 'api:ContactCaptureMarketing': () => marketing() });
    await mount(<MyData api={standIn('ja')} backendUrl={BACKEND} />);
    expect(root.querySelector('s-banner')?.textContent).toBe('現在データを表示できません。1分後にもう一度お試しください。');
  });
});

describe('profile block', () => {
  it("reads the app's fields and the merchant's own, and saves them with metafieldsSet on the customer", async () => {
    const calls = network({
      '/account/fields': () => ({ custom: [{ key: 'shoe_size', type: 'number_integer', label: 'shoe size' }] }),
      'api:ContactCaptureProfile': () => ({
        data: {
          customer: {
            id: 'gid://shopify/Customer/1',
            metafields: [{ namespace: 'app--1', key: 'company', value: 'Looking Glass Ltd', type: 'single_line_text_field' }, null, null, null, null],
          },
        },
      }),
      'api:ContactCaptureProfileSet': () => ({ data: { metafieldsSet: { metafields: [], userErrors: [] } } }),
    });
    await mount(<Profile api={standIn()} backendUrl={BACKEND} />, () => all('[label]').length === 5 && valueOf(byLabel('Company')) === 'Looking Glass Ltd');
    expect(all('[label]').map((n) => n.getAttribute('label'))).toEqual(['Birthday', 'Company', 'How did you hear about us?', 'Delivery notes', 'shoe size']);
    expect(valueOf(byLabel('Company'))).toBe('Looking Glass Ltd');
    const asked = calls.find((c) => c.url === CUSTOMER_ACCOUNT_API)!.body as { variables: { identifiers: Array<{ key: string }> } };
    expect(asked.variables.identifiers.map((i) => i.key)).toEqual([...PROFILE_FIELDS.map((f) => f.key), 'shoe_size']);
    await change('Birthday', '1990-13-45');
    await fire(button('Save'), 'click', () => byLabel('Birthday').hasAttribute('error'));
    expect(byLabel('Birthday').getAttribute('error')).toBe('This value is not valid.');
    expect(calls.filter((c) => c.url === CUSTOMER_ACCOUNT_API)).toHaveLength(1);
    await change('Birthday', '1990-04-12');
    await change('shoe size', '38');
    await fire(button('Save'), 'click', shows('Saved.'));
    const set = calls.at(-1)!.body as { variables: { metafields: unknown[] } };
    expect(set.variables.metafields).toEqual([
      { ownerId: 'gid://shopify/Customer/1', namespace: '$app', key: 'birthday', type: 'date', value: '1990-04-12' },
      { ownerId: 'gid://shopify/Customer/1', namespace: '$app', key: 'company', type: 'single_line_text_field', value: 'Looking Glass Ltd' },
      { ownerId: 'gid://shopify/Customer/1', namespace: '$app', key: 'shoe_size', type: 'number_integer', value: '38' },
    ]);
    expect(root.textContent).toContain('Saved.');
  });
  it('shows no field until the saved values are read, so nothing typed is overwritten by their arrival', async () => {
    let answer: (value: unknown) => void = () => {};
    network({
      '/account/fields': () => ({ custom: [] }),
      'api:ContactCaptureProfile': () => new Promise((resolve) => (answer = resolve)),
    });
    await mount(<Profile api={standIn('fr')} backendUrl={BACKEND} />, () => root.querySelector('s-spinner') !== null);
    expect(root.querySelector('s-spinner')?.getAttribute('accessibilityLabel') ?? root.querySelector('s-spinner')?.getAttribute('accessibilitylabel')).toBe(
      'Chargement de vos données…',
    );
    expect(all('[label]')).toHaveLength(0);
    answer({
      data: {
        customer: { id: 'gid://shopify/Customer/1', metafields: [null, { key: 'company', value: 'Durand', type: 'single_line_text_field' }, null, null] },
      },
    });
    await settle(() => all('[label]').length === 4);
    expect(root.querySelector('s-spinner')).toBeNull();
    expect(valueOf(byLabel('Entreprise'))).toBe('Durand');
  });
});

describe('customer account locales', () => {
  it('has the 8 storefront languages, each with every key of English', () => {
    const files = readdirSync(LOCALES).sort();
    expect(files).toEqual(['de.json', 'en.default.json', 'es.json', 'fr.json', 'it.json', 'ja.json', 'nl.json', 'pt-BR.json']);
    const keys = (node: unknown, prefix = ''): string[] =>
      Object.entries(node as Record<string, unknown>).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
    const english = keys(dictionary('en')).sort();
    for (const code of ['fr', 'de', 'es', 'it', 'nl', 'pt-BR', 'ja']) expect(keys(dictionary(code)).sort(), code).toEqual(english);
  });
});
