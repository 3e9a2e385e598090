import { describe, expect, it } from 'vitest';
import { CUSTOMER_BY_EMAIL, CUSTOMER_SET, EMAIL_CONSENT_UPDATE, METAFIELDS_SET, TAGS_ADD } from '../../shopify/operations.js';
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
    call(EMAIL_CONSENT_UPDATE, { input: { customerId: id, emailMarketingConsent: { marketingState: 'SUBSCRIBED', marketingOptInLevel: 'SINGLE_OPT_IN', consentUpdatedAt: '2026-11-01T10:00:00Z' } } });
    call(TAGS_ADD, { id, tags: ['contact-capture'] });
    const read = call(CUSTOMER_BY_EMAIL, { email: 'a@example.com' }).body.data.customerByIdentifier;
    expect(read.defaultEmailAddress).toMatchObject({ marketingState: 'SUBSCRIBED', marketingOptInLevel: 'SINGLE_OPT_IN', marketingUpdatedAt: '2026-11-01T10:00:00Z' });
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
    expect(call(CUSTOMER_SET, { email: 'c4@example.com', input: { email: 'c4@example.com' } }).body.data.customerSet.customer.id).toMatch(/^gid:\/\/shopify\/Customer\//);
    expect(emulator.stats.throttled).toBe(1);
  });

  it('injects faults at the configured rate', () => {
    const { call, emulator } = setup();
    emulator.configure({ faults: { rate: 1, kinds: ['http503'] } });
    expect(call(CUSTOMER_BY_EMAIL, { email: 'x@example.com' }).status).toBe(503);
    emulator.configure({ faults: { rate: 0 } });
    expect(call(CUSTOMER_BY_EMAIL, { email: 'x@example.com' }).status).toBe(200);
  });

  it('says so when a valid operation is one it does not implement', () => {
    const { call } = setup();
    expect(call('mutation { customerDelete(input: {id: "gid://shopify/Customer/1"}) { deletedCustomerId } }').body.errors[0].extensions.code).toBe('NOT_IMPLEMENTED');
  });
});
