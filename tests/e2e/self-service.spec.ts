import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { customerByEmail } from './helpers.js';

test.describe('a logged-in shopper manages their own data through the app proxy', () => {
  test('sees it, corrects it (the Shopify customer follows), and deletes it', async ({ page, request }) => {
    await page.goto('/?customer=7001');
    const form = page.getByRole('form', { name: 'Contact us' });
    await form.getByLabel('Message').fill('Please update my record.');
    await form.getByLabel(/Email me news/).check();
    await form.getByRole('button', { name: 'Send' }).click();
    await expect(form.getByRole('status')).toContainText('Thanks for contacting us');

    await page.goto('/apps/contact-capture/privacy');
    await expect(page.getByRole('heading', { name: 'Your data' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'What we hold about you' })).toBeVisible();
    await expect(page.getByText('Please update my record.')).toBeVisible();
    await page.getByLabel('First name').fill('Pierre-Louis');
    await page.getByRole('button', { name: 'Save corrections' }).click();
    await expect(page.getByRole('status')).toHaveText('Your details were corrected.');
    await expect.poll(async () => (await customerByEmail(request, 'pierre.durand@example.com'))?.firstName, { timeout: 15_000 }).toBe('Pierre-Louis');
    // Staff search finds the corrected name (the lead's search terms were rebuilt).
    const { token } = (await (await request.get('/dev/session-token')).json()) as { token: string };
    const found = (await (await request.get('/api/leads?q=louis', { headers: { authorization: `Bearer ${token}` } })).json()) as {
      leads: Array<{ email: string }>;
    };
    expect(found.leads.map((l) => l.email)).toContain('pierre.durand@example.com');

    await page.goto('/apps/contact-capture/privacy?locale=fr');
    await expect(page.getByRole('heading', { name: 'Vos données' })).toBeVisible();
    await page.getByLabel('Je veux que toutes mes données soient supprimées').check();
    await page.getByRole('button', { name: 'Supprimer mes données' }).click();
    await expect(page.getByRole('status')).toHaveText('Vos données ont été supprimées.');
    await page.goto('/apps/contact-capture/privacy');
    await expect(page.getByText('We hold no messages or contact details from you.')).toBeVisible();
  });

  test('on a shop with new customer accounts, a logged-in shopper is sent to "My data" in their account', async ({ page }) => {
    await page.goto('/?customer=7001');
    await page.goto('/apps/contact-capture/privacy');
    const link = page.getByRole('link', { name: 'Manage your data in your account' });
    await expect(link).toBeVisible();
    // The page's own forms stay below the link (README: why).
    await expect(page.getByRole('heading', { name: 'Your data' })).toBeVisible();
    const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    await link.click();
    await expect(page).toHaveURL(/\/account-preview$/);
    await expect(page.getByRole('heading', { name: 'My data', level: 1 })).toBeVisible();
  });

  test('a logged-out visitor is asked to log in, and a forged delete is refused', async ({ page, request }) => {
    await page.goto('/');
    await page.goto('/apps/contact-capture/privacy');
    await expect(page.getByText('Log in to your account to see the data we hold about you.')).toBeVisible();
    await expect(page.getByRole('link', { name: 'Manage your data in your account' })).toHaveCount(0);
    const forged = await request.post('/apps/contact-capture/privacy/delete', {
      form: { confirm: 'on', token: 'ab'.repeat(32) },
      headers: { cookie: 'cc_dev_customer=7001' },
    });
    expect(forged.status()).toBe(403);
  });
});
