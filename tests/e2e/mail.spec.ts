import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';

/** A manager answers a lead from the workspace; the reply reaches the local mailbox (/dev/mail.json) once. */
const run = Date.now().toString(36);
const email = `ines.${run}@example.fr`;

interface Caught {
  envelope: { to: string[] };
  subject: string;
  text: string;
}

test('a manager replies from the lead detail, by keyboard, and the reply is in the mailbox once', async ({ page, request }) => {
  const submitted = await request.post('/apps/contact-capture/submit', {
    headers: { accept: 'application/json' },
    data: { rendered_at: Date.now() - 10_000, email, first_name: 'Inès', message: 'Avez-vous ce modèle en 38 ?', locale: 'fr', form_id: 'contact-page' },
  });
  expect(submitted.status()).toBe(202);
  const { id } = (await submitted.json()) as { id: string };

  await page.goto(`/app?staff=manager&lead=${id}`);
  const reply = page.getByRole('textbox', { name: 'Your reply' });
  await expect(reply).toBeVisible();
  await reply.focus();
  await page.keyboard.type(`Oui, en stock ${run}.`);
  await page.keyboard.press('Tab');
  const send = page.getByRole('button', { name: 'Send reply' });
  await expect(send).toBeFocused();
  // A double click is one reply: both clicks carry the same key.
  await send.dblclick();
  await expect(page.getByText('Your reply is queued and will be sent in a moment.')).toBeVisible();
  await expect(page.getByText('Reply sent to the shopper')).toHaveCount(1);

  await expect
    .poll(
      async () => {
        const { messages } = (await (await request.get('/dev/mail.json')).json()) as { messages: Caught[] };
        return messages.filter((m) => m.envelope.to.includes(email) && m.text.includes(`Oui, en stock ${run}.`)).length;
      },
      { timeout: 15_000 },
    )
    .toBe(1);
  const { messages } = (await (await request.get('/dev/mail.json')).json()) as { messages: Caught[] };
  expect(messages.find((m) => m.envelope.to.includes(email) && m.text.includes(run))!.subject).toMatch(/^Re : votre message à /);

  // The lead's e-mails show the reply as sent.
  await expect(async () => {
    await page.reload();
    await expect(page.locator('.mail-log')).toContainText('Reply · Sent', { timeout: 1000 });
  }).toPass({ timeout: 10_000 });
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
});
