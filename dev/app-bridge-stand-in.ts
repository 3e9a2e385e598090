/**
 * Local mode's stand-in for App Bridge on the workspace page (browser code, served by dev/local.ts as a classic script
 * before the workspace's module). It provides the one thing the workspace asks App Bridge for, `shopify.idToken()`,
 * by asking the dev sign-in for a session token of the staff member chosen with `?staff=` (owner, manager or viewer),
 * and shows a bar to switch between them. The production bundle holds none of this: there the real App Bridge answers.
 */
declare global {
  interface Window {
    shopify?: { idToken(): Promise<string> };
  }
}

const USERS = { owner: '1', manager: '2', viewer: '3' } as const;
type Staff = keyof typeof USERS;
const STRINGS = {
  en: { signedInAs: 'Local mode: signed in as', owner: 'Camille (owner)', manager: 'Luc (manager)', viewer: 'Inès (viewer)' },
  fr: { signedInAs: 'Mode local\u00a0: connecté en tant que', owner: 'Camille (propriétaire)', manager: 'Luc (responsable)', viewer: 'Inès (lecture seule)' },
};

const isStaff = (value: string | null): value is Staff => value !== null && Object.hasOwn(USERS, value);
const requested = new URLSearchParams(location.search).get('staff');
const staff: Staff = isStaff(requested) ? requested : 'owner';

window.shopify = {
  async idToken() {
    // With a role, the dev sign-in assigns it first, as the shop's owner would in the Team tab (user 1 stays owner).
    const query = new URLSearchParams({ user: USERS[staff], ...(staff === 'owner' ? {} : { role: staff }) });
    const response = await fetch(`/dev/session-token?${query}`);
    if (!response.ok) throw new Error(`dev sign-in: HTTP ${response.status}`);
    return ((await response.json()) as { token: string }).token;
  },
};

// The workspace's module has set the page's language by now: module scripts run before DOMContentLoaded.
document.addEventListener('DOMContentLoaded', () => {
  const t = document.documentElement.lang === 'fr' ? STRINGS.fr : STRINGS.en;
  const bar = document.createElement('div');
  bar.className = 'dev-bar';
  // The workspace's design tokens, so the bar reads as a caution without a rule in the production stylesheet.
  bar.style.cssText = 'background: var(--p-color-bg-surface-caution); padding: var(--p-space-150) var(--p-space-600); font-size: var(--p-font-size-300);';
  const label = document.createElement('label');
  label.append(`${t.signedInAs} `);
  const select = document.createElement('select');
  for (const role of Object.keys(USERS) as Staff[]) select.add(new Option(t[role], role, false, role === staff));
  // Another staff member is another session: reload as them, keeping the other parameters (locale).
  select.addEventListener('change', () => {
    const url = new URL(location.href);
    url.searchParams.set('staff', select.value);
    location.assign(url);
  });
  label.append(select);
  bar.append(label);
  document.body.prepend(bar);
});

export {};
