import { Window } from 'happy-dom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formKey, signSpec, signTags } from '../web/server/core/form-key.js';
import { ENGINES } from './helpers/databases.js';
import { signedWebhook } from './helpers/webhook.js';
import { SECRET, SHOP, type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';

/**
 * Issue 11 D: the custom fields a submission declares are the merchant's (signed by the block's Liquid with the shop's
 * form key), never the shopper's; the app's own metafields cannot be claimed even by a signed spec; the definitions
 * the app creates per shop are capped and listed in the workspace.
 */
const sign = (spec: string) => signSpec(formKey(SECRET, SHOP), spec);
const form = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});
const base = (email: string) => ({ email, email_marketing_consent: true, consent_text: 'Send me news.', rendered_at: Date.now() - 10_000 });

type Answer = { key: string; kind: string; value: string; held?: string };
type Customer = { metafields: { nodes: Array<{ key: string; type: string; value: string }> } } | null;
const metafields = (customer: Customer) => Object.fromEntries((customer?.metafields.nodes ?? []).map((m) => [m.key, m.value]));

describe.each(ENGINES)('the shopper does not declare the app fields on %s', (engine) => {
  let t: TestApp | null;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => t?.close());

  const leadOf = async (email: string) =>
    t!.runtime.storage.db
      .selectFrom('leads')
      .select(['id', 'status', 'answers'])
      .where('email_hash', '=', t!.runtime.lookupHash(email))
      .executeTakeFirstOrThrow();
  const definitionKeys = () => [...t!.emulator.shopData(SHOP)!.definitions.values()].map((d) => d.key);

  it('an unsigned spec naming consent_proof neither replaces the consent proof nor is lost', async (ctx) => {
    if (!t) return ctx.skip();
    const spec = JSON.stringify([{ key: 'consent_proof', kind: 'text', required: false }]);
    const response = await t.proxy('/submit', jsonPost({ ...base('forger@example.com'), custom_fields: spec, 'custom.consent_proof': 'forged' }));
    expect(response.status).toBe(202);
    await t.runtime.worker.drain();
    const proof = metafields((await t.customerByEmail('forger@example.com')) as Customer).consent_proof;
    expect(proof).toBeDefined();
    expect(JSON.parse(proof!)).toMatchObject({ text: 'Send me news.' });
    const lead = await leadOf('forger@example.com');
    expect(lead.status).toBe('synced');
    expect(JSON.parse(lead.answers!)).toEqual([{ key: 'consent_proof', kind: 'text', value: 'forged', held: 'reserved' }]);
  });

  it.for(['consent_proof', 'heard_about', 'postal_address'])(
    'a signed spec naming the app key %s is refused too (a merchant could type it in the block settings)',
    async (key, ctx) => {
      if (!t) return ctx.skip();
      const email = `reserved-${key}@example.com`;
      const spec = JSON.stringify([{ key, kind: 'text', required: false }]);
      expect(
        (await t.proxy('/submit', jsonPost({ ...base(email), custom_fields: spec, custom_fields_sig: sign(spec), [`custom.${key}`]: 'claimed' }))).status,
      ).toBe(202);
      await t.runtime.worker.drain();
      const values = metafields((await t.customerByEmail(email)) as Customer);
      expect(values[key]).not.toBe('claimed');
      expect(JSON.parse(values.consent_proof!)).toMatchObject({ text: 'Send me news.' });
      expect(JSON.parse((await leadOf(email)).answers!)).toEqual([{ key, kind: 'text', value: 'claimed', held: 'reserved' }]);
    },
  );

  it('invented keys in an unsigned spec create no definition and no metafield; the answer stays on the lead', async (ctx) => {
    if (!t) return ctx.skip();
    const spec = JSON.stringify([{ key: 'invented_key', kind: 'text', required: false }]);
    expect((await t.proxy('/submit', jsonPost({ ...base('inventor@example.com'), custom_fields: spec, 'custom.invented_key': 'hello' }))).status).toBe(202);
    await t.runtime.worker.drain();
    expect(definitionKeys()).not.toContain('invented_key');
    expect(metafields((await t.customerByEmail('inventor@example.com')) as Customer).invented_key).toBeUndefined();
    expect(await t.runtime.storage.db.selectFrom('metafield_definitions').select('key').where('key', '=', 'invented_key').execute()).toEqual([]);
    expect(JSON.parse((await leadOf('inventor@example.com')).answers!)).toEqual([{ key: 'invented_key', kind: 'text', value: 'hello', held: 'unsigned' }]);
  });

  it('a spec changed after signing is dropped like an unsigned one', async (ctx) => {
    if (!t) return ctx.skip();
    const signed = JSON.stringify([{ key: 'shoe_size', kind: 'number', required: false }]);
    const sent = JSON.stringify([
      { key: 'shoe_size', kind: 'number', required: false },
      { key: 'vip_level', kind: 'text', required: false },
    ]);
    const response = await t.proxy(
      '/submit',
      jsonPost({
        ...base('tamper-spec@example.com'),
        custom_fields: sent,
        custom_fields_sig: sign(signed),
        'custom.shoe_size': '42',
        'custom.vip_level': 'gold',
      }),
    );
    expect(response.status).toBe(202);
    await t.runtime.worker.drain();
    expect(definitionKeys()).not.toContain('vip_level');
    const values = metafields((await t.customerByEmail('tamper-spec@example.com')) as Customer);
    expect(values.vip_level).toBeUndefined();
    expect(values.shoe_size).toBeUndefined();
    const answers = JSON.parse((await leadOf('tamper-spec@example.com')).answers!) as Answer[];
    expect(answers.map((a) => [a.key, a.held])).toEqual([
      ['shoe_size', 'unsigned'],
      ['vip_level', 'unsigned'],
    ]);
  });

  it("a spec's signature does not sign tags, nor tags' signature a spec (attacker review)", async (ctx) => {
    if (!t) return ctx.skip();
    const key = formKey(SECRET, SHOP);
    const spec = JSON.stringify([{ key: 'shoe_size', kind: 'number', required: false }]);
    // The spec and its signature resent as tags: not tags the merchant signed.
    expect((await t.proxy('/submit', jsonPost({ ...base('swap-one@example.com'), tags: spec, tags_sig: signSpec(key, spec) }))).status).toBe(202);
    // Tags' signature used for a spec: not a spec the block signed.
    expect(
      (
        await t.proxy(
          '/submit',
          jsonPost({ ...base('swap-two@example.com'), custom_fields: spec, custom_fields_sig: signTags(key, spec), 'custom.shoe_size': '42' }),
        )
      ).status,
    ).toBe(202);
    await t.runtime.worker.drain();
    expect(((await t.customerByEmail('swap-one@example.com')) as { tags: string[] }).tags).toEqual(['contact-capture']);
    expect((JSON.parse((await leadOf('swap-two@example.com')).answers!) as Answer[]).map((a) => a.held)).toEqual(['unsigned']);
  });

  it('a signed spec defines its keys and writes the answers', async (ctx) => {
    if (!t) return ctx.skip();
    const spec = JSON.stringify([{ key: 'shoe_size', kind: 'number', required: true }]);
    expect(
      (await t.proxy('/submit', jsonPost({ ...base('signed@example.com'), custom_fields: spec, custom_fields_sig: sign(spec), 'custom.shoe_size': '42' })))
        .status,
    ).toBe(202);
    await t.runtime.worker.drain();
    expect(definitionKeys()).toContain('shoe_size');
    expect(metafields((await t.customerByEmail('signed@example.com')) as Customer).shoe_size).toBe('42');
    expect(JSON.parse((await leadOf('signed@example.com')).answers!)).toEqual([{ key: 'shoe_size', kind: 'number', value: '42' }]);
  });

  it.for<[string, string]>([
    ['an object', '{"key":"x"}'],
    ['a string', '"x"'],
    ['[null]', '[null]'],
    ['a number', '7'],
    ['not JSON', '[{'],
  ])('a no-JS post whose custom_fields is %s gets 400 invalid_custom_fields and writes nothing', async ([, spec], ctx) => {
    if (!t) return ctx.skip();
    const email = `malformed-${Math.random().toString(36).slice(2)}@example.com`;
    const response = await t.proxy('/submit', form({ email, custom_fields: spec, email_marketing_consent: 'on', rendered_at: String(Date.now() - 10_000) }));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_custom_fields');
    const json = await t.proxy('/submit', jsonPost({ email, custom_fields: spec }));
    expect(json.status).toBe(400);
    expect(await t.runtime.storage.db.selectFrom('leads').select('id').where('email_hash', '=', t.runtime.lookupHash(email)).execute()).toEqual([]);
  });
});

