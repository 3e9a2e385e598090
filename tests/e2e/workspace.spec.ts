import { createHmac } from 'node:crypto';
import SQLite from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { type APIRequestContext, type Page, expect, test } from '@playwright/test';
import { DEV_DEFAULTS } from '../../web/server/config.js';
import { blockOptIn, customerByEmail } from './helpers.js';

/**
 * The leads workspace in Chromium, in local mode: the same Preact app, session tokens and API as in the admin.
 * Each run gets its own people (a run id in their emails and names), so the specs do not depend on one another.
 */
const run = Date.now().toString(36);
const pierre = { email: `pierre.${run}@example.fr`, first_name: 'Pierre', last_name: `Dupont${run}` };

async function submit(request: APIRequestContext, body: Record<string, unknown>): Promise<void> {
  const response = await request.post('/apps/contact-capture/submit', {
    headers: { accept: 'application/json' },
    data: { rendered_at: Date.now() - 10_000, ...blockOptIn(typeof body.form_id === 'string' ? body.form_id : ''), ...body },
  });
  expect(response.status()).toBe(202);
}

async function axe(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test.beforeAll(async ({ request }) => {
  await submit(request, {
    ...pierre,
    phone: '+33 6 55 44 33 22',
    message: 'Bonjour, I have moved to Lyon. Please update my address.',
    address1: '1 rue de la Paix',
    city: 'Paris',
    zip: '75002',
    country: 'FR',
    email_marketing_consent: true,
    consent_text: 'Send me news and offers by email.',
    form_id: 'contact-page',
  });
  await submit(request, {
    email: `elodie.${run}@example.com`,
    first_name: 'Élodie',
    last_name: `Martin${run}`,
    company: 'Atelier Lumière',
    message: 'Wholesale prices?',
    form_id: `wholesale-${run}`,
  });
  await submit(request, {
    email: `sam.${run}@example.org`,
    first_name: 'Sam',
    last_name: `Okafor${run}`,
    message: '=1+1 is a formula',
    email_marketing_consent: true,
    form_id: `wholesale-${run}`,
  });
  // The worker writes search terms just after intake: wait until all three can be found.
  const { token } = (await (await request.get('/dev/session-token')).json()) as { token: string };
  await expect
    .poll(
      async () =>
        ((await (await request.get(`/api/leads?q=${run}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { leads: unknown[] }).leads.length,
    )
    .toBe(3);
});

test('a manager searches and filters leads from the keyboard, opens one, and the page has no axe violation', async ({ page }) => {
  await page.goto('/app?staff=manager');
  await expect(page.getByRole('heading', { level: 1, name: 'Leads' })).toBeFocused();
  await page.keyboard.press('Tab');
  // Skip the local staff switcher and the tabs: the search box is reachable by keyboard.
  const search = page.getByRole('searchbox', { name: /Search name, email/ });
  await search.focus();
  await page.keyboard.type(`dupont${run}`);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: /^1 lead$/ })).toBeVisible();
  await expect(page.getByRole('table')).toContainText(pierre.email);
  expect(await axe(page)).toEqual([]);

  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByRole('combobox', { name: /^Form/ }).selectOption(`wholesale-${run}`);
  await expect(page.getByRole('table').getByRole('row')).toHaveCount(3);
  await page.getByRole('button', { name: /^No consent/ }).click();
  await expect(page.getByRole('table').getByRole('row')).toHaveCount(2);
  await expect(page.getByRole('table')).toContainText(`elodie.${run}@example.com`);
  await page.getByRole('button', { name: 'Clear filters' }).click();

  await search.fill(`pierre.${run}`);
  await search.press('Enter');
  const open = page.getByRole('button', { name: `Open lead from Pierre ${pierre.last_name}` });
  await open.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(`Pierre ${pierre.last_name}`) })).toBeFocused();
  await expect(page.getByText('Send me news and offers by email.')).toBeVisible();
  // The consent proof's origin is read in words, never as the stored identifiers.
  await expect(page.getByText('Contact form on the storefront · single opt-in').first()).toBeVisible();
  await expect(page.getByText('storefront_contact_form')).toHaveCount(0);
  await expect(page.getByText('Create or update customer')).toBeVisible();
  expect(await axe(page)).toEqual([]);
});

test("a manager corrects Pierre's address and it reaches his Shopify customer", async ({ page, request }) => {
  await page.goto('/app?staff=manager');
  await page.getByRole('searchbox', { name: /Search name, email/ }).fill(pierre.last_name);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('button', { name: `Open lead from Pierre ${pierre.last_name}` }).click();
  // The lead reaches Shopify first (the worker polls every 50 ms here).
  await expect.poll(async () => (await customerByEmail(request, pierre.email))?.id ?? null, { timeout: 15_000 }).not.toBeNull();
  await page.getByRole('button', { name: 'Edit contact' }).click();
  await page.getByLabel('Phone').fill('12');
  await page.getByRole('button', { name: 'Save and sync to Shopify' }).click();
  await expect(page.getByText('Enter a valid phone number.')).toBeVisible();
  await expect(page.getByLabel('Phone')).toHaveAttribute('aria-invalid', 'true');
  expect(await axe(page)).toEqual([]);
  await page.getByLabel('Phone').fill('+33 6 55 44 33 22');
  await page.getByLabel('Address', { exact: true }).fill('12 quai Saint-Antoine');
  await page.getByLabel('City').fill('Lyon');
  await page.getByLabel('Postal code').fill('69002');
  await page.getByRole('button', { name: 'Save and sync to Shopify' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'will be synced to Shopify' })).toBeVisible();
  await expect(page.getByText('12 quai Saint-Antoine, 69002 Lyon, FR')).toBeVisible();
  await expect
    .poll(async () => (await customerByEmail(request, pierre.email))?.defaultAddress, { timeout: 15_000 })
    .toEqual({ address1: '12 quai Saint-Antoine', address2: null, city: 'Lyon', zip: '69002', countryCodeV2: 'FR', provinceCode: null });
  await page.reload();
  await page.getByRole('searchbox', { name: /Search name, email/ }).fill(pierre.last_name);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('button', { name: `Open lead from Pierre ${pierre.last_name}` }).click();
  await expect(page.getByText('Correction')).toBeVisible();
  await page.screenshot({ path: 'test-results/workspace-detail.png', fullPage: true });
});

test('an anonymous rename of an existing customer waits as proposed changes; a manager applies them in one click', async ({ page, request }) => {
  const email = `rose.${run}@example.fr`;
  await submit(request, { email, first_name: 'Rose', last_name: `Lenoir${run}`, email_marketing_consent: true });
  await expect.poll(async () => (await customerByEmail(request, email))?.firstName ?? null, { timeout: 15_000 }).toBe('Rose');
  // Someone who is not signed in as Rose sends her email with another name: her record stays as it is.
  await submit(request, { email, first_name: 'Rosalie', last_name: `Lenoir${run}`, message: `Second ${run}`, email_marketing_consent: true });
  const { token } = (await (await request.get('/dev/session-token')).json()) as { token: string };
  await expect
    .poll(
      async () =>
        ((await (await request.get(`/api/leads?q=rosalie`, { headers: { authorization: `Bearer ${token}` } })).json()) as { leads: Array<{ status: string }> })
          .leads[0]?.status,
      { timeout: 15_000 },
    )
    .toBe('synced');
  expect((await customerByEmail(request, email)).firstName).toBe('Rose');
  await page.goto('/app?staff=manager');
  await page.getByRole('searchbox', { name: /Search name, email/ }).fill('rosalie');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('button', { name: `Open lead from Rosalie Lenoir${run}` }).click();
  const card = page.locator('section.card').filter({ has: page.getByRole('heading', { name: 'Changes waiting for the customer' }) });
  await expect(card.getByRole('row', { name: /First name/ })).toContainText('Rose');
  await expect(card.getByRole('row', { name: /First name/ })).toContainText('Rosalie');
  expect(await axe(page)).toEqual([]);
  await card.getByRole('button', { name: 'Apply to the customer' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Applied: the customer will be updated.' })).toBeVisible();
  await expect.poll(async () => (await customerByEmail(request, email)).firstName, { timeout: 15_000 }).toBe('Rosalie');
});

test('a manager exports the filtered leads as CSV with progress, and the file holds exactly them, spreadsheet-safe', async ({ page }) => {
  await page.goto('/app?staff=manager');
  await page.getByRole('combobox', { name: /^Form/ }).selectOption(`wholesale-${run}`);
  await expect(page.getByRole('table').getByRole('row')).toHaveCount(3);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = await download;
  await expect(page.getByRole('status').filter({ hasText: 'Exported 2 leads.' })).toBeVisible();
  await expect(page.getByRole('progressbar')).toHaveAttribute('value', '2');
  const bytes = readFileSync(await file.path());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const rows = bytes.subarray(3).toString('utf8').trim().split('\r\n');
  expect(rows[0]).toMatch(/^id,received_at,form,first_name,last_name,email,/);
  expect(rows).toHaveLength(3);
  expect(
    rows
      .slice(1)
      .map((r) => r.split(',')[5])
      .sort(),
  ).toEqual([`elodie.${run}@example.com`, `sam.${run}@example.org`]);
  expect(rows.join('\n')).toContain("'=1+1 is a formula");
  await page.screenshot({ path: 'test-results/workspace-list.png', fullPage: true });
});

test('a viewer sees personal data masked, cannot export or edit, and the French page has no axe violation', async ({ page }) => {
  await page.goto('/app?staff=viewer&locale=fr');
  await expect(page.getByRole('heading', { level: 1, name: 'Prospects' })).toBeVisible();
  await expect(page.getByText('Les données personnelles sont masquées pour votre rôle (lecture seule).')).toBeVisible();
  // A viewer searches what a viewer sees: the message, not the masked name.
  await page.getByRole('searchbox', { name: 'Rechercher dans les messages' }).fill('moved Lyon');
  await page.getByRole('button', { name: 'Rechercher', exact: true }).click();
  const table = page.getByRole('table');
  await expect(table).toContainText('p•••@example.fr');
  await expect(table).not.toContainText(pierre.email);
  await expect(table).not.toContainText(pierre.last_name);
  await expect(page.getByRole('button', { name: 'Exporter en CSV' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Équipe' })).toHaveCount(0);
  expect(await axe(page)).toEqual([]);
  await page
    .getByRole('button', { name: /Ouvrir le prospect de P/ })
    .first()
    .click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('P•••');
  await expect(page.getByRole('button', { name: 'Modifier les coordonnées' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Supprimer le prospect' })).toHaveCount(0);
  expect(await axe(page)).toEqual([]);
});

test('the owner sees insights per form, assigns roles and reads the audit log', async ({ page, request }) => {
  for (let i = 0; i < 3; i++) {
    expect((await request.post('/apps/contact-capture/view', { form: { form_id: `wholesale-${run}` } })).status()).toBe(204);
  }
  await page.goto('/app');
  await page.getByRole('button', { name: 'Insights' }).click();
  const card = page.locator('section.card', { has: page.getByRole('heading', { name: `wholesale-${run}` }) });
  await expect(card).toContainText('Views3');
  await expect(card).toContainText('Submissions2');
  await expect(card.getByRole('img', { name: `Submissions and spam per day for wholesale-${run}` })).toBeVisible();
  expect(await axe(page)).toEqual([]);

  await page.getByRole('button', { name: 'Team' }).click();
  await expect(page.getByRole('cell', { name: 'Owner' })).toBeVisible();
  await page.getByRole('button', { name: 'Audit log' }).click();
  // Actions and their details read as words, never as the stored identifiers or JSON.
  await expect(page.getByRole('table')).toContainText('Viewed a lead');
  await expect(page.getByRole('table')).toContainText('Exported leads');
  await expect(page.getByRole('table')).not.toContainText('view_lead');
  await expect(page.getByRole('table')).not.toContainText('{"rows"');
  await expect(page.getByRole('table')).not.toContainText(pierre.email);
  expect(await axe(page)).toEqual([]);
});

test('the shop owner downloads a data-request package from the workspace, and delivery is recorded', async ({ page, request }) => {
  const email = `access.${run}@example.com`;
  await submit(request, { email });
  const payload = JSON.stringify({ shop_id: 1, shop_domain: DEV_DEFAULTS.SHOPIFY_DEV_SHOP, customer: { id: 1, email, phone: null }, data_request: { id: 1 } });
  const response = await request.post('/webhooks/customers/data_request', {
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': 'customers/data_request',
      'x-shopify-shop-domain': DEV_DEFAULTS.SHOPIFY_DEV_SHOP,
      'x-shopify-api-version': '2026-10',
      'x-shopify-webhook-id': `e2e-${run}`,
      'x-shopify-hmac-sha256': createHmac('sha256', DEV_DEFAULTS.SHOPIFY_API_SECRET).update(payload).digest('base64'),
    },
    data: payload,
  });
  expect(response.status()).toBe(200);

  await expect
    .poll(
      async () => {
        await page.goto('/app');
        await page.getByRole('button', { name: 'Data requests' }).click();
        await expect(page.getByText('Loading…')).toHaveCount(0);
        return page.getByRole('button', { name: 'Download CSV' }).count();
      },
      { timeout: 15_000 },
    )
    .toBeGreaterThan(0);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download CSV' }).first().click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^data-request-.+\.csv$/);
  await expect(page.getByText('Package downloaded; delivery recorded.')).toBeVisible();
  await expect(page.getByRole('table').getByRole('row').nth(1)).not.toContainText('Not yet');
  // The request's status reads as a word, not the stored 'done'.
  await expect(page.getByRole('table').getByRole('row').nth(1)).toContainText('Ready');
});

test('a value the server cannot decrypt shows as unreadable, in French too, and the rest of the lead and list still show', async ({ page, request }) => {
  const lastName = `Illisible${run}`;
  const sent = await request.post('/apps/contact-capture/submit', {
    headers: { accept: 'application/json' },
    data: {
      rendered_at: Date.now() - 10_000,
      email: `ines.${run}@example.fr`,
      first_name: 'Inès',
      last_name: lastName,
      message: 'Un message qui sera abîmé',
      phone: '+33 6 11 22 33 44',
    },
  });
  expect(sent.status()).toBe(202);
  const { id } = (await sent.json()) as { id: string };
  const { token } = (await (await request.get('/dev/session-token')).json()) as { token: string };
  await expect
    .poll(
      async () =>
        ((await (await request.get(`/api/leads?q=${lastName}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { leads: unknown[] }).leads
          .length,
    )
    .toBe(1);
  // A ciphertext no listed key opens (a lost key, a damaged row), written around the app into its database file.
  const db = new SQLite('data/e2e.sqlite');
  try {
    db.prepare("update leads set message = 'v3:gone:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA==:AAAA' where id = ?").run(id);
  } finally {
    db.close();
  }
  await page.goto('/app?staff=manager&locale=fr');
  await page.getByRole('searchbox').fill(lastName);
  await page.keyboard.press('Enter');
  const row = page.getByRole('table').getByRole('row').nth(1);
  await expect(row).toContainText(`ines.${run}@example.fr`);
  await expect(row).toContainText('illisible');
  await row.getByRole('button', { name: /Ouvrir le prospect de Inès/ }).click();
  await expect(page.getByText(/ne peuvent pas être déchiffrées/)).toBeVisible();
  await expect(page.locator('dd').filter({ hasText: `ines.${run}@example.fr` })).toBeVisible();
});
