import { describe, expect, it } from 'vitest';
import { AdminEmulator } from './admin-emulator/emulator.js';
import { CustomerAccountEmulator } from './customer-account-emulator.js';
import { PROFILE, PROFILE_SET, EMAIL_UNSUBSCRIBE } from '../extensions/customer-account/src/operations.js';

const SHOP = 'account-emulator.myshopify.com';

function setup() {
  const admin = new AdminEmulator();
  admin.install(SHOP, 'shpat_account');
  const data = admin.shopData(SHOP)!;
  const anna = data.addCustomer({ email: 'anna@example.com' }, 501);
  const bob = data.addCustomer({ email: 'bob@example.com' }, 502);
  return { emulator: new CustomerAccountEmulator(admin), data, anna, bob };
}

/** The Customer Account API emulator behaves as Shopify's: schema-validated, the signed-in customer only, userErrors. */
describe('Customer Account API emulator', () => {
  it('refuses an operation the schema does not have, before touching anything', () => {
    const { emulator } = setup();
    const answer = emulator.handle(SHOP, 'gid://shopify/Customer/501', { query: 'mutation { customerDelete { id } }' });
    expect(answer.body).toMatchObject({ errors: [expect.objectContaining({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })] });
  });

  it("writes a declared read_write metafield on the signed-in customer, and refuses another customer's or a key not granted", () => {
    const { emulator, anna, bob } = setup();
    const set = (ownerId: string, key: string) =>
      emulator.handle(SHOP, anna.id, {
        query: PROFILE_SET,
        variables: { metafields: [{ ownerId, namespace: '$app', key, type: 'single_line_text_field', value: 'Acme' }] },
      }).body as { data: { metafieldsSet: { userErrors: Array<{ code: string }> } } };
    expect(set(anna.id, 'company').data.metafieldsSet.userErrors).toEqual([]);
    expect([...anna.metafields.values()].map((m) => [m.key, m.value])).toEqual([['company', 'Acme']]);
    expect(set(bob.id, 'company').data.metafieldsSet.userErrors.map((e) => e.code)).toEqual(['APP_NOT_AUTHORIZED']);
    expect(bob.metafields.size).toBe(0);
    // source_form is declared admin-only (shopify.app.toml): the customer account may not write it.
    expect(set(anna.id, 'source_form').data.metafieldsSet.userErrors.map((e) => e.code)).toEqual(['APP_NOT_AUTHORIZED']);
    const read = emulator.handle(SHOP, anna.id, { query: PROFILE, variables: { identifiers: [{ namespace: '$app', key: 'company' }] } }).body as {
      data: { customer: { metafields: Array<{ value: string } | null> } };
    };
    expect(read.data.customer.metafields.map((m) => m?.value)).toEqual(['Acme']);
  });

  it("unsubscribes the signed-in customer's email on the Admin emulator's customer; no customer, no answer", () => {
    const { emulator, anna, bob } = setup();
    emulator.handle(SHOP, anna.id, { query: EMAIL_UNSUBSCRIBE });
    expect(anna.emailConsent?.marketingState).toBe('UNSUBSCRIBED');
    expect(bob.emailConsent?.marketingState ?? null).not.toBe('UNSUBSCRIBED');
    expect(emulator.handle(SHOP, 'gid://shopify/Customer/999', { query: EMAIL_UNSUBSCRIBE }).status).toBe(401);
    expect(emulator.stats.operations).toEqual({ ContactCaptureEmailUnsubscribe: 1 });
  });
});
