import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { DEV_DEFAULTS } from '../../web/server/config.js';
import { customerByEmail, leadFor, unique } from './helpers.js';

/** Issue 14 §3 in a real browser: a file attached through the form, on the customer as a file reference, gone with the lead. */
const withFile = `/?settings=${encodeURIComponent(JSON.stringify({ file_accept: 'images_pdf' }))}`;
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

async function fileExists(request: import('@playwright/test').APIRequestContext, id: string): Promise<boolean> {
  const response = await request.post('/admin/api/2026-10/graphql.json', {
    headers: { 'x-shopify-access-token': process.env.SHOPIFY_DEV_ACCESS_TOKEN ?? DEV_DEFAULTS.SHOPIFY_DEV_ACCESS_TOKEN },
    data: { query: 'query E2EFile($id: ID!) { node(id: $id) { id } }', variables: { id } },
  });
  return Boolean(((await response.json()) as { data: { node: unknown } }).data.node);
}

test('a file attached to the form is on the customer as a file reference and is deleted with the lead', async ({ page, request }) => {
  const email = unique('attach');
  await page.goto(withFile);
  const form = page.getByRole('form');
  await form.getByRole('textbox', { name: 'Email' }).fill(email);
  const file = form.getByLabel('Attach a file (optional)');
  await file.setInputFiles({ name: 'damaged parcel.png', mimeType: 'image/png', buffer: PNG });
  await expect(file).toHaveAccessibleDescription('File attached.');
  const violations = await new AxeBuilder({ page }).include('form').withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
  expect(violations.violations.map((v) => v.id)).toEqual([]);
  await form.getByLabel(/Email me news/).check();
  await form.getByRole('button', { name: 'Send' }).click();
  await expect(form.getByRole('status')).toContainText('Thanks for contacting us');
  await leadFor(request, email, 'synced');

  const customer = await customerByEmail(request, email);
  const attachment = customer.metafields.nodes.find((m: { key: string }) => m.key === 'attachment') as { type: string; value: string };
  expect(attachment.type).toBe('file_reference');
  expect(await fileExists(request, attachment.value)).toBe(true);

  const { token } = (await (await request.get('/dev/session-token')).json()) as { token: string };
  const list = (await (await request.get('/api/leads?limit=100', { headers: { authorization: `Bearer ${token}` } })).json()) as {
    leads: Array<{ id: string; email: string }>;
  };
  const id = list.leads.find((l) => l.email === email)!.id;
  expect((await request.delete(`/api/leads/${id}`, { headers: { authorization: `Bearer ${token}` } })).status()).toBe(204);
  await expect.poll(() => fileExists(request, attachment.value), { timeout: 15_000 }).toBe(false);
});

test('a file of the wrong type is refused in the browser, with the reason read out', async ({ page }) => {
  await page.goto(withFile);
  const file = page.getByRole('form').getByLabel('Attach a file (optional)');
  // As a shopper reaching the field: the focus loads the UI, which then checks the chosen file.
  await file.focus();
  await file.setInputFiles({ name: 'tool.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ') });
  await expect(file).toHaveAccessibleDescription('This type of file cannot be attached.');
  await expect(file).toHaveAttribute('aria-invalid', 'true');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });
  test('the file field says attaching needs JavaScript, and the form still sends', async ({ page, request }) => {
    const email = unique('nojs-file');
    await page.goto(withFile);
    const form = page.getByRole('form');
    await expect(form.getByLabel('Attach a file (optional)')).toHaveAccessibleDescription(/Attaching a file needs JavaScript/);
    await form.getByRole('textbox', { name: 'Email' }).fill(email);
    await form.getByRole('button', { name: 'Send' }).click();
    await leadFor(request, email);
  });
});
