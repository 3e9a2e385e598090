import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type DocumentNode, Kind, parse } from 'graphql';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deprecatedInDocument, deprecatedInVariables } from '../dev/admin-emulator/deprecations.js';
import { loadAdminSchema } from '../dev/admin-emulator/schema.js';
import { SECRET, SHOP, type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';
import { signedWebhook } from './helpers/webhook.js';
import { formKey, signSpec } from '../web/server/core/form-key.js';
import { PROJECT_ROOT } from '../web/server/core/paths.js';
import { OPERATIONS } from '../web/server/shopify/operations.js';

/**
 * Issue 12 §4: no operation the app sends selects a field, passes an argument or an input field, or names an enum
 * value that the committed 2026-10 Admin schema marks deprecated. Shopify keeps answering deprecated fields until a
 * version removes them, so nothing else would fail before the day the sync breaks in production.
 *
 * Two readings: every GraphQL document written in the code (found by parsing the source, so a new query is checked
 * without being registered anywhere), and what the emulator is sent while the sync runs (variables included, which
 * no reading of the documents can see).
 */
const ROOTS = ['web/server', 'dev', 'tests/helpers', 'extensions/checkout-fields/src'];
const GRAPHQL_START = /^\s*(query|mutation|subscription|fragment)\b|^\s*\{\s*[A-Za-z_]/;

interface Found {
  at: string;
  source: string;
  document: DocumentNode;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every string or template literal in the code that parses as a GraphQL document with an operation in it. */
function graphqlDocuments(): { found: Found[]; unreadable: string[] } {
  const found: Found[] = [];
  const unreadable: string[] = [];
  for (const file of ROOTS.flatMap((root) => sourceFiles(join(PROJECT_ROOT, root)))) {
    const text = readFileSync(file, 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
    const at = (node: ts.Node) => `${relative(PROJECT_ROOT, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const visit = (node: ts.Node): void => {
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
        if (GRAPHQL_START.test(node.text)) {
          try {
            const document = parse(node.text);
            const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
            // A test that sends a deprecated field on purpose (to see the emulator count it) says so in its name.
            if (operations.length && !operations.every((o) => o.name?.value.startsWith('DeprecatedOnPurpose')))
              found.push({ at: at(node), source: node.text, document });
          } catch {
            // Text that only starts like GraphQL (a log line, a Liquid snippet): not a document.
          }
        }
      } else if (ts.isTemplateExpression(node) && /^\s*(query|mutation)\s+\w+/.test(node.head.text)) {
        // A document assembled at run time cannot be read here: the app keeps its documents constant.
        unreadable.push(at(node));
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { found, unreadable };
}

describe('no GraphQL document in the code uses what the 2026-10 Admin schema deprecates', () => {
  const schema = loadAdminSchema();
  const { found, unreadable } = graphqlDocuments();

  it('finds every named operation of operations.ts (the search itself works)', () => {
    const sources = new Set(found.map((f) => f.source));
    for (const [name, source] of Object.entries(OPERATIONS)) expect(sources.has(source), name).toBe(true);
    expect(unreadable).toEqual([]);
  });

  it('none selects a deprecated field or passes a deprecated argument, input field or enum value', () => {
    const report = found.flatMap((f) => deprecatedInDocument(schema, f.document).map((u) => `${f.at} ${u.what}: ${u.reason}`));
    expect(report).toEqual([]);
  });

  it('the check can fail: the flat customer fields of before 2026-10 are reported with what replaces them', () => {
    const document = parse(`query Old($id: ID!) {
      customer(id: $id) {
        email
        phone
        emailMarketingConsent { marketingState }
        smsMarketingConsent { marketingState }
        defaultPhoneNumber { marketingState }
        addresses(first: 1) { countryCode }
      }
    }`);
    const usages = deprecatedInDocument(schema, document);
    expect(usages.map((u) => u.what)).toEqual([
      'Customer.email',
      'Customer.phone',
      'Customer.emailMarketingConsent',
      'Customer.smsMarketingConsent',
      'CustomerPhoneNumber.marketingState',
      'Customer.addresses',
      'MailingAddress.countryCode',
    ]);
    expect(usages[0]!.reason).toContain('defaultEmailAddress.emailAddress');
    expect(usages.find((u) => u.what === 'CustomerPhoneNumber.marketingState')!.reason).toContain('smsMarketingConsent.state');
  });

  it('the check can fail on input: deprecated input fields written inline or sent as variables', () => {
    const inline = parse('mutation { customerAddressCreate(customerId: "gid://shopify/Customer/1", address: {country: "France"}) { address { id } } }');
    expect(deprecatedInDocument(schema, inline).map((u) => u.what)).toEqual(['MailingAddressInput.country']);
    const withVariables = parse('mutation M($input: CustomerInput!) { customerCreate(input: $input) { customer { id } } }');
    const usages = deprecatedInVariables(schema, withVariables, { input: { email: 'a@b.co', addresses: [{ province: 'IDF', countryCode: 'FR' }] } });
    expect(usages.map((u) => u.what)).toEqual(['CustomerInput.addresses', 'MailingAddressInput.province']);
  });
});

describe('what the sync sends the emulator uses nothing deprecated, variables included', () => {
  let t: TestApp | null;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
  });
  afterAll(async () => t?.close());

  it('a new customer, the same customer again, an order with purchase answers, and the reads tests make', async (ctx) => {
    if (!t) return ctx.skip();
    const custom = JSON.stringify([{ key: 'shoe_size', kind: 'number', required: false }]);
    const submission = (first_name: string) =>
      jsonPost({
        email: 'deprecations@example.com',
        first_name,
        phone: '+33 6 12 34 56 78',
        company: 'Atelier',
        birthday: '1990-04-12',
        address1: '3 quai Voltaire',
        city: 'Paris',
        zip: '75007',
        country: 'fr',
        email_marketing_consent: true,
        consent_text: 'Email me news.',
        sms_marketing_consent: true,
        sms_consent_text: 'Text me offers.',
        custom_fields: custom,
        custom_fields_sig: signSpec(formKey(SECRET, SHOP), custom),
        'custom.shoe_size': '42',
        rendered_at: Date.now() - 10_000,
      });
    expect((await t.proxy('/submit', submission('Ann'))).status).toBe(202);
    await t.runtime.worker.drain();
    // The second time the customer exists: the lookup, the app metafields read and the proposed-change path run.
    expect((await t.proxy('/submit', submission('Anne'))).status).toBe(202);
    await t.runtime.worker.drain();

    t.emulator.shopData(SHOP)!.addCustomer({ firstName: 'Inès', email: 'buyer-deprecations@example.com' }, 777001);
    const order = {
      id: 77001,
      admin_graphql_api_id: 'gid://shopify/Order/77001',
      email: 'buyer-deprecations@example.com',
      customer: { id: 777001, email: 'buyer-deprecations@example.com', first_name: 'Inès' },
      note_attributes: Object.entries({ cc_source: 'cart', cc_birthday: '1991-02-03', cc_heard_about: 'A friend', cc_consent: 'yes' }).map(([name, value]) => ({
        name,
        value,
      })),
    };
    expect((await t.runtime.app.request('/webhooks/orders/create', signedWebhook('orders/create', order))).status).toBe(200);
    await t.runtime.worker.drain();
    const customer = (await t.customerByEmail('deprecations@example.com')) as { defaultPhoneNumber: { smsMarketingConsent: { state: string } } };
    expect(customer.defaultPhoneNumber.smsMarketingConsent.state).toBe('SUBSCRIBED');

    const sent = Object.keys(t.emulator.stats.operations);
    expect(sent).toEqual(
      expect.arrayContaining([
        'ContactCaptureCustomerForSync',
        'ContactCaptureCustomerCreate',
        'ContactCaptureMetafieldsSet',
        'ContactCaptureSmsConsent',
        'ContactCaptureEmailConsent',
        'ContactCaptureCustomerByEmail',
      ]),
    );
    expect(t.emulator.stats.deprecated).toEqual({});
  });
});
