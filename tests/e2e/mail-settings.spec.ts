import AxeBuilder from '@axe-core/playwright';
import { type APIRequestContext, type Page, expect, test } from '@playwright/test';

/**
 * The workspace's E-mail tab in Chromium: the owner sets a form's recipient and a daily digest by keyboard and sees it
 * saved; the digest of the form's leads then arrives in the local mailbox (/dev/mail.json) once. Others read only.
 */
const run = Date.now().toString(36);
const form = `news-${run}`;
const recipient = `team.${run}@shop.example`;

interface Caught {
  envelope: { to: string[] };
  subject: string;
  text: string;
  html: string;
}

async function submit(request: APIRequestContext, body: Record<string, unknown>): Promise<void> {
  const response = await request.post('/apps/contact-capture/submit', {
    headers: { accept: 'application/json' },
    data: { rendered_at: Date.now() - 10_000, form_id: form, ...body },
  });
  expect(response.status()).toBe(202);
}

async function openMailTab(page: Page, query = '') {
  await page.goto(`/app${query}`);
  const tab = page.getByRole('button', { name: 'E-mail', exact: true });
  await tab.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'E-mail', level: 1 })).toBeFocused();
}

const card = (page: Page) => page.locator('section.card', { has: page.getByRole('heading', { name: `Form “${form}”` }) });

test('the owner sets a recipient and a daily digest by keyboard; the digest arrives in the mailbox once', async ({ page, request }) => {
  // A first lead makes the form known to the workspace.
  await submit(request, { email: `first.${run}@example.com`, first_name: 'First', message: 'Before the digest was on' });
  await openMailTab(page);
  await expect(page.getByText('E-mail is set up and can go out.')).toBeVisible();
  const settings = card(page);
  await expect(settings).toBeVisible();

  const recipients = settings.getByRole('textbox', { name: 'Who is told about new leads' });
  await recipients.focus();
  await page.keyboard.type(recipient);
  // Tab reaches the mode's radio group on its checked option; the arrow keys choose within it.
  await page.keyboard.press('Tab');
  await expect(settings.getByRole('radio', { name: 'Off' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(settings.getByRole('radio', { name: 'A daily digest' })).toBeChecked();
  const save = settings.getByRole('button', { name: `Save e-mail settings of “${form}”` });
  for (let i = 0; i < 6 && !(await save.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(save).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: `E-mail settings of “${form}” saved.` })).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);

  // Saved: a fresh page shows it.
  await openMailTab(page);
  await expect(card(page).getByRole('textbox', { name: 'Who is told about new leads' })).toHaveValue(recipient);
  await expect(card(page).getByRole('radio', { name: 'A daily digest' })).toBeChecked();

  // A lead now sends nothing by itself; the day's digest, once due, lists it.
  await submit(request, { email: `zoe.${run}@example.com`, first_name: '<Zoé>', message: 'Une question & une autre' });
  const mailbox = async () =>
    ((await (await request.get('/dev/mail.json')).json()) as { messages: Caught[] }).messages.filter((m) => m.envelope.to.includes(recipient));
  expect(await mailbox()).toEqual([]);
  const due = await request.post('/dev/mail/digests/run-now');
  expect(due.status()).toBe(200);
  await expect.poll(async () => (await mailbox()).length, { timeout: 15_000 }).toBe(1);
  const [digest] = await mailbox();
  expect(digest!.subject).toMatch(new RegExp(`^2 new leads from ${form} – `));
  expect(digest!.text).toContain(`zoe.${run}@example.com`);
  expect(digest!.html).toContain('&lt;Zoé&gt;');
  // The period's one digest is done: nothing is left to make due.
  expect(await (await request.post('/dev/mail/digests/run-now')).json()).toEqual({ due: 0 });
  expect(await mailbox()).toHaveLength(1);
});

test('a viewer reads the e-mail settings and cannot change them', async ({ page }) => {
  await openMailTab(page, '?staff=viewer');
  await expect(page.getByText('Only the shop’s owner can change these settings.')).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'From address' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Save sender' })).toHaveCount(0);
  expect(await axeViolations(page)).toEqual([]);
});

async function axeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
