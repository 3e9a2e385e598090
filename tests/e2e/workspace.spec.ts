import { createHmac } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { DEV_DEFAULTS } from '../../web/src/config.js';

test('the shop owner downloads a data-request package from the workspace, and delivery is recorded', async ({ page, request }) => {
  const email = `access.${Date.now()}@example.com`;
  await page.goto('/');
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('status').first()).toContainText('Thanks for contacting us');

  const payload = JSON.stringify({ shop_id: 1, shop_domain: DEV_DEFAULTS.SHOPIFY_DEV_SHOP, customer: { id: 1, email, phone: null }, data_request: { id: 1 } });
  const response = await request.post('/webhooks/customers/data_request', {
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': 'customers/data_request',
      'x-shopify-shop-domain': DEV_DEFAULTS.SHOPIFY_DEV_SHOP,
      'x-shopify-api-version': '2026-10',
      'x-shopify-webhook-id': `e2e-${Date.now()}`,
      'x-shopify-hmac-sha256': createHmac('sha256', DEV_DEFAULTS.SHOPIFY_API_SECRET).update(payload).digest('base64'),
    },
    data: payload,
  });
  expect(response.status()).toBe(200);

  await expect.poll(async () => {
    await page.goto('/app');
    return page.getByRole('button', { name: 'Download CSV' }).count();
  }, { timeout: 15_000 }).toBeGreaterThan(0);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download CSV' }).last().click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^data-request-.+\.csv$/);
  await expect(page.getByText('Package downloaded; delivery recorded.')).toBeVisible();
  await page.reload();
  await expect(page.locator('#requests tr').last()).not.toContainText('Not yet');
});
