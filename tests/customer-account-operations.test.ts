import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CUSTOMER_ACCOUNT_OPERATIONS } from '../extensions/customer-account/src/operations.js';
import { deprecatedInDocument } from '../dev/admin-emulator/deprecations.js';
import { loadCustomerAccountSchema } from '../dev/customer-account-emulator.js';

/**
 * Every Customer Account API operation the account extension sends is valid against the committed 2026-10 schema
 * (schema/customer_2026-10.json.gz) and selects nothing the schema marks deprecated.
 */
describe('customer account extension operations', () => {
  const schema = loadCustomerAccountSchema();
  it.for(Object.entries(CUSTOMER_ACCOUNT_OPERATIONS))('%s is valid against the 2026-10 Customer Account schema, with no deprecated field', ([, source]) => {
    const document = parse(source);
    expect(validate(schema, document).map((e) => e.message)).toEqual([]);
    expect(deprecatedInDocument(schema, document)).toEqual([]);
  });

  it('the check can fail: a deprecated field and an unknown one are caught', () => {
    const deprecated = parse('query { customer { phoneNumber { marketingState } } }');
    expect(deprecatedInDocument(schema, deprecated).map((d) => d.what)).toEqual(['CustomerPhoneNumber.marketingState']);
    expect(validate(schema, parse('query { customer { smsMarketingConsent } }'))).not.toEqual([]);
  });
});
