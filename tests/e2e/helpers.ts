import { type APIRequestContext, expect } from '@playwright/test';
import { DEV_DEFAULTS } from '../../web/server/config.js';
import { CUSTOMER_BY_EMAIL } from '../../web/server/shopify/operations.js';
import { formKey, signOptIn } from '../../web/server/core/form-key.js';

export interface LeadRow {
  email: string;
  status: string;
  email_consent: boolean;
  first_name: string | null;
  locale: string;
  shopify_customer_id: string | null;
}

/** Reads the leads the way the workspace does: /api/leads with a session token from the dev sign-in. */
export async function leads(request: APIRequestContext): Promise<LeadRow[]> {
  const { token } = (await (await request.get('/dev/session-token')).json()) as { token: string };
  const response = await request.get('/api/leads?limit=100', { headers: { authorization: `Bearer ${token}` } });
  expect(response.status()).toBe(200);
  return ((await response.json()) as { leads: LeadRow[] }).leads;
}

export async function leadFor(request: APIRequestContext, email: string, status?: string): Promise<LeadRow> {
  let found: LeadRow | undefined;
  await expect
    .poll(
      async () => {
        found = (await leads(request)).find((l) => l.email === email);
        return status ? found?.status : found?.email;
      },
      { timeout: 15_000 },
    )
    .toBe(status ?? email);
  return found!;
}

/** Asks the Admin API emulator, through its GraphQL endpoint, for the customer with this email. */
export async function customerByEmail(request: APIRequestContext, email: string): Promise<any> {
  const response = await request.post('/admin/api/2026-10/graphql.json', {
    headers: { 'x-shopify-access-token': process.env.SHOPIFY_DEV_ACCESS_TOKEN ?? DEV_DEFAULTS.SHOPIFY_DEV_ACCESS_TOKEN },
    data: { query: CUSTOMER_BY_EMAIL, variables: { email } },
  });
  expect(response.status()).toBe(200);
  return ((await response.json()) as { data: { customerByIdentifier: unknown } }).data.customerByIdentifier;
}

export const unique = (name: string) => `${name}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.com`;

/**
 * The block's double opt-in setting as its Liquid posts it, signed for the form with the dev shop's form key: `doi:0`
 * (off) unless days are given. A post without it is double opt-in whatever it says (the server fails safe).
 */
export function blockOptIn(formId: string, days = 0): { double_opt_in: string; double_opt_in_sig: string } {
  const key = formKey(process.env.SHOPIFY_API_SECRET ?? DEV_DEFAULTS.SHOPIFY_API_SECRET, process.env.SHOPIFY_DEV_SHOP ?? DEV_DEFAULTS.SHOPIFY_DEV_SHOP);
  return { double_opt_in: `doi:${days}`, double_opt_in_sig: signOptIn(key, formId, `doi:${days}`) };
}
