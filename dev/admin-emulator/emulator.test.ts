import { describe, expect, it } from 'vitest';
import {
  CUSTOMER_ADDRESS_CREATE,
  CUSTOMER_BY_EMAIL,
  CUSTOMER_CREATE,
  CUSTOMER_SET,
  CUSTOMER_UPDATE,
  EMAIL_CONSENT_UPDATE,
  METAFIELDS_SET,
  METAFIELD_DEFINITION_CREATE,
  SMS_CONSENT_UPDATE,
  TAGS_ADD,
  WHATSAPP_CONSENT_UPDATE,
} from '../../web/server/shopify/operations.js';
import { AdminEmulator } from './emulator.js';

const SHOP = 'emu.myshopify.com';
const TOKEN = 'shpat_emu';

function setup(clock?: () => number) {
  const emulator = new AdminEmulator(clock);
  emulator.install(SHOP, TOKEN);
  const call = (query: string, variables: Record<string, unknown> = {}) => emulator.handle(TOKEN, { query, variables }) as { status: number; body: any };
  return { emulator, call };
}

const createCustomer = (call: ReturnType<typeof setup>['call'], email: string, phone?: string) =>
  call(CUSTOMER_SET, { email, input: { email, firstName: 'Ann', ...(phone ? { phone } : {}) } }).body.data.customerSet;

