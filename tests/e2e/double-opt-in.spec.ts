import AxeBuilder from '@axe-core/playwright';
import { type APIRequestContext, expect, test } from '@playwright/test';
import { customerByEmail, unique } from './helpers.js';

/**
 * Double opt-in end to end, as a German shopper lives it: the block (real Liquid, double opt-in on) in German, the
 * confirmation mail in the local mailbox, the link's page that confirms nothing by itself (mail scanners open links),
 * the button that does, and the emulated Shopify customer subscribed as CONFIRMED_OPT_IN at the confirmation time.
 */
interface Caught {
  envelope: { to: string[] };
  subject: string;
  text: string;
}

interface Lead {
  id: string;
  email: string;
  status: string;
  double_opt_in: string | null;
  double_opt_in_confirmed_at: string | null;
}

async function leadOf(request: APIRequestContext, email: string): Promise<Lead | undefined> {
  const { token } = (await (await request.get('/dev/session-token')).json()) as { token: string };
  const response = await request.get(`/api/leads?limit=100&q=${encodeURIComponent(email)}`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status()).toBe(200);
  return ((await response.json()) as { leads: Lead[] }).leads.find((l) => l.email === email);
}

test('a German shopper confirms by the button on the e-mailed link, and Shopify gets CONFIRMED_OPT_IN at that time', async ({ page, request }) => {
  const email = unique('juergen.doi');
  await page.goto(`/de/?settings=${encodeURIComponent(JSON.stringify({ double_opt_in: true, double_opt_in_days: 7 }))}`);
  const form = page.getByRole('form', { name: 'Kontakt' });
  await form.getByRole('textbox', { name: 'E-Mail' }).fill(email);
  await form.getByLabel(/Ich möchte Neuigkeiten und Angebote per E-Mail erhalten/).check();
  await form.getByRole('button', { name: 'Senden' }).click();
  await expect(form.getByRole('status')).toContainText('Danke für Ihre Nachricht');

  // The confirmation mail, in German, in the local mailbox.
  let mail: Caught | undefined;
  await expect
    .poll(
      async () => {
        const { messages } = (await (await request.get('/dev/mail.json')).json()) as { messages: Caught[] };
        mail = messages.find((m) => m.envelope.to.includes(email));
        return mail?.subject ?? null;
      },
      { timeout: 15_000 },
    )
    .toMatch(/^Bitte bestätigen Sie Ihre Anmeldung/);
  const link = new URL(/https?:\/\/\S+\/apps\/contact-capture\/confirm\?\S+/.exec(mail!.text)![0]);

  // The link's page shows a button and confirms nothing by itself.
  await page.goto(`${link.pathname}${link.search}`);
  await expect(page.getByRole('heading', { name: 'Anmeldung bestätigen' })).toBeVisible();
  const waiting = await leadOf(request, email);
  expect(waiting?.double_opt_in).toBe('pending');
  expect(await customerByEmail(request, email)).toBeNull();

  // Keyboard: the button takes focus and Enter confirms.
  const confirm = page.getByRole('button', { name: 'Bestätigen' });
  await confirm.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status')).toHaveText('Vielen Dank, Ihre Anmeldung ist bestätigt.');

  let lead: Lead | undefined;
  await expect
    .poll(
      async () => {
        lead = await leadOf(request, email);
        return lead?.status;
      },
      { timeout: 15_000 },
    )
    .toBe('synced');
  expect(lead?.double_opt_in).toBe('confirmed');
  const customer = (await customerByEmail(request, email)) as {
    defaultEmailAddress: { marketingState: string; marketingOptInLevel: string; marketingUpdatedAt: string };
  };
  expect(customer.defaultEmailAddress).toMatchObject({ marketingState: 'SUBSCRIBED', marketingOptInLevel: 'CONFIRMED_OPT_IN' });
  expect(Date.parse(customer.defaultEmailAddress.marketingUpdatedAt)).toBe(Date.parse(lead!.double_opt_in_confirmed_at!));
});

test('the owner sets double opt-in for one form from the E-mail tab by keyboard, and the card has no axe violation', async ({ page }) => {
  await page.goto('/app');
  await page.getByRole('button', { name: 'E-mail', exact: true }).click();
  const card = page.getByRole('region', { name: 'Double opt-in' }).or(page.locator('section', { has: page.getByRole('heading', { name: 'Double opt-in' }) }));
  await expect(card.getByRole('group', { name: 'All forms' }).getByLabel('Require double opt-in')).not.toBeChecked();
  const one = card.getByRole('group', { name: 'One form' });
  const formId = `doi-e2e-${Date.now().toString(36)}`;
  await one.getByLabel('Form id').focus();
  await page.keyboard.type(formId);
  await page.keyboard.press('Tab'); // Require double opt-in (ticked by default for a form of its own)
  await expect(one.getByLabel('Require double opt-in')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(one.getByLabel('Link valid for (days, 1–30)')).toBeFocused();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('31');
  await one.getByRole('button', { name: 'Save for this form' }).press('Enter');
  await expect(one.getByLabel('Link valid for (days, 1–30)')).toHaveAttribute('aria-invalid', 'true');
  await expect(one.getByLabel('Link valid for (days, 1–30)')).toHaveAccessibleDescription('Enter a number of days from 1 to 30.');
  await one.getByLabel('Link valid for (days, 1–30)').fill('14');
  await one.getByRole('button', { name: 'Save for this form' }).press('Enter');
  await expect(card.getByRole('status')).toHaveText('Double opt-in setting saved.');
  await expect(card.getByRole('row', { name: new RegExp(formId) })).toContainText('14');
  const results = await new AxeBuilder({ page }).include('main').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => v.id)).toEqual([]);
  // Removed again, so the form follows all forms (off) as the other specs expect.
  await card.getByRole('button', { name: `Remove the setting of ${formId}` }).press('Enter');
  await expect(card.getByRole('status')).toHaveText('The form follows “All forms” again.');
  await expect(card.getByRole('row', { name: new RegExp(formId) })).toHaveCount(0);
});
