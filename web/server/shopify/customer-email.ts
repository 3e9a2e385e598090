import * as z from 'zod';
import type { AdminClient } from './admin-client.js';
import { CUSTOMER_EMAIL } from './operations.js';
import type { ShopTokens } from './shops.js';

/** What Shopify says about a customer's email: the address when it is verified, null when there is none to trust. */
export type CustomerEmail = { ok: true; email: string | null } | { ok: false };
export type CustomerEmailLookup = (shop: string, customerId: string) => Promise<CustomerEmail>;

const answer = z.object({
  customer: z.object({ verifiedEmail: z.boolean(), defaultEmailAddress: z.object({ emailAddress: z.string().nullable() }).nullable() }).nullable(),
});

/**
 * Self-service knows the customer only by the signed `logged_in_customer_id`; the email that customer's leads may
 * have been sent with (before logging in, from another device) is asked of Shopify, never taken from a lead: a
 * logged-in shopper can type anyone's email into the form, and must not thereby reach that person's leads.
 * `ok: false` when Shopify cannot answer now (no token, throttled, down): the caller must not act on part of the data.
 */
export function customerEmailLookup(client: AdminClient, tokens: ShopTokens): CustomerEmailLookup {
  return async (shop, customerId) => {
    const token = await tokens.get(shop);
    if (!token) return { ok: false };
    const result = await client.request<unknown>(shop, token, CUSTOMER_EMAIL, { id: `gid://shopify/Customer/${customerId}` });
    if (!result.ok) return { ok: false };
    const parsed = answer.safeParse(result.data);
    if (!parsed.success) return { ok: false };
    const customer = parsed.data.customer;
    return { ok: true, email: customer?.verifiedEmail ? (customer.defaultEmailAddress?.emailAddress ?? null) : null };
  };
}
