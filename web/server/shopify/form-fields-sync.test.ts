import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../../tests/helpers/databases.js';
import { SECRET, SHOP, type TestApp, jsonPost, startTestApp } from '../../../tests/helpers/runtime.js';
import { formKey, signSpec, signTags } from '../core/form-key.js';

const custom = JSON.stringify([
  { key: 'how_heard', kind: 'select', required: true, options: ['Friend', 'Instagram'] },
  { key: 'is_pro', kind: 'checkbox', required: false },
  { key: 'team_size', kind: 'number', required: false },
  { key: 'visit_date', kind: 'date', required: false },
]);

describe.each(ENGINES)('every configured field reaches the customer on %s', (engine) => {
  let t: TestApp | null;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => t?.close());

  const submit = (email: string, over: Record<string, unknown> = {}) =>
    t!.proxy(
      '/submit',
      jsonPost({
        email,
        first_name: 'Ines',
        phone: '+33 6 11 22 33 44',
        company: 'Atelier Ines',
        birthday: '1990-04-12',
        address1: '3 quai Voltaire',
        city: 'Paris',
        zip: '75007',
        country: 'fr',
        email_marketing_consent: true,
        sms_marketing_consent: true,
        sms_consent_text: 'Text me offers.',
        custom_fields: custom,
        custom_fields_sig: signSpec(formKey(SECRET, SHOP), custom),
        'custom.how_heard': 'Instagram',
        'custom.is_pro': true,
        'custom.team_size': '12.5',
        'custom.visit_date': '2026-12-01',
        tags: 'newsletter, vip',
        tags_sig: signTags(formKey(SECRET, SHOP), 'newsletter, vip'),
        rendered_at: Date.now() - 10_000,
        ...over,
      }),
    );

  it('writes standard extras, custom answers with their metafield types, SMS consent and the signed tags', async (ctx) => {
    if (!t) return ctx.skip();
    expect((await submit('ines@example.com')).status).toBe(202);
    await t.runtime.worker.drain();
    const customer = (await t.customerByEmail('ines@example.com')) as any;
    const mf = Object.fromEntries(customer.metafields.nodes.map((m: { key: string; type: string; value: string }) => [m.key, [m.type, m.value]]));
    expect(mf.company).toEqual(['single_line_text_field', 'Atelier Ines']);
    expect(mf.birthday).toEqual(['date', '1990-04-12']);
    expect(JSON.parse(mf.postal_address[1])).toMatchObject({ address1: '3 quai Voltaire', city: 'Paris', zip: '75007', country: 'FR' });
    expect(mf.how_heard).toEqual(['single_line_text_field', 'Instagram']);
    expect(mf.is_pro).toEqual(['boolean', 'true']);
    expect(mf.team_size).toEqual(['number_decimal', '12.5']);
    expect(mf.visit_date).toEqual(['date', '2026-12-01']);
    expect(customer.defaultPhoneNumber).toMatchObject({ phoneNumber: '+33611223344', smsMarketingConsent: { state: 'SUBSCRIBED' } });
    expect(customer.tags).toEqual(['contact-capture', 'newsletter', 'vip']);
    const consents = await t.runtime.storage.db
      .selectFrom('consent_records')
      .select(['channel', 'granted', 'text'])
      .innerJoin('leads', 'leads.id', 'consent_records.lead_id')
      .where('leads.email_hash', '=', t.runtime.lookupHash('ines@example.com'))
      .execute();
    expect(consents.sort((a, b) => a.channel.localeCompare(b.channel))).toEqual([
      { channel: 'email', granted: 1, text: null },
      { channel: 'sms', granted: 1, text: 'Text me offers.' },
    ]);
  });

  it('drops tags whose signature does not match (a shopper cannot tag themselves VIP)', async (ctx) => {
    if (!t) return ctx.skip();
    expect((await submit('tamper@example.com', { tags: 'wholesale', phone: '+33 6 99 88 77 66' })).status).toBe(202);
    await t.runtime.worker.drain();
    expect(((await t.customerByEmail('tamper@example.com')) as { tags: string[] }).tags).toEqual(['contact-capture']);
  });

  it.for([
    ['a choice outside the list', { 'custom.how_heard': 'Radio' }, 'custom.how_heard', 'invalid'],
    ['a missing required custom field', { 'custom.how_heard': '' }, 'custom.how_heard', 'required'],
    ['a number that is not one', { 'custom.team_size': 'twelve' }, 'custom.team_size', 'invalid'],
    ['an impossible date', { 'custom.visit_date': '2026-02-30' }, 'custom.visit_date', 'invalid'],
    ['an answer to a field the form does not have', { 'custom.salary': '1' }, null, 'unknown_fields'],
    ['SMS consent without a phone', { phone: '' }, 'phone', 'required'],
    ['a bad birthday', { birthday: '12/04/1990' }, 'birthday', 'invalid'],
    ['a country that is not a code', { country: 'France' }, 'country', 'invalid'],
    ['a required standard field left empty', { required_fields: 'email,company', company: '' }, 'company', 'required'],
  ] as const)('refuses %s', async ([, change, field, code], ctx) => {
    if (!t) return ctx.skip();
    const response = await submit(`bad-${Math.random()}@example.com`, change);
    const body = (await response.json()) as { error: string; fields?: Record<string, { code: string }> };
    if (field) {
      expect(response.status).toBe(422);
      expect(body.fields?.[field]?.code).toBe(code);
    } else {
      expect(response.status).toBe(400);
      expect(body.error).toBe(code);
    }
  });
});