describe.each(ENGINES)('custom definitions are capped per shop and listed in the workspace on %s', (engine) => {
  let t: TestApp | null;
  beforeAll(async () => {
    t = await startTestApp(engine, { MAX_CUSTOM_DEFINITIONS_PER_SHOP: '2' });
  });
  afterAll(async () => t?.close());

  it('defines keys up to the cap; past it the answer stays on the lead with a note, and the list counts leads per key', async (ctx) => {
    if (!t) return ctx.skip();
    const spec = JSON.stringify([
      { key: 'shoe_size', kind: 'number', required: false },
      { key: 'favourite_colour', kind: 'text', required: false },
      { key: 'pet_name', kind: 'text', required: false },
    ]);
    const post = (email: string) =>
      t!.proxy(
        '/submit',
        jsonPost({
          ...base(email),
          custom_fields: spec,
          custom_fields_sig: sign(spec),
          'custom.shoe_size': '42',
          'custom.favourite_colour': 'teal',
          'custom.pet_name': 'Rex',
        }),
      );
    expect((await post('capped-1@example.com')).status).toBe(202);
    expect((await post('capped-2@example.com')).status).toBe(202);
    await t.runtime.worker.drain();

    const keys = [...t.emulator.shopData(SHOP)!.definitions.values()].map((d) => d.key);
    expect(keys).toEqual(expect.arrayContaining(['shoe_size', 'favourite_colour', 'consent_proof']));
    expect(keys).not.toContain('pet_name');
    for (const email of ['capped-1@example.com', 'capped-2@example.com']) {
      const values = metafields((await t.customerByEmail(email)) as Customer);
      expect(values).toMatchObject({ shoe_size: '42', favourite_colour: 'teal' });
      expect(values.pet_name).toBeUndefined();
      const lead = await t.runtime.storage.db
        .selectFrom('leads')
        .select(['status', 'answers'])
        .where('email_hash', '=', t.runtime.lookupHash(email))
        .executeTakeFirstOrThrow();
      expect(lead.status).toBe('synced');
      expect(JSON.parse(lead.answers!)).toContainEqual({ key: 'pet_name', kind: 'text', value: 'Rex', held: 'definition_cap' });
    }

    const owner = await t.staffToken('owner');
    const response = await t.runtime.app.request('/api/metafield-definitions', { headers: { authorization: `Bearer ${owner}` } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      cap: number;
      custom: number;
      definitions: Array<{ key: string; type: string; created_at: string; leads: number; app: boolean }>;
    };
    expect(body.cap).toBe(2);
    expect(body.custom).toBe(2);
    const byKey = Object.fromEntries(body.definitions.map((d) => [d.key, d]));
    expect(byKey.shoe_size).toMatchObject({ type: 'number_decimal', leads: 2, app: false });
    expect(byKey.favourite_colour).toMatchObject({ type: 'single_line_text_field', leads: 2, app: false });
    expect(byKey.consent_proof).toMatchObject({ type: 'json', leads: 2, app: true, created_at: null });
    expect(byKey.pet_name).toBeUndefined();
    expect(Date.parse(byKey.shoe_size!.created_at)).not.toBeNaN();

    const viewer = await t.staffToken('viewer');
    expect((await t.runtime.app.request('/api/metafield-definitions', { headers: { authorization: `Bearer ${viewer}` } })).status).toBe(403);
  });

  it('keys a shopper can set as cart attributes are capped the same way (the shop is full from the test above)', async (ctx) => {
    if (!t) return ctx.skip();
    t.emulator.shopData(SHOP)!.addCustomer({ firstName: 'Inès', lastName: 'Moreau', email: 'buyer888001@example.com', locale: 'fr' }, 888001);
    const payload = {
      id: 88001,
      admin_graphql_api_id: 'gid://shopify/Order/88001',
      email: 'buyer888001@example.com',
      customer: { id: 888001, email: 'buyer888001@example.com', first_name: 'Inès', last_name: 'Moreau' },
      note_attributes: Object.entries({
        cc_source: 'cart',
        cc_custom_shoe_size: '40',
        cc_custom_kinds: 'shoe_size:number',
        cc_custom_made_up_1: 'a',
        cc_custom_made_up_2: 'b',
        cc_consent: 'yes',
      }).map(([name, value]) => ({ name, value })),
    };
    expect((await t.runtime.app.request('/webhooks/orders/create', signedWebhook('orders/create', payload))).status).toBe(200);
    await t.runtime.worker.drain();
    const keys = [...t.emulator.shopData(SHOP)!.definitions.values()].map((d) => d.key);
    expect(keys).not.toContain('made_up_1');
    expect(keys).not.toContain('made_up_2');
    const lead = await t.runtime.storage.db
      .selectFrom('leads')
      .select(['status', 'answers'])
      .where('order_id', '=', 'gid://shopify/Order/88001')
      .executeTakeFirstOrThrow();
    expect(lead.status).toBe('synced');
    const answers = JSON.parse(lead.answers!) as Answer[];
    expect(answers.filter((a) => a.key.startsWith('made_up')).map((a) => a.held)).toEqual(['definition_cap', 'definition_cap']);
    expect(answers.find((a) => a.key === 'shoe_size')?.held).toBeUndefined();
  });
});

/** What a browser posts for the page's form, after `fill` set the shopper's values. */
async function postedBy(html: string, selector: string, fill: (form: HTMLFormElement) => void): Promise<string> {
  const window = new Window({ url: 'http://localhost/fr/' });
  window.document.write(html);
  const formElement = window.document.querySelector(selector) as unknown as HTMLFormElement;
  fill(formElement);
  const body = new URLSearchParams();
  for (const [name, value] of new window.FormData(formElement as never).entries()) if (typeof value === 'string') body.append(name, value);
  await window.happyDOM.close();
  return body.toString();
}

const SETTINGS = {
  custom_1_type: 'select',
  custom_1_label: 'Où nous avez-vous connus ? <"vite"> & \'bien\'',
  custom_1_key: 'How_Heard ',
  custom_options: 'how_heard: Un ami, Presse "écrite" & <radio>, L\'épicerie\nother: x',
  custom_2_type: 'checkbox',
  custom_2_label: 'Pro ?',
  custom_2_key: 'is_pro',
  custom_3_type: 'text',
  custom_3_label: 'Tab\there',
  custom_3_key: 'tabbed',
  custom_required: 'how_heard',
};
const CHOICE = 'Presse "écrite" & <radio>';

describe.each(ENGINES)('the block Liquid signs the spec the server checks on %s', (engine) => {
  let t: TestApp | null;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => t?.close());

  const renderedBlock = async () => {
    const page = await t!.runtime.app.request(`/fr/?settings=${encodeURIComponent(JSON.stringify(SETTINGS))}`);
    expect(page.status).toBe(200);
    return page.text();
  };
  const set = (form: HTMLFormElement, name: string, value: string | boolean) => {
    const input = form.querySelector(`[name="${name}"]`) as unknown as HTMLInputElement;
    if (typeof value === 'boolean') input.checked = value;
    else input.value = value;
  };
  const submitForm = (body: string) => t!.proxy('/submit', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });

  it('a no-JS post of the rendered block, with labels and options that need escaping, reaches the customer', async (ctx) => {
    if (!t) return ctx.skip();
    const html = await renderedBlock();
    const body = await postedBy(html, 'form[data-contact-capture]', (form) => {
      expect(form.querySelector('input[name="custom_fields_sig"]')).not.toBeNull();
      set(form, 'email', 'liquid-signed@example.com');
      set(form, 'custom.how_heard', CHOICE);
      set(form, 'custom.is_pro', true);
      set(form, 'custom.tabbed', 'ok');
      set(form, 'email_marketing_consent', true);
      set(form, 'rendered_at', String(Date.now() - 10_000));
    });
    expect((await submitForm(body)).status).toBe(200);
    await t.runtime.worker.drain();
    const values = metafields((await t.customerByEmail('liquid-signed@example.com')) as Customer);
    expect(values).toMatchObject({ how_heard: CHOICE, is_pro: 'true', tabbed: 'ok' });
  });

  it('the no-JS error page carries the signature, so the corrected post is still the merchant spec', async (ctx) => {
    if (!t) return ctx.skip();
    const first = await postedBy(await renderedBlock(), 'form[data-contact-capture]', (form) => {
      set(form, 'email', 'not-an-email');
      set(form, 'custom.how_heard', CHOICE);
      set(form, 'email_marketing_consent', true);
      set(form, 'rendered_at', String(Date.now() - 10_000));
    });
    const again = await submitForm(first);
    expect(again.status).toBe(422);
    const second = await postedBy(await again.text(), 'form.cc__form', (form) => {
      set(form, 'email', 'corrected@example.com');
      // The page marks the chosen option `selected` (a browser keeps it); happy-dom ignores that attribute when parsing.
      set(form, 'custom.how_heard', CHOICE);
    });
    expect(new URLSearchParams(second).get('custom_fields_sig')).toMatch(/^[0-9a-f]{64}$/);
    expect((await submitForm(second)).status).toBe(200);
    await t.runtime.worker.drain();
    expect(metafields((await t.customerByEmail('corrected@example.com')) as Customer).how_heard).toBe(CHOICE);
  });
});
