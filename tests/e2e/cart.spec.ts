import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { customerByEmail } from './helpers.js';

/**
 * The cart page block in Chromium: its inputs ride in the theme's cart form as cart attributes, are checked before
 * checkout, work from the keyboard, and (through the local checkout stand-in and the orders/create webhook) reach the
 * buyer's customer record when they consented.
 */
const settings = {
  field_birthday: 'required',
  field_heard_about: 'optional',
  heard_about_options: 'Instagram\nA friend\nA magazine',
  custom_1_type: 'number',
  custom_1_label: 'Shoe size',
  custom_1_key: 'shoe_size',
};

test('cart answers are checked before checkout, posted as cart attributes, and reach the customer with consent', async ({ page, request }) => {
  await page.goto(`/cart?settings=${encodeURIComponent(JSON.stringify(settings))}`);
  const block = page.getByRole('group', { name: 'A few questions' });
  await expect(block).toBeVisible();
  const violations = (await new AxeBuilder({ page }).include('.cc--cart').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze())
    .violations;
  expect(violations.map((v) => v.id)).toEqual([]);

  // Nothing filled in: the required birthday stops checkout and takes the focus.
  await page.getByRole('button', { name: 'Check out' }).click();
  const birthday = block.getByLabel('Birthday');
  await expect(birthday).toBeFocused();
  await expect(birthday).toHaveAttribute('aria-invalid', 'true');
  await expect(block.getByText('This field is required.')).toBeVisible();
  await expect(page).toHaveURL(/\/cart/);

  // From the keyboard: type, choose, tick, and check out.
  await birthday.fill('1988-07-14');
  // Leaving the field by keyboard clears its mark: it is checked again as the shopper corrects it.
  await block.getByLabel('How did you hear about us?').focus();
  await expect(birthday).toHaveAttribute('aria-invalid', 'false');
  await block.getByLabel('How did you hear about us?').selectOption('A magazine');
  await block.getByLabel('Shoe size').fill('big');
  await block.getByLabel('Keep these answers on my customer profile.').focus();
  await page.keyboard.press('Space');
  await page.getByRole('button', { name: 'Check out' }).click();
  await expect(block.getByLabel('Shoe size')).toHaveAttribute('aria-invalid', 'true');
  await block.getByLabel('Shoe size').fill('42');
  await page.getByRole('button', { name: 'Check out' }).focus();
  await page.keyboard.press('Enter');

  await expect(page).toHaveURL(/\/checkout-preview/);
  const cart = (await (await request.get('/cart.json')).json()) as { attributes: Record<string, string> };
  expect(cart.attributes).toMatchObject({
    cc_birthday: '1988-07-14',
    cc_heard_about: 'A magazine',
    cc_custom_shoe_size: '42',
    cc_custom_kinds: 'shoe_size:number',
    cc_consent: 'yes',
    cc_consent_text: 'Keep these answers on my customer profile.',
    cc_source: 'cart',
    cc_locale: 'en',
  });
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect(page.getByText('The app answered the orders/create webhook with HTTP 200.')).toBeVisible();

  await expect
    .poll(
      async () => {
        const customer = await customerByEmail(request, 'pierre.durand@example.com');
        return Object.fromEntries(((customer?.metafields.nodes ?? []) as Array<{ key: string; value: string }>).map((m) => [m.key, m.value]));
      },
      { timeout: 15_000 },
    )
    .toMatchObject({ birthday: '1988-07-14', heard_about: 'A magazine', shoe_size: '42' });
});

test('an answer removed from the cart and consent untaken: nothing more reaches the customer', async ({ page, request }) => {
  await page.goto(`/cart?settings=${encodeURIComponent(JSON.stringify({ ...settings, field_birthday: 'optional' }))}`);
  const block = page.getByRole('group', { name: 'A few questions' });
  await block.getByLabel('How did you hear about us?').selectOption('A friend');
  await page.getByRole('button', { name: 'Update' }).click();
  await expect(block.getByLabel('How did you hear about us?')).toHaveValue('A friend');
  await expect(block.getByLabel('Keep these answers on my customer profile.')).not.toBeChecked();
  const cart = (await (await request.get('/cart.json')).json()) as { attributes: Record<string, string> };
  expect(cart.attributes.cc_heard_about).toBe('A friend');
  expect(cart.attributes.cc_consent).toBeUndefined();
});
