import { expect, test } from '@playwright/test';
import { customerByEmail, leadFor, unique } from './helpers.js';

test.describe('storefront contact form, from shopper to Shopify customer', () => {
  test('an English shopper who consents becomes a customer with metafields and SUBSCRIBED consent', async ({ page, request }) => {
    const email = unique('ann');
    await page.goto('/');
    const form = page.getByRole('form', { name: 'Contact us' });
    await form.getByLabel('First name').fill('Ann');
    await form.getByLabel('Last name').fill('Smith');
    await form.getByRole('textbox', { name: 'Email' }).fill(email);
    await form.getByLabel('Message').fill('Do you ship to Lyon?');
    await form.getByLabel(/Email me news and offers/).check();
    await form.getByRole('button', { name: 'Send' }).click();
    await expect(form.getByRole('status')).toHaveText("Thanks for contacting us. We'll get back to you as soon as possible.");

    const lead = await leadFor(request, email, 'synced');
    expect(lead).toMatchObject({ email_consent: true, first_name: 'Ann', locale: 'en' });
    const customer = await customerByEmail(request, email);
    expect(customer.id).toBe(lead.shopify_customer_id);
    expect(customer.defaultEmailAddress.marketingState).toBe('SUBSCRIBED');
    const message = customer.metafields.nodes.find((m: { key: string }) => m.key === 'last_message');
    expect(message.value).toBe('Do you ship to Lyon?');
    const proof = JSON.parse(customer.metafields.nodes.find((m: { key: string }) => m.key === 'consent_proof').value);
    expect(proof.text).toBe('Email me news and offers. I can unsubscribe at any time.');
  });

  test('the block counts a view of each form on screen (the beacon carries the form id only)', async ({ page, request }) => {
    const views = async () => {
      const { token } = (await (await request.get('/dev/session-token')).json()) as { token: string };
      const report = (await (await request.get('/api/insights', { headers: { authorization: `Bearer ${token}` } })).json()) as {
        forms: Array<{ form: string; views: number }>;
      };
      return report.forms.reduce((n, f) => n + f.views, 0);
    };
    const before = await views();
    const beacon = page.waitForRequest((r) => r.url().includes('/apps/contact-capture/view'));
    await page.goto('/');
    const sent = await beacon;
    expect(sent.method()).toBe('POST');
    expect(sent.postData()).toMatch(/^form_id=[\w-]+$/);
    await expect.poll(views).toBe(before + 1);
  });

  test('a French shopper sees the form and the answer in French', async ({ page, request }) => {
    const email = unique('zoe');
    await page.goto('/fr/');
    const form = page.getByRole('form');
    await form.getByLabel('Prénom').fill('Zoé');
    await form.getByRole('textbox', { name: 'E-mail' }).fill(email);
    await form.getByLabel(/Je souhaite recevoir/).check();
    await form.getByRole('button', { name: 'Envoyer' }).click();
    await expect(form.getByRole('status')).toHaveText('Merci pour votre message. Nous vous répondrons dans les meilleurs délais.');
    const lead = await leadFor(request, email, 'synced');
    expect(lead.locale).toBe('fr');
    expect((await customerByEmail(request, email)).firstName).toBe('Zoé');
  });

  test('a shopper who does not consent is kept as a lead and never becomes a customer', async ({ page, request }) => {
    const email = unique('noconsent');
    await page.goto('/');
    const form = page.getByRole('form', { name: 'Contact us' });
    await form.getByRole('textbox', { name: 'Email' }).fill(email);
    await form.getByLabel('Message').fill('Just a question.');
    await expect(form.getByLabel(/Email me news and offers/)).not.toBeChecked();
    await form.getByRole('button', { name: 'Send' }).click();
    await expect(form.getByRole('status')).toContainText('Thanks for contacting us');
    expect((await leadFor(request, email, 'no_consent')).email_consent).toBe(false);
    // Give the worker every chance to (wrongly) sync before looking.
    await page.waitForTimeout(500);
    expect(await customerByEmail(request, email)).toBeNull();
  });

  test('shows an invalid email next to the field, in the summary, and moves focus to it', async ({ page }) => {
    await page.goto('/');
    const form = page.getByRole('form', { name: 'Contact us' });
    const email = form.getByRole('textbox', { name: 'Email' });
    await email.fill('not-an-email');
    await form.getByRole('button', { name: 'Send' }).click();
    await expect(email).toHaveAttribute('aria-invalid', 'true');
    await expect(email).toBeFocused();
    await expect(email).toHaveAccessibleDescription('Enter an email address like name@example.com.');
    await expect(form.locator('[data-cc-summary]')).toContainText('Please correct the following:');
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the Liquid form posts through the app proxy and the shopper sees the confirmation in the theme', async ({ page, request }) => {
    const email = unique('nojs');
    await page.goto('/fr/');
    const form = page.getByRole('form');
    await form.getByRole('textbox', { name: 'E-mail' }).fill(email);
    await form.getByLabel(/Je souhaite recevoir/).check();
    await form.getByRole('button', { name: 'Envoyer' }).click();
    await expect(page.getByRole('heading', { name: 'Message envoyé' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Revenir à la page précédente' })).toHaveAttribute('href', '/fr/');
    await expect(page.locator('header')).toContainText('Élégance Parisienne');
    expect((await leadFor(request, email, 'synced')).locale).toBe('fr');
  });
});
