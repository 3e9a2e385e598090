import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type DocumentNode, type GraphQLSchema, type IntrospectionQuery, Kind, buildClientSchema, execute, parse, validate } from 'graphql';
import { PROJECT_ROOT } from '../web/server/core/paths.js';
import type { AdminEmulator } from './admin-emulator/emulator.js';
import { deprecatedInDocument } from './admin-emulator/deprecations.js';
import { metafieldsSet } from './admin-emulator/mutations.js';
import type { EmuConsent, EmuCustomer, ShopData } from './admin-emulator/store.js';

/**
 * A local stand-in for the Customer Account API the account extension reaches with
 * fetch('shopify://customer-account/api/2026-10/graphql.json'): every operation is validated against the real schema
 * (schema/customer_2026-10.json.gz, from @shopify/dev-mcp; `npm run schema:refresh`) and executed against the Admin
 * emulator's shop data, so a change made here is what the app's sync and the workspace then read. Only the signed-in
 * customer is reachable: Shopify knows them from the session, the emulator from the account session token's `sub`.
 */
export const CUSTOMER_ACCOUNT_SCHEMA_PATH = join(PROJECT_ROOT, 'schema', 'customer_2026-10.json.gz');

let cached: GraphQLSchema | null = null;
export function loadCustomerAccountSchema(): GraphQLSchema {
  if (!cached) {
    const json = JSON.parse(gunzipSync(readFileSync(CUSTOMER_ACCOUNT_SCHEMA_PATH)).toString('utf8')) as {
      data?: IntrospectionQuery;
    } & Partial<IntrospectionQuery>;
    cached = buildClientSchema((json.data ?? json) as IntrospectionQuery);
  }
  return cached;
}

const IMPLEMENTED = new Set([
  'customer',
  'customerEmailMarketingSubscribe',
  'customerEmailMarketingUnsubscribe',
  'customerWhatsAppMarketingConsentUpdate',
  'metafieldsSet',
]);

type Input = Record<string, unknown>;
export type Answer = { status: number; body: unknown };

const consent = (state: string): EmuConsent => ({
  marketingState: state,
  marketingOptInLevel: 'SINGLE_OPT_IN',
  consentUpdatedAt: new Date().toISOString(),
  collectedFrom: 'SHOPIFY',
});
// The Admin emulator keeps the Admin API's states; the Customer Account API names "never" differently per channel.
const emailState = (c: EmuCustomer) => c.emailConsent?.marketingState ?? 'NOT_SUBSCRIBED';
const whatsAppState = (c: EmuCustomer) => {
  const state = c.whatsAppConsent?.marketingState ?? 'NOT_SUBSCRIBED';
  return state === 'NOT_SUBSCRIBED' ? 'NEVER_SUBSCRIBED' : state;
};

export class CustomerAccountEmulator {
  readonly schema = loadCustomerAccountSchema();
  /** Operation names executed, and any use of a deprecated field (for the closing note's list). */
  readonly stats = { operations: {} as Record<string, number>, deprecated: [] as string[] };

  constructor(private readonly admin: AdminEmulator) {}

