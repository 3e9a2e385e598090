/**
 * The part of the customer account extension API (the global `shopify`) these targets use, as plain types: the same
 * shape in the customer account, in the local account page stand-in (dev/account-preview.ts) and in component tests.
 */
export interface AccountApi {
  i18n: { translate(key: string, options?: Record<string, string | number>): string };
  localization: { language: { value: { isoCode: string } } };
  sessionToken: { get(): Promise<string> };
}

/** Inside a customer account extension, fetch reaches the Customer Account API at this URL with no token to handle. */
export const CUSTOMER_ACCOUNT_API = 'shopify://customer-account/api/2026-10/graphql.json';

export type UserError = { field?: string[] | null; message: string; code?: string | null };

/** One Customer Account API operation; null on a transport or GraphQL error. */
export async function accountApi<T>(query: string, variables: Record<string, unknown> = {}): Promise<T | null> {
  try {
    const response = await fetch(CUSTOMER_ACCOUNT_API, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    if (!response.ok) return null;
    const body = (await response.json()) as { data?: T; errors?: unknown[] };
    return body.errors?.length ? null : (body.data ?? null);
  } catch {
    return null;
  }
}

/** A call to the app's backend (web/server/routes/account/) with the extension's session token. */
export async function backend(api: AccountApi, backendUrl: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${await api.sessionToken.get()}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${backendUrl}/account${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
