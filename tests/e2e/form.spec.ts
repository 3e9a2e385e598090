import AxeBuilder from '@axe-core/playwright';
import { type Page, expect, test } from '@playwright/test';
import { customerByEmail, leadFor, unique } from './helpers.js';

const withSettings = (settings: Record<string, unknown>, extra = '') => `/?settings=${encodeURIComponent(JSON.stringify(settings))}${extra}`;

const CUSTOM = {
  company: 'required',
  first_name: 'hidden',
  birthday: 'optional',
  custom_1_type: 'select',
  custom_1_label: 'How did you hear about us?',
  custom_1_key: 'how_heard',
  custom_2_type: 'number',
  custom_2_label: 'Team size',
  custom_2_key: 'team_size',
  custom_3_type: 'date',
  custom_3_label: 'Preferred date',
  custom_3_key: 'visit_date',
  custom_4_type: 'checkbox',
  custom_4_label: 'I am a professional',
  custom_4_key: 'is_pro',
  custom_5_type: 'textarea',
  custom_5_label: 'Anything else?',
  custom_5_key: 'notes',
  custom_6_type: 'text',
  custom_6_label: 'Order number',
  custom_6_key: 'order_ref',
  custom_options: 'how_heard: Friend, Instagram, Search',
  custom_required: 'how_heard',
  field_text: 'message: Your question | How can we help?',
};

async function axe(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test.describe('what a merchant configures', () => {
  test('shows, hides and requires fields per settings, and every custom field kind is validated and stored', async ({ page, request }) => {
    const email = unique('custom');
    await page.goto(withSettings(CUSTOM));
    const form = page.getByRole('form');
    await expect(form.getByLabel('First name')).toHaveCount(0);
    await expect(form.getByLabel('Your question')).toHaveAttribute('placeholder', 'How can we help?');
    await form.getByRole('textbox', { name: 'Email' }).fill(email);
    await form.getByLabel('Team size').fill('a dozen');
    await form.getByLabel('Preferred date').fill('2026-12-24');
    await form.getByRole('button', { name: 'Send' }).click();
    // Company is required by the settings, the choice is a required custom field, the number is not a number.
    await expect(form.getByLabel('Company')).toHaveAttribute('aria-invalid', 'true');
    await expect(form.getByLabel('Company')).toBeFocused();
    await expect(form.getByLabel('How did you hear about us?')).toHaveAccessibleDescription('This field is required.');
    await expect(form.getByLabel('Team size')).toHaveAccessibleDescription('This value is not valid.');
    await form.getByLabel('Company').fill('Atelier Zoé');
    await form.getByLabel('How did you hear about us?').selectOption('Instagram');
    await form.getByLabel('Team size').fill('12');
    await form.getByLabel('I am a professional').check();
    await form.getByLabel('Anything else?').fill('Line one\nLine two');
    await form.getByLabel('Order number').fill('#1042');
    await form.getByLabel(/Email me news/).check();
    await form.getByRole('button', { name: 'Send' }).click();
    await expect(form.getByRole('status')).toContainText('Thanks for contacting us');
    const lead = await leadFor(request, email, 'synced');
    const customer = await customerByEmail(request, email);
    const mf = Object.fromEntries(customer.metafields.nodes.map((m: { key: string; value: string }) => [m.key, m.value]));
    expect(mf).toMatchObject({
      company: 'Atelier Zoé',
      how_heard: 'Instagram',
      team_size: '12',
      visit_date: '2026-12-24',
      is_pro: 'true',
      notes: 'Line one\nLine two',
      order_ref: '#1042',
    });
    expect(lead.email).toBe(email);
  });

  test('two blocks on one page work independently', async ({ page, request }) => {
    const email = unique('second-block');
    await page.goto('/?blocks=2');
    const forms = page.getByRole('form', { name: 'Contact us' });
    await expect(forms).toHaveCount(2);
    const second = forms.nth(1);
    await second.getByRole('textbox', { name: 'Email' }).fill(email);
    await second.getByRole('button', { name: 'Send' }).click();
    await expect(second.getByRole('status')).toContainText('Thanks for contacting us');
    await expect(forms.nth(0).getByRole('status')).toHaveText('');
    await expect(forms.nth(0).locator('[aria-invalid="true"]')).toHaveCount(0);
    expect((await leadFor(request, email)).email).toBe(email);
  });

  test('a logged-in customer finds the form prefilled, and the lead is linked to them', async ({ page, request }) => {
    await page.goto('/?customer=7001');
    const form = page.getByRole('form', { name: 'Contact us' });
    await expect(form.getByLabel('First name')).toHaveValue('Pierre');
    await expect(form.getByRole('textbox', { name: 'Email' })).toHaveValue('pierre.durand@example.com');
    const marker = `moved-${Date.now()}`;
    await form.getByLabel('Message').fill(`I have moved (${marker}).`);
    await form.getByRole('button', { name: 'Send' }).click();
    await expect(form.getByRole('status')).toContainText('Thanks for contacting us');
    await expect
      .poll(async () => {
        const { token } = (await (await request.get('/dev/session-token')).json()) as { token: string };
        const { leads } = (await (await request.get('/api/leads?limit=100', { headers: { authorization: `Bearer ${token}` } })).json()) as {
          leads: Array<{ message: string; logged_in_customer_id: string }>;
        };
        return leads.find((l) => l.message?.includes(marker))?.logged_in_customer_id;
      })
      .toBe('7001');
  });
});

test.describe('what every shopper can use', () => {
  test('keyboard only, from the first field to the confirmation', async ({ page, request }) => {
    const email = unique('keyboard');
    await page.goto('/');
    await page.locator('body').focus();
    const form = page.getByRole('form', { name: 'Contact us' });
    await form.getByLabel('First name').focus();
    await page.keyboard.type('Kim');
    await page.keyboard.press('Tab'); // last name
    await page.keyboard.press('Tab'); // email
    await page.keyboard.type(email);
    await page.keyboard.press('Tab'); // phone
    await page.keyboard.press('Tab'); // message
    await page.keyboard.type('Typed without a mouse.');
    await page.keyboard.press('Tab'); // consent
    await expect(form.getByLabel(/Email me news/)).toBeFocused();
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab'); // the honeypot is out of the tab order: next is the privacy policy, then the button
    await expect(form.getByRole('link', { name: 'Privacy policy' })).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(form.getByRole('button', { name: 'Send' })).toBeFocused();
    await expect(form.getByRole('button', { name: 'Send' })).toHaveAccessibleDescription(/^We use your details only to answer your message/);
    await page.keyboard.press('Enter');
    await expect(form.getByRole('status')).toContainText('Thanks for contacting us');
    expect((await leadFor(request, email, 'synced')).first_name).toBe('Kim');
  });

  for (const [path, name, send] of [
    ['/', 'Contact us', 'Send'],
    ['/fr/', 'Nous contacter', 'Envoyer'],
  ] as const) {
    test(`axe finds no WCAG 2.2 AA violation in ${path}, before and after errors`, async ({ page }) => {
      await page.goto(withSettings({ ...CUSTOM, sms_consent_text: '<p>Text me offers.</p>' }, '').replace('/?', `${path}?`));
      expect(await axe(page)).toEqual([]);
      await page.getByRole('form', { name }).getByRole('button', { name: send }).click();
      await expect(page.locator('[data-cc-summary]')).toBeVisible();
      expect(await axe(page)).toEqual([]);
    });
  }

  test('a failed request can be retried and keeps its idempotency key: one lead', async ({ page, request }) => {
    const email = unique('retry');
    const keys: string[] = [];
    let first = true;
    await page.route('**/apps/contact-capture/submit', async (route) => {
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      if (first) {
        first = false;
        // The request reached the server and was stored, but the answer was lost on the way back.
        await route.fetch();
        await route.abort('connectionreset');
      } else {
        await route.continue();
      }
    });
    await page.goto('/');
    const form = page.getByRole('form', { name: 'Contact us' });
    await form.getByRole('textbox', { name: 'Email' }).fill(email);
    await form.getByRole('button', { name: 'Send' }).click();
    await expect(form.getByRole('status')).toContainText('could not be sent');
    await form.getByRole('button', { name: 'Try again' }).click();
    await expect(form.getByRole('status')).toContainText('Thanks for contacting us');
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    const { token } = (await (await request.get('/dev/session-token')).json()) as { token: string };
    const { leads } = (await (await request.get('/api/leads?limit=100', { headers: { authorization: `Bearer ${token}` } })).json()) as {
      leads: Array<{ email: string }>;
    };
    expect(leads.filter((l) => l.email === email)).toHaveLength(1);
  });

  test('the Preact UI takes over without moving anything (layout shift 0)', async ({ page }) => {
    await page.addInitScript(() => {
      (window as unknown as { __cls: number }).__cls = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as unknown as Array<{ value: number }>) (window as unknown as { __cls: number }).__cls += entry.value;
      }).observe({ type: 'layout-shift', buffered: true });
    });
    const ui = page.waitForResponse((r) => r.url().endsWith('contact-form-ui.js'));
    await page.goto('/');
    await page.getByRole('textbox', { name: 'Email' }).focus();
    await ui;
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { __cls: number }).__cls)).toBe(0);
  });
});

