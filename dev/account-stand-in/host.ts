/**
 * Browser script for the local account page stand-in: the global `shopify` a customer account extension runs with
 * (translations from its locales, a session token for the signed-in customer, `extend` for its targets) and the
 * `shopify://customer-account/...` fetch, routed to the local Customer Account API emulator with that token. Loaded
 * before the extension's bundle. Local mode only.
 */
type Config = { target: string; locale: string; customer: string; strings: Record<string, unknown> };
const config = JSON.parse(document.getElementById('cc-account-config')!.textContent) as Config;

let cached: { token: string; at: number } | null = null;
async function sessionToken(): Promise<string> {
  // Shopify's tokens live five minutes; a fresh one is asked for well before.
  if (!cached || Date.now() - cached.at > 60_000) {
    const response = await fetch(`/dev/account-session-token?customer=${encodeURIComponent(config.customer)}`);
    cached = { token: ((await response.json()) as { token: string }).token, at: Date.now() };
  }
  return cached.token;
}

const realFetch = window.fetch.bind(window);
const ACCOUNT_API = 'shopify://customer-account/';
window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (!url.startsWith(ACCOUNT_API)) return realFetch(input, init);
  const headers = new Headers(init?.headers);
  headers.set('authorization', `Bearer ${await sessionToken()}`);
  return realFetch(`/dev/customer-account/${url.slice(ACCOUNT_API.length)}`, { ...init, headers });
};

function translate(key: string, options: Record<string, string | number> = {}): string {
  const text = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], config.strings);
  return typeof text === 'string' ? text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(options[name] ?? '')) : key;
}

(window as unknown as { shopify: unknown }).shopify = {
  i18n: { translate },
  localization: { language: { value: { isoCode: config.locale } } },
  sessionToken: { get: sessionToken },
  extend(target: string, render: () => unknown) {
    if (target === config.target) void render();
  },
};
