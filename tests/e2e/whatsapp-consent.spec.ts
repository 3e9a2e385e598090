import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { customerByEmail, leadFor, unique } from './helpers.js';

const withSettings = (settings: Record<string, unknown>) => `/?settings=${encodeURIComponent(JSON.stringify(settings))}`;

test('WhatsApp consent: offered only with its wording, needs a phone, reaches the customer phone number', async ({ page, request }) => {
  await page.goto('/');
  await expect(page.getByRole('form', { name: 'Contact us' }).getByLabel(/WhatsApp/)).toHaveCount(0);

  const email = unique('whatsapp');
  await page.goto(withSettings({ whatsapp_consent_text: '<p>Send me offers on WhatsApp.</p>' }));
  const form = page.getByRole('form', { name: 'Contact us' });
  const box = form.getByRole('checkbox', { name: 'Send me offers on WhatsApp.' });
  await expect(box).not.toBeChecked();
  await form.getByRole('textbox', { name: 'Email' }).fill(email);
  await form.getByLabel(/Email me news/).check();
  await box.check();
  await form.getByRole('button', { name: 'Send' }).click();
  // The consent is held on a phone number: without one the widget asks for it, by keyboard focus and description.
  await expect(form.getByLabel('Phone')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByLabel('Phone')).toBeFocused();
  const violations = (await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze()).violations;
  expect(violations.map((v) => v.id)).toEqual([]);
  await form.getByLabel('Phone').fill('+33 6 55 44 33 22');
  await form.getByRole('button', { name: 'Send' }).click();
  await expect(form.getByRole('status')).toContainText('Thanks for contacting us');
  await leadFor(request, email, 'synced');
  const customer = await customerByEmail(request, email);
  expect(customer.defaultPhoneNumber.whatsAppMarketingConsent.state).toBe('SUBSCRIBED');
});
