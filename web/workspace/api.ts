/**
 * Every call carries a fresh Shopify session token: App Bridge's `shopify.idToken()` in the admin, or the dev sign-in
 * in local mode (the same kind of token, for a chosen staff member).
 */
declare global {
  interface Window {
    shopify?: { idToken(): Promise<string> };
  }
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly body: Record<string, unknown>) {
    super(`HTTP ${status}`);
  }
}

let devStaff: string | null = null;
export function useDevStaff(role: string | null): void {
  devStaff = role;
}

const DEV_USERS: Record<string, string> = { owner: '1', manager: '2', viewer: '3' };

export async function sessionToken(): Promise<string> {
  if (window.shopify) return window.shopify.idToken();
  const role = devStaff ?? 'owner';
  const query = new URLSearchParams({ user: DEV_USERS[role] ?? '1', ...(role === 'owner' ? {} : { role }) });
  const response = await fetch(`/dev/session-token?${query}`);
  return ((await response.json()) as { token: string }).token;
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