test.describe('without JavaScript, errors', () => {
  test.use({ javaScriptEnabled: false });

  test('come back next to the fields inside the theme, with what was typed, and the corrected form goes through', async ({ page, request }) => {
    const email = unique('nojs-fix');
    await page.goto(withSettings({ company: 'optional' }));
    const form = page.getByRole('form', { name: 'Contact us' });
    await form.getByLabel('Company').fill('Maison Bleue');
    // The browser's own check would stop a malformed email; bypass it as an old browser would.
    await form.evaluate((f) => ((f as HTMLFormElement).noValidate = true));
    await form.getByRole('textbox', { name: 'Email' }).fill('not-an-email');
    await form.getByRole('button', { name: 'Send' }).click();
    const again = page.getByRole('form');
    await expect(page.getByRole('alert')).toContainText('Please correct the following:');
    await expect(again.getByLabel('Company')).toHaveValue('Maison Bleue');
    const field = again.getByRole('textbox', { name: 'Email' });
    await expect(field).toHaveAttribute('aria-invalid', 'true');
    await expect(field).toHaveAccessibleDescription('Enter an email address like name@example.com.');
    await expect(page.locator('header')).toContainText('Élégance Parisienne');
    await field.fill(email);
    await again.getByRole('button', { name: 'Send' }).click();
    await expect(page.getByRole('heading', { name: 'Message sent' })).toBeVisible();
    expect((await leadFor(request, email)).email).toBe(email);
  });
});
