/**
 * Every call carries a fresh Shopify session token from App Bridge's `shopify.idToken()`. In local mode the page loads
 * a stand-in for App Bridge from dev/ that mints the same kind of token for a chosen staff member, so this bundle has
 * one code path and no dev sign-in of its own.
 */
declare global {
  interface Window {
    shopify?: { idToken(): Promise<string> };
  }
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(`HTTP ${status}`);
  }
}

export async function sessionToken(): Promise<string> {
  // Outside the admin's frame (or with App Bridge blocked) there is no one to vouch for the staff member.
  if (!window.shopify) throw new Error('App Bridge is not loaded');
  return window.shopify.idToken();
}

export async function api(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${await sessionToken()}`);
  if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
  const response = await fetch(`/api${path}`, { ...init, headers });
  if (!response.ok) throw new ApiError(response.status, (await response.json().catch(() => ({}))) as Record<string, unknown>);
  return response;
}

export async function apiJson<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await api(path, init);
  return (response.status === 204 ? null : await response.json()) as T;
}