describe('Admin API emulator', () => {
  it('refuses an unknown access token with 401, as Shopify does', () => {
    const emulator = new AdminEmulator();
    expect(emulator.handle('nope', { query: '{ shop { id } }' }).status).toBe(401);
  });

  it('rejects an operation that is not valid against the schema', () => {
    const { call } = setup();
    const response = call('mutation { customerSet(identifier: {email: "a@b.co"}, input: {email: "a@b.co", metafields: []}) { customer { id } } }');
    expect(response.body.errors[0].message).toContain('metafields');
    expect(response.body.data).toBeUndefined();
  });

  it('upserts by email: the same email twice is one customer', () => {
    const { call, emulator } = setup();
    const first = createCustomer(call, 'a@example.com');
    const second = createCustomer(call, 'A@example.com');
    expect(second.customer.id).toBe(first.customer.id);
    expect(emulator.shopData(SHOP)?.customers.size).toBe(1);
  });

  it('answers TAKEN when a phone belongs to another customer, and changes nothing', () => {
    const { call, emulator } = setup();
    createCustomer(call, 'a@example.com', '+33612345678');
    const clash = createCustomer(call, 'b@example.com', '+33612345678');
    expect(clash.customer).toBeNull();
    expect(clash.userErrors).toEqual([{ field: ['input', 'phone'], message: 'Phone has already been taken', code: 'TAKEN' }]);
    expect(emulator.shopData(SHOP)?.customers.size).toBe(1);
  });

  it('writes app-reserved metafields atomically, with elementIndex on the bad one', () => {
    const { call } = setup();
    const id = createCustomer(call, 'a@example.com').customer.id;
    const bad = call(METAFIELDS_SET, {
      metafields: [
        { ownerId: id, key: 'ok_key', type: 'single_line_text_field', value: 'fine' },
        { ownerId: id, key: 'proof', type: 'json', value: '{not json' },
      ],
    }).body.data.metafieldsSet;
    expect(bad.userErrors).toMatchObject([{ elementIndex: 1, code: 'INVALID_VALUE' }]);
    const read = call(CUSTOMER_BY_EMAIL, { email: 'a@example.com' }).body.data.customerByIdentifier;
    expect(read.metafields.nodes).toEqual([]);
    const good = call(METAFIELDS_SET, { metafields: [{ ownerId: id, key: 'ok_key', type: 'single_line_text_field', value: 'fine' }] }).body.data.metafieldsSet;
    expect(good.userErrors).toEqual([]);
    expect(good.metafields).toEqual([{ key: 'ok_key', namespace: 'app--1000' }]);
  });

  it('accepts only SUBSCRIBED, UNSUBSCRIBED and PENDING as consent input', () => {
    const { call } = setup();
    const id = createCustomer(call, 'a@example.com').customer.id;
    const refused = call(EMAIL_CONSENT_UPDATE, { input: { customerId: id, emailMarketingConsent: { marketingState: 'NOT_SUBSCRIBED' } } }).body.data;
    expect(refused.customerEmailMarketingConsentUpdate.userErrors[0].code).toBe('INCLUSION');
    call(EMAIL_CONSENT_UPDATE, {
      input: {
        customerId: id,
        emailMarketingConsent: { marketingState: 'SUBSCRIBED', marketingOptInLevel: 'SINGLE_OPT_IN', consentUpdatedAt: '2026-11-01T10:00:00Z' },
      },
    });
    call(TAGS_ADD, { id, tags: ['contact-capture'] });
    const read = call(CUSTOMER_BY_EMAIL, { email: 'a@example.com' }).body.data.customerByIdentifier;
    expect(read.defaultEmailAddress).toMatchObject({
      marketingState: 'SUBSCRIBED',
      marketingOptInLevel: 'SINGLE_OPT_IN',
      marketingUpdatedAt: '2026-11-01T10:00:00Z',
    });
    expect(read.tags).toEqual(['contact-capture']);
  });

  it('reports cost and answers THROTTLED once the bucket is empty, then recovers at the restore rate', () => {
    let now = 0;
    const { call, emulator } = setup(() => now);
    emulator.configure({ bucket: { maximumAvailable: 30, restoreRate: 10 } });
    const answers = [1, 2, 3].map((i) => call(CUSTOMER_SET, { email: `c${i}@example.com`, input: { email: `c${i}@example.com` } }).body);
    expect(answers.map((a) => a.extensions.cost.throttleStatus.currentlyAvailable)).toEqual([20, 10, 0]);
    const throttled = call(CUSTOMER_SET, { email: 'c4@example.com', input: { email: 'c4@example.com' } }).body;
    expect(throttled.errors[0].extensions.code).toBe('THROTTLED');
    expect(throttled.data).toBeUndefined();
    now += 1000;
    expect(call(CUSTOMER_SET, { email: 'c4@example.com', input: { email: 'c4@example.com' } }).body.data.customerSet.customer.id).toMatch(
      /^gid:\/\/shopify\/Customer\//,
    );
    expect(emulator.stats.throttled).toBe(1);
  });

  it('injects faults at the configured rate', () => {
    const { call, emulator } = setup();
    emulator.configure({ faults: { rate: 1, kinds: ['http503'] } });
    expect(call(CUSTOMER_BY_EMAIL, { email: 'x@example.com' }).status).toBe(503);
    emulator.configure({ faults: { rate: 0 } });
    expect(call(CUSTOMER_BY_EMAIL, { email: 'x@example.com' }).status).toBe(200);
  });

  it('customerCreate never touches an existing customer: a held email or phone is taken, an invalid phone refused', () => {
    const { call, emulator } = setup();
    createCustomer(call, 'a@example.com', '+33612345678');
    const create = (input: Record<string, unknown>) => call(CUSTOMER_CREATE, { input }).body.data.customerCreate;
    expect(create({ email: 'A@example.com', firstName: 'Mallory' })).toEqual({
      customer: null,
      userErrors: [{ field: ['email'], message: 'Email has already been taken' }],
    });
    expect(create({ email: 'b@example.com', phone: '+33612345678' }).userErrors).toEqual([{ field: ['phone'], message: 'Phone has already been taken' }]);
    expect(create({ email: 'b@example.com', phone: '12' }).userErrors).toEqual([{ field: ['phone'], message: 'Phone is invalid' }]);
    expect(emulator.shopData(SHOP)?.byEmail('a@example.com')?.firstName).toBe('Ann');
    const made = create({ email: 'b@example.com', firstName: 'Bea', addresses: [{ address1: '1 rue Haute', city: 'Paris', zip: '75001', countryCode: 'FR' }] });
    expect(made.userErrors).toEqual([]);
    expect(call(CUSTOMER_BY_EMAIL, { email: 'b@example.com' }).body.data.customerByIdentifier.defaultAddress).toMatchObject({
      address1: '1 rue Haute',
      countryCodeV2: 'FR',
    });
  });

  it('refuses a postal code that does not fit the country, on the zip field, for new customers and address writes', () => {
    const { call } = setup();
    const made = call(CUSTOMER_CREATE, { input: { email: 'z@example.com', addresses: [{ address1: '1 rue Haute', zip: '7500', countryCode: 'FR' }] } }).body
      .data.customerCreate;
    expect(made.userErrors).toEqual([{ field: ['addresses', '0', 'zip'], message: 'Enter a valid postal code for France' }]);
    const id = createCustomer(call, 'z@example.com').customer.id;
    const address = call(CUSTOMER_ADDRESS_CREATE, { customerId: id, address: { zip: 'ABC', countryCode: 'US' } }).body.data.customerAddressCreate;
    expect(address.userErrors).toEqual([{ field: ['address', 'zip'], message: 'Enter a valid postal code for United States' }]);
    // A country outside the schema's CountryCode enum is not even a valid request.
    expect(call(CUSTOMER_ADDRESS_CREATE, { customerId: id, address: { countryCode: 'XX' } }).body.errors[0].message).toContain('CountryCode');
  });

  it('takes compareDigest null as "only if it does not exist yet" and answers STALE_OBJECT otherwise', () => {
    const { call } = setup();
    const id = createCustomer(call, 'a@example.com').customer.id;
    const set = (value: string) =>
      call(METAFIELDS_SET, { metafields: [{ ownerId: id, key: 'company', type: 'single_line_text_field', value, compareDigest: null }] }).body.data
        .metafieldsSet;
    expect(set('First').userErrors).toEqual([]);
    expect(set('Second').userErrors).toEqual([
      { field: ['metafields', '0', 'compareDigest'], message: 'The resource has been updated since it was loaded.', code: 'STALE_OBJECT', elementIndex: 0 },
    ]);
    const read = call(CUSTOMER_BY_EMAIL, { email: 'a@example.com' }).body.data.customerByIdentifier;
    expect(read.metafields.nodes.map((m: { value: string }) => m.value)).toEqual(['First']);
  });

  it("refuses a metafield value outside its definition's validations or type, with elementIndex", () => {
    const { call } = setup();
    const id = createCustomer(call, 'a@example.com').customer.id;
    const definition = {
      name: 'Code',
      namespace: '$app',
      key: 'code',
      type: 'single_line_text_field',
      ownerType: 'CUSTOMER',
      validations: [{ name: 'max', value: '3' }],
    };
    expect(call(METAFIELD_DEFINITION_CREATE, { definition }).body.data.metafieldDefinitionCreate.userErrors).toEqual([]);
    const set = (type: string, value: string) =>
      call(METAFIELDS_SET, {
        metafields: [
          { ownerId: id, key: 'ok', type: 'single_line_text_field', value: 'x' },
          { ownerId: id, key: 'code', type, value },
        ],
      }).body.data.metafieldsSet;
    expect(set('single_line_text_field', 'ABCD').userErrors).toEqual([
      { field: ['metafields', '1', 'value'], message: 'Value has a maximum length of 3.', code: 'INVALID_VALUE', elementIndex: 1 },
    ]);
    expect(set('number_integer', '12').userErrors[0]).toMatchObject({ code: 'INVALID_TYPE', elementIndex: 1 });
    expect(set('single_line_text_field', 'ABC').userErrors).toEqual([]);
  });

  it('answers userErrors with the codes the schema lists: SMS consent without a phone, customerUpdate on a taken phone', () => {
    const { call } = setup();
    createCustomer(call, 'a@example.com', '+33612345678');
    const id = createCustomer(call, 'b@example.com').customer.id;
    const sms = call(SMS_CONSENT_UPDATE, {
      input: { customerId: id, smsMarketingConsent: { marketingState: 'SUBSCRIBED', marketingOptInLevel: 'SINGLE_OPT_IN' } },
    }).body.data.customerSmsMarketingConsentUpdate;
    expect(sms.userErrors).toEqual([{ field: ['input', 'smsMarketingConsent'], message: 'Customer must have a phone number', code: 'INVALID' }]);
    const update = call(CUSTOMER_UPDATE, { input: { id, phone: '+33612345678', locale: 'fr' } }).body.data.customerUpdate;
    expect(update.userErrors).toEqual([{ field: ['phone'], message: 'Phone has already been taken' }]);
  });

  it('reads SMS consent on the phone number as 2026-10 does, beside WhatsApp, and counts deprecated reads it still answers', () => {
    const { call, emulator } = setup();
    const id = createCustomer(call, 'a@example.com', '+33612345678').customer.id;
    call(SMS_CONSENT_UPDATE, {
      input: {
        customerId: id,
        smsMarketingConsent: { marketingState: 'SUBSCRIBED', marketingOptInLevel: 'SINGLE_OPT_IN', consentUpdatedAt: '2026-11-01T10:00:00Z' },
      },
    });
    const phone = call(CUSTOMER_BY_EMAIL, { email: 'a@example.com' }).body.data.customerByIdentifier.defaultPhoneNumber;
    expect(phone.smsMarketingConsent).toEqual({ state: 'SUBSCRIBED', optInLevel: 'SINGLE_OPT_IN', updatedAt: '2026-11-01T10:00:00Z' });
    // The channel states say NEVER_SUBSCRIBED where the older enums say NOT_SUBSCRIBED.
    expect(phone.whatsAppMarketingConsent).toEqual({ state: 'NEVER_SUBSCRIBED', optInLevel: null, updatedAt: null });
    expect(emulator.stats.deprecated).toEqual({});

    const old = call('query DeprecatedOnPurpose($id: ID!) { customer(id: $id) { email defaultPhoneNumber { marketingState } } }', { id }).body;
    expect(old.data.customer).toEqual({ email: 'a@example.com', defaultPhoneNumber: { marketingState: 'SUBSCRIBED' } });
    expect(Object.keys(emulator.stats.deprecated)).toEqual(['Customer.email', 'CustomerPhoneNumber.marketingState']);
    expect(emulator.stats.deprecated['Customer.email']).toMatchObject({
      operations: ['DeprecatedOnPurpose'],
      reason: expect.stringContaining('defaultEmailAddress'),
    });
  });

  it('takes WhatsApp consent (2026-07) on the phone number: needs a phone, refuses the states only Shopify sets, reads back beside SMS', () => {
    const { call } = setup();
    const withoutPhone = createCustomer(call, 'b@example.com').customer.id;
    const refused = call(WHATSAPP_CONSENT_UPDATE, { input: { customerId: withoutPhone, whatsAppMarketingConsent: { state: 'SUBSCRIBED' } } }).body.data
      .customerWhatsAppMarketingConsentUpdate;
    expect(refused).toEqual({
      customerPhoneNumber: null,
      userErrors: [{ field: ['input', 'whatsAppMarketingConsent'], message: 'Customer must have a phone number', code: 'INVALID' }],
    });
    const id = createCustomer(call, 'a@example.com', '+33612345678').customer.id;
    const never = call(WHATSAPP_CONSENT_UPDATE, { input: { customerId: id, whatsAppMarketingConsent: { state: 'NEVER_SUBSCRIBED' } } }).body.data
      .customerWhatsAppMarketingConsentUpdate;
    expect(never.userErrors[0].code).toBe('INCLUSION');
    const done = call(WHATSAPP_CONSENT_UPDATE, {
      input: { customerId: id, whatsAppMarketingConsent: { state: 'SUBSCRIBED', optInLevel: 'SINGLE_OPT_IN', updatedAt: '2026-11-02T09:00:00Z' } },
    }).body.data.customerWhatsAppMarketingConsentUpdate;
    expect(done).toEqual({
      customerPhoneNumber: {
        phoneNumber: '+33612345678',
        whatsAppMarketingConsent: { state: 'SUBSCRIBED', optInLevel: 'SINGLE_OPT_IN', updatedAt: '2026-11-02T09:00:00Z' },
      },
      userErrors: [],
    });
    const phone = call(CUSTOMER_BY_EMAIL, { email: 'a@example.com' }).body.data.customerByIdentifier.defaultPhoneNumber;
    expect(phone.whatsAppMarketingConsent.state).toBe('SUBSCRIBED');
    expect(phone.smsMarketingConsent.state).toBe('NEVER_SUBSCRIBED');
  });

  it('says so when a valid operation is one it does not implement', () => {
    const { call } = setup();
    expect(call('mutation { customerDelete(input: {id: "gid://shopify/Customer/1"}) { deletedCustomerId } }').body.errors[0].extensions.code).toBe(
      'NOT_IMPLEMENTED',
    );
  });
});
