import { expect, test } from '@playwright/test';

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
