import AxeBuilder from '@axe-core/playwright';
import { type Page, expect, test } from '@playwright/test';
import { customerByEmail, leadFor, unique } from './helpers.js';

/** Conditional fields (schema/conditions.ts): the widget shows and hides, the server applies the same rules. */
const SETTINGS = {
  company: 'optional',
  message: 'hidden',
  custom_1_type: 'select',
  custom_1_label: 'Subject',
  custom_1_key: 'subject',
  custom_2_type: 'text',
  custom_2_label: 'Order number',
  custom_2_key: 'order_number',
  custom_3_type: 'checkbox',
  custom_3_label: 'I am a business',
  custom_3_key: 'business',
  custom_options: 'subject: An order, Something else',
  custom_required: 'order_number',
  conditions: 'order_number: subject = An order\ncompany: business',
};
const url = (settings: Record<string, unknown>, extra = '') => `/?settings=${encodeURIComponent(JSON.stringify(settings))}${extra}`;

async function axe(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const metafields = async (request: Parameters<typeof customerByEmail>[0], email: string): Promise<Record<string, string>> => {
  const customer = await customerByEmail(request, email);
  return Object.fromEntries(customer.metafields.nodes.map((m: { key: string; value: string }) => [m.key, m.value]));
};

test.describe('conditional fields, with JavaScript', () => {
  test('appear when their condition holds, are required only then, and what they held is not sent once hidden', async ({ page, request }) => {
    const email = unique('cond-js');
    await page.goto(url(SETTINGS));
    const form = page.getByRole('form');
    // Hidden from page load, before any interaction; the written conditions are for shoppers without the script.
    await expect(form.getByLabel('Order number')).toBeHidden();
    await expect(form.getByLabel('Company')).toBeHidden();
    await expect(form.getByText('Only if “Subject” is “An order”.')).toBeHidden();

    await form.getByRole('textbox', { name: 'Email' }).fill(email);
    await form.getByLabel('Subject').selectOption('An order');
    await expect(form.getByLabel('Order number')).toBeVisible();
    await expect(page.locator('[data-cc-live]')).toHaveText('More questions appeared: Order number');
    expect(await axe(page)).toEqual([]);

    await form.getByRole('button', { name: 'Send' }).click();
    await expect(form.getByLabel('Order number')).toHaveAccessibleDescription('This field is required.');
    await expect(form.getByLabel('Order number')).toBeFocused();

    // Typed, then no longer relevant: hidden, not required, and its value never leaves the page.
    await form.getByLabel('Order number').fill('#1001');
    await form.getByLabel('Subject').selectOption('Something else');
    await expect(form.getByLabel('Order number')).toBeHidden();
    await form.getByLabel('I am a business').check();
    await expect(form.getByLabel('Company')).toBeVisible();
    await form.getByLabel('Company').fill('Atelier Zoé');
    await form.getByLabel(/Email me news/).check();
    const posted = page.waitForRequest((r) => r.url().includes('/apps/contact-capture/submit'));
    await form.getByRole('button', { name: 'Send' }).click();
    const body = JSON.parse((await posted).postData() ?? '{}') as Record<string, unknown>;
    expect(body).not.toHaveProperty('custom.order_number');
    expect(body).toMatchObject({ 'custom.subject': 'Something else', company: 'Atelier Zoé', 'custom.business': true });
    await expect(form.getByRole('status')).toContainText('Thanks for contacting us');
    // After the form resets, the fields that depend on a cleared answer hide again.
    await expect(form.getByLabel('Company')).toBeHidden();

    await leadFor(request, email, 'synced');
    const mf = await metafields(request, email);
    expect(mf).toMatchObject({ subject: 'Something else', business: 'true', company: 'Atelier Zoé' });
    expect(mf).not.toHaveProperty('order_number');
  });

  test('in the theme editor, a rule naming a field the form does not have is listed for the merchant', async ({ page }) => {
    await page.goto(url({ ...SETTINGS, conditions: 'vat_number: subject = An order\ncompany business' }, '&design_mode=1'));
    const alert = page.getByRole('alert').filter({ hasText: 'Conditional fields' });
    await expect(alert).toContainText('Line 1: this form has no field named “vat_number”.');
    await expect(alert).toContainText('Line 2: write a rule as “field: other field = value”.');
    // Shoppers never see it.
    await page.goto(url({ ...SETTINGS, conditions: 'vat_number: subject = An order' }));
    await expect(page.getByText('this form has no field named')).toHaveCount(0);
  });
});

test.describe('conditional fields, without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('every field shows with its condition beside it, and the server applies the rule', async ({ page, request }) => {
    await page.goto(url(SETTINGS));
    const form = page.getByRole('form');
    await expect(form.getByLabel('Order number')).toBeVisible();
    await expect(form.getByLabel('Order number')).toHaveAccessibleDescription('Only if “Subject” is “An order”.');
    await expect(form.getByLabel('Company')).toHaveAccessibleDescription('Only if “I am a business” is ticked or filled in.');

    // The condition holds and the field is empty: the answer page asks for it, with its condition, in the theme.
    const email = unique('cond-nojs');
    await form.getByRole('textbox', { name: 'Email' }).fill(email);
    await form.getByLabel('Subject').selectOption('An order');
    await form.getByRole('button', { name: 'Send' }).click();
    const again = page.getByRole('form');
    await expect(again.getByLabel('Order number')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByText('Only if “Subject” is “An order”.')).toBeVisible();

    // It no longer holds: a hidden required field never blocks, and what it held is dropped.
    await again.getByLabel('Subject').selectOption('Something else');
    await again.getByLabel('Order number').fill('#2002');
    await again.getByRole('button', { name: 'Send' }).click();
    await expect(page.getByRole('heading', { name: 'Message sent' })).toBeVisible();
    await leadFor(request, email);
  });
});

test.describe('the storefront preview settings panel (local only)', () => {
  test('tries a combination of settings without editing the URL by hand', async ({ page }) => {
    await page.goto('/fr/');
    await page.getByRole('link', { name: 'Preview settings (local only)' }).click();
    const panel = page.getByRole('form', { name: 'Preview settings' });
    await panel.getByLabel('company', { exact: true }).selectOption('required');
    await panel.getByLabel('custom_1_type', { exact: true }).selectOption('checkbox');
    await panel.getByLabel('custom_1_label', { exact: true }).fill('Je suis une entreprise');
    await panel.getByLabel('custom_1_key', { exact: true }).fill('business');
    await panel.getByLabel('conditions', { exact: true }).fill('company: business');
    await panel.getByRole('button', { name: 'Apply' }).click();
    await expect(page).toHaveURL(/\/fr\/\?panel=1&/);
    const form = page.getByRole('form', { name: 'Nous contacter' });
    await expect(form.locator('[data-cc-field="company"]')).toBeHidden();
    await form.getByLabel('Je suis une entreprise').check();
    await expect(form.locator('[data-cc-field="company"]')).toBeVisible();
    // The panel keeps what was applied.
    await expect(page.getByRole('form', { name: 'Preview settings' }).getByLabel('company', { exact: true })).toHaveValue('required');
  });
});