  handle(shop: string, customerGid: string, request: unknown): Answer {
    const data = this.admin.shopData(shop);
    const customer = data?.customers.get(customerGid);
    if (!data || !customer) return { status: 401, body: { errors: [{ message: 'Unauthorized: no signed-in customer' }] } };
    const { query, variables = {}, operationName } = (request ?? {}) as { query?: unknown; variables?: Input; operationName?: string };
    if (typeof query !== 'string') return { status: 400, body: { errors: [{ message: 'No query string was present' }] } };
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      return { status: 200, body: { errors: [{ message: (error as Error).message }] } };
    }
    const problems = validate(this.schema, document);
    if (problems.length)
      return { status: 200, body: { errors: problems.map((p) => ({ message: p.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })) } };
    const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return { status: 200, body: { errors: [{ message: 'No operation to execute' }] } };
    const missing = operation.selectionSet.selections.flatMap((s) =>
      s.kind === Kind.FIELD && !IMPLEMENTED.has(s.name.value) && !s.name.value.startsWith('__') ? [s.name.value] : [],
    );
    if (missing.length)
      return {
        status: 200,
        body: { errors: [{ message: `The local emulator does not implement: ${missing.join(', ')}`, extensions: { code: 'NOT_IMPLEMENTED' } }] },
      };
    const name = operation.name?.value ?? '(anonymous)';
    this.stats.operations[name] = (this.stats.operations[name] ?? 0) + 1;
    for (const d of deprecatedInDocument(this.schema, document)) this.stats.deprecated.push(`${name}: ${d.what}`);
    const result = execute({ schema: this.schema, document, operationName, variableValues: variables, rootValue: this.root(data, customer) });
    if (result instanceof Promise) throw new Error('The emulator resolvers are synchronous');
    return {
      status: 200,
      body: { ...(result.errors ? { errors: result.errors.map((e) => ({ message: e.message, path: e.path })) } : {}), data: result.data ?? null },
    };
  }

  private root(data: ShopData, customer: EmuCustomer) {
    const phone = () =>
      customer.phone
        ? {
            phoneNumber: customer.phone,
            marketingState: customer.smsConsent?.marketingState ?? 'NOT_SUBSCRIBED',
            smsMarketingConsent: { state: customer.smsConsent?.marketingState ?? 'NOT_SUBSCRIBED' },
            whatsAppMarketingConsent: { state: whatsAppState(customer) },
          }
        : null;
    const email = () => (customer.email ? { emailAddress: customer.email, marketingState: emailState(customer) } : null);
    const touch = () => (customer.updatedAt = new Date().toISOString());
    return {
      customer: () => ({
        id: customer.id,
        firstName: customer.firstName,
        lastName: customer.lastName,
        displayName: [customer.firstName, customer.lastName].filter(Boolean).join(' ') || customer.email,
        emailAddress: email(),
        phoneNumber: phone(),
        metafields: ({ identifiers }: { identifiers: Array<{ namespace: string; key: string }> }) =>
          identifiers.map((i) => {
            const namespace = data.resolveNamespace(i.namespace);
            // The Customer Account API shows a value only when its definition grants the customer account access.
            const definition = data.definitions.get(`CUSTOMER/${namespace}.${i.key}`);
            const m = customer.metafields.get(`${namespace}.${i.key}`);
            return m && definition?.customerAccount && definition.customerAccount !== 'NONE' ? { ...m, jsonValue: m.value, compareDigest: m.updatedAt } : null;
          }),
      }),
      customerEmailMarketingSubscribe: () => {
        if (!customer.email) return { emailAddress: null, userErrors: [{ field: null, message: 'Email address not found', code: 'EMAIL_ADDRESS_NOT_FOUND' }] };
        customer.emailConsent = consent('SUBSCRIBED');
        touch();
        return { emailAddress: email(), userErrors: [] };
      },
      customerEmailMarketingUnsubscribe: () => {
        if (!customer.email) return { emailAddress: null, userErrors: [{ field: null, message: 'Email address not found', code: 'EMAIL_ADDRESS_NOT_FOUND' }] };
        customer.emailConsent = consent('UNSUBSCRIBED');
        touch();
        return { emailAddress: email(), userErrors: [] };
      },
      customerWhatsAppMarketingConsentUpdate: ({ input }: { input: { whatsAppMarketingConsent: { state: string } } }) => {
        if (!customer.phone)
          return { customerPhoneNumber: null, userErrors: [{ field: ['input'], message: 'A phone number is required', code: 'PHONE_NUMBER_REQUIRED' }] };
        const state = input.whatsAppMarketingConsent.state;
        if (state !== 'SUBSCRIBED' && state !== 'UNSUBSCRIBED')
          return {
            customerPhoneNumber: null,
            userErrors: [{ field: ['input', 'whatsAppMarketingConsent', 'state'], message: 'State is not accepted', code: 'FAILED' }],
          };
        customer.whatsAppConsent = consent(state);
        touch();
        return { customerPhoneNumber: phone(), userErrors: [] };
      },
      metafieldsSet: ({ metafields }: { metafields: Input[] }) => {
        // A customer writes only their own customer, and only where the definition grants the customer account write.
        const refused = metafields.flatMap((m, elementIndex) => {
          const field = (name: string) => ['metafields', String(elementIndex), name];
          if (String(m.ownerId) !== customer.id)
            return [{ field: field('ownerId'), message: 'Access denied for this owner.', code: 'APP_NOT_AUTHORIZED', elementIndex }];
          const definition = data.definitions.get(`CUSTOMER/${data.resolveNamespace(String(m.namespace))}.${String(m.key)}`);
          if (definition?.customerAccount !== 'READ_WRITE')
            return [{ field: field('key'), message: 'The customer account may not write this metafield.', code: 'APP_NOT_AUTHORIZED', elementIndex }];
          return [];
        });
        if (refused.length) return { metafields: null, userErrors: refused };
        return metafieldsSet(data, { metafields });
      },
    };
  }
}
