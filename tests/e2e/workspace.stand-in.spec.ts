import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { DEV_DEFAULTS } from '../../web/server/config.js';

/**
 * Local mode signs staff in through a stand-in for App Bridge served from dev/ (the workspace bundle has no dev
 * sign-in of its own): the workspace asks `shopify.idToken()` as in the admin, and the stand-in's bar switches between
 * the dev shop's owner, manager and viewer.
 * Named to run after workspace.spec.ts: opening the workspace loads the filter menus, which the server keeps a minute
 * (routes/workspace/routes.ts), and workspace.spec.ts expects the forms its beforeAll submits to be in them.
 */
test('local mode signs in through the App Bridge stand-in, and its bar switches the staff member', async ({ page }) => {
  await page.goto('/app?locale=fr');
  const who = page.getByLabel('Mode local : connecté en tant que');
  await expect(who).toHaveValue('owner');
  await expect(page.getByRole('button', { name: 'Équipe' })).toBeVisible();

  await who.selectOption('viewer');
  await expect(page).toHaveURL(/[?&]staff=viewer/);
  await expect(page).toHaveURL(/[?&]locale=fr/);
  await expect(page.getByRole('heading', { level: 1, name: 'Prospects' })).toBeVisible();
  await expect(page.getByLabel('Mode local : connecté en tant que')).toHaveValue('viewer');
  await expect(page.getByRole('button', { name: 'Équipe' })).toHaveCount(0);
});

test('the setup card links to the theme editor and says what the live theme already has', async ({ page, request }) => {
  const shop = DEV_DEFAULTS.SHOPIFY_DEV_SHOP;
  const type = (handle: string) => `shopify://apps/contact-capture/blocks/${handle}/0190f3b2-7d8e-7c3a-9a41-2f1d7b1c9e01`;
  const theme = (filename: string, content: unknown) =>
    request.post('/__emulator/admin', { data: { themeFile: { shop, filename, content: JSON.stringify(content) } } });
  await theme('templates/page.contact.json', { sections: { main: { type: 'main-page' } }, order: ['main'] });
  await theme('config/settings_data.json', { current: { blocks: {} } });

  await page.goto('/app');
  const card = page.locator('section.card').filter({ has: page.getByRole('heading', { name: /Finish setting up the contact form|Get your first lead/ }) });
  const add = card.getByRole('link', { name: 'Add the contact form in the theme editor' });
  await expect(add).toHaveAttribute(
    'href',
    new RegExp(`^https://${shop}/admin/themes/current/editor\\?template=page&addAppBlockId=[^&]+%2Fcontact-form&target=newAppsSection$`),
  );
  await expect(add).toHaveAttribute('target', '_top');
  await expect(add).toHaveAccessibleDescription('Add the contact form to a page');
  await expect(card.getByRole('link', { name: 'Turn on the popup in the theme editor' })).toHaveAttribute('href', /activateAppId=[^&]+%2Fcontact-embed/);
  // When Shopify cannot answer at once (the lead sync of earlier specs may hold the shop's cost bucket), the card says
  // "Status unknown" and asks again after 4, 8 and 12 s.
  await expect(card.getByText('Not yet')).toHaveCount(2, { timeout: 30_000 });
  const results = await new AxeBuilder({ page }).include('.card').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => v.id)).toEqual([]);

  // The merchant adds the block: the card says so; once the embed is on too, a shop with leads no longer shows it.
  await theme('templates/page.contact.json', { sections: { apps: { type: '_blocks', blocks: { b: { type: type('contact-form') } } } }, order: ['apps'] });
  await page.goto('/app?locale=fr');
  const carte = page.locator('section.card').filter({ has: page.getByRole('heading', { name: /Terminez l’installation|Obtenez votre premier prospect/ }) });
  await expect(carte.getByText('Fait')).toHaveCount(1, { timeout: 30_000 });
  await expect(carte.getByText('Pas encore')).toHaveCount(1);
  await theme('config/settings_data.json', { current: { blocks: { e: { type: type('contact-embed'), disabled: false } } } });
});
