import { type GraphQLEnumType, type GraphQLObjectType, getNamedType, isEnumType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadAdminSchema } from '../../../dev/admin-emulator/schema.js';
import { syncErrorWords } from '../../../schema/sync-errors.js';
import type { Lead } from '../storage/tables.js';
import { COUNTRY_CODES } from './country-codes.js';
import { type Call, syncLead } from './lead-sync.js';
import { CODE_DECISIONS, type CodelessMutation, decide } from './user-errors.js';

const schema = loadAdminSchema();
const payloadErrors = (mutation: string) => {
  const field = schema.getMutationType()!.getFields()[mutation]!;
  const payload = getNamedType(field.type) as GraphQLObjectType;
  return getNamedType(payload.getFields().userErrors!.type) as GraphQLObjectType;
};

describe('the userError decision table', () => {
  it.each(Object.keys(CODE_DECISIONS))('decides every code the 2026-10 schema lists for %s, and no other', (mutation) => {
    const code = payloadErrors(mutation).getFields().code;
    const type = code ? getNamedType(code.type) : null;
    expect(type && isEnumType(type)).toBe(true);
    const codes = (type as GraphQLEnumType)
      .getValues()
      .map((v) => v.name)
      .sort();
    expect(Object.keys(CODE_DECISIONS[mutation as keyof typeof CODE_DECISIONS]).sort()).toEqual(codes);
  });

  it.each(['customerCreate', 'customerUpdate', 'customerAddressCreate', 'customerAddressUpdate', 'tagsAdd'] satisfies CodelessMutation[])(
    '%s answers a userError without a code, so its field path decides',
    (mutation) => {
      const type = payloadErrors(mutation);
      expect(isObjectType(type) && type.getFields().code).toBeFalsy();
    },
  );

  it('keeps the country codes the app may send equal to the schema CountryCode enum', () => {
    const values = (schema.getType('CountryCode') as GraphQLEnumType).getValues().map((v) => v.name);
    expect([...COUNTRY_CODES].sort()).toEqual(values.sort());
  });

  it('drops the value an error is about, and fails on the customer as a whole', () => {
    expect(decide('customerSet', { field: ['input', 'phone'], message: 'Phone has already been taken', code: 'TAKEN' })).toEqual({
      verdict: 'field',
      drop: 'phone',
    });
    expect(decide('customerSet', { field: ['input', 'email'], message: 'Email has already been taken', code: 'TAKEN' })).toEqual({ verdict: 'customer' });
    expect(decide('customerCreate', { field: ['email'], message: 'Email has already been taken' })).toEqual({ verdict: 'exists' });
    expect(decide('customerCreate', { field: ['email'], message: 'Email is invalid' })).toEqual({ verdict: 'customer' });
    expect(decide('customerCreate', { field: ['addresses', '0', 'zip'], message: 'Enter a valid postal code' })).toEqual({ verdict: 'field', drop: 'address' });
    expect(decide('customerCreate', { field: null, message: 'A name, phone number, or email address must be present' })).toEqual({ verdict: 'customer' });
    expect(decide('metafieldsSet', { field: ['metafields', '1', 'value'], message: 'bad', code: 'INVALID_VALUE', elementIndex: 1 }, ['a', 'b'])).toEqual({
      verdict: 'field',
      drop: 'metafield:b',
    });
    expect(
      decide('metafieldsSet', {
        field: ['metafields'],
        message: 'Exceeded the maximum metafields input limit of 25.',
        code: 'LESS_THAN_OR_EQUAL_TO',
        elementIndex: null,
      }),
    ).toEqual({ verdict: 'customer' });
    expect(
      decide('metafieldsSet', { field: ['metafields', '0', 'ownerId'], message: 'Owner does not exist.', code: 'INVALID', elementIndex: 0 }, ['a']),
    ).toEqual({ verdict: 'gone' });
    expect(decide('metafieldsSet', { field: null, message: 'Internal error', code: 'INTERNAL_ERROR' })).toEqual({ verdict: 'transient' });
    expect(decide('customerEmailMarketingConsentUpdate', { field: ['input', 'customerId'], message: 'Customer not found', code: 'INVALID' })).toEqual({
      verdict: 'gone',
    });
    expect(
      decide('customerSmsMarketingConsentUpdate', { field: ['input', 'smsMarketingConsent'], message: 'Customer must have a phone number', code: 'INVALID' }),
    ).toEqual({ verdict: 'field', drop: 'sms_consent' });
  });
});

describe('the contact-form sync with answers Shopify could give', () => {
  const lead = {
    source: 'contact_form',
    email: 'x@example.com',
    first_name: 'X',
    phone: '+33612345678',
    locale: 'en',
    message: null,
    form_id: null,
    company: null,
    birthday: null,
    address: null,
    answers: null,
    tags: null,
    sms_consent: 0,
    logged_in_customer_id: null,
    created_at: new Date().toISOString(),
  } as unknown as Lead;
  const scripted =
    (answers: unknown[]): Call =>
    async () => {
      const next = answers.shift();
      if (!next) throw new Error('no scripted answer left');
      return { ok: true, data: next, cost: null } as never;
    };

  it('fails the lead when Shopify refuses the customer as a whole (an email it finds invalid)', async () => {
    const outcome = await syncLead(
      scripted([{ customerByIdentifier: null }, { customerCreate: { customer: null, userErrors: [{ field: ['email'], message: 'Email is invalid' }] } }]),
      lead,
      null,
    );
    // Stored as a code with its parameters (the workspace words it in the reader's language); in English:
    expect(outcome.kind).toBe('rejected');
    expect(syncErrorWords(outcome.kind === 'rejected' ? outcome.reason : '')).toBe('Shopify rejected the customer: Email is invalid');
  });

  it("retries the job later on Shopify's own INTERNAL_ERROR", async () => {
    const outcome = await syncLead(
      scripted([
        { customerByIdentifier: null },
        { customerCreate: { customer: { id: 'gid://shopify/Customer/1' }, userErrors: [] } },
        { metafieldsSet: { metafields: null, userErrors: [{ field: null, message: 'Internal error', code: 'INTERNAL_ERROR', elementIndex: null }] } },
      ]),
      { ...lead, message: 'hello' },
      null,
    );
    expect(outcome).toMatchObject({ kind: 'retry' });
  });

  it('goes on as for an existing customer when another writer created the customer between lookup and create', async () => {
    const answers = [
      { customerByIdentifier: null },
      { customerCreate: { customer: null, userErrors: [{ field: ['email'], message: 'Email has already been taken' }] } },
      { customerByIdentifier: { id: 'gid://shopify/Customer/7', firstName: 'Y', lastName: null, defaultPhoneNumber: null, defaultAddress: null } },
      { customerEmailMarketingConsentUpdate: { customer: { id: 'gid://shopify/Customer/7' }, userErrors: [] } },
      { tagsAdd: { node: { id: 'gid://shopify/Customer/7' }, userErrors: [] } },
    ];
    const outcome = await syncLead(scripted(answers), lead, null);
    expect(outcome).toMatchObject({
      kind: 'synced',
      customerId: 'gid://shopify/Customer/7',
      proposed: {
        changes: [
          { field: 'first_name', current: 'Y', proposed: 'X' },
          { field: 'phone', current: null, proposed: '+33612345678' },
        ],
      },
    });
    expect(answers).toEqual([]);
  });
});
