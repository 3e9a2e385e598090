import AxeBuilder from '@axe-core/playwright';
import { type Page, expect, test } from '@playwright/test';
import { customerByEmail, leadFor } from './helpers.js';

/**
 * The customer account extension in the local account page stand-in (/account-preview): the real extension,
 * signed in as the dev customer 7001, its backend calls with a customer account session token, and the Customer
 * Account API emulated against the real schema on the Admin emulator's customer.
 */
const EMAIL = 'pierre.durand@example.com';

async function axe(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test.describe('"My data" in the customer account', () => {
  test('shows what is held, corrects the address on the Shopify customer, unsubscribes, and deletes', async ({ page, request }) => {
    await page.goto('/?customer=7001');
    const form = page.getByRole('form', { name: 'Contact us' });
    await form.getByLabel('Message').fill('Where is my account page?');
    await form.getByLabel(/Email me news/).check();
    await form.getByRole('button', { name: 'Send' }).click();
    // Sent with or without the script (the no-script path answers with a page of its own).
    await expect(page.getByRole('status').first()).toContainText('Thanks for contacting us');
    await leadFor(request, EMAIL, 'synced');

    await page.goto('/account-preview');
    await expect(page.getByRole('heading', { name: 'My data', level: 1 })).toBeVisible();
    await expect(page.getByText('Where is my account page?')).toBeVisible();
    await expect(page.getByText(/Email · given · “/)).toBeVisible();
    expect(await axe(page)).toEqual([]);

    // Correct the address: the customer's own change reaches their Shopify record through the outbox.
    await page.getByLabel('Address', { exact: true }).fill('5 avenue Foch');
    await page.getByLabel('City').fill('Paris');
    await page.getByLabel('Postal code').fill('75016');
    await page.getByLabel('Country code (e.g. US)').fill('FR');
    await page.getByRole('button', { name: 'Save corrections' }).click();
    await expect(page.getByText('Your details are corrected')).toBeVisible();
    await expect
      .poll(async () => (await customerByEmail(request, EMAIL))?.defaultAddress, { timeout: 15_000 })
      .toMatchObject({ address1: '5 avenue Foch', city: 'Paris', zip: '75016' });

    // Unsubscribe through the Customer Account API: the emulator's customer changes, the ledger records it.
    const email = page.getByLabel('Send me news and offers by email.');
    await expect(email).toBeChecked();
    await email.uncheck();
    await expect(page.getByText('Your preference is saved.')).toBeVisible();
    await expect.poll(async () => (await customerByEmail(request, EMAIL))?.defaultEmailAddress?.marketingState).toBe('UNSUBSCRIBED');
    await expect(page.getByText(/Email · withdrawn · “Send me news and offers by email\.”/)).toBeVisible();
    expect(await axe(page)).toEqual([]);

    // Delete: refused until confirmed, then everything held is gone.
    await page.getByRole('button', { name: 'Delete my data' }).click();
    await expect(page.getByText('Tick the box to confirm first.')).toBeVisible();
    await page.getByLabel('I understand that this cannot be undone.').check();
    await page.getByRole('button', { name: 'Delete my data' }).click();
    await expect(page.getByText('We hold nothing about you.')).toBeVisible();
    await expect(page.getByText('Your data is deleted.')).toBeVisible();
  });

  test('the profile block edits the app fields of the customer, in French, with no axe violation', async ({ page, request }) => {
    await page.goto('/account-preview?target=profile&locale=fr');
    await expect(page.getByRole('heading', { name: 'Mieux vous connaître' })).toBeVisible();
    await page.getByLabel('Entreprise').fill('Durand & Fils');
    // Not the birthday: cart.spec's buyer is this same dev customer and expects the birthday its cart answer writes.
    await page.getByLabel('Instructions de livraison').fill('Sonner deux fois');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await expect(page.getByText('Enregistré.')).toBeVisible();
    const fields = ((await customerByEmail(request, EMAIL))?.metafields?.nodes ?? []) as Array<{ key: string; value: string }>;
    expect(Object.fromEntries(fields.map((m) => [m.key, m.value]))).toMatchObject({ company: 'Durand & Fils', delivery_notes: 'Sonner deux fois' });
    expect(await axe(page)).toEqual([]);
  });
});
