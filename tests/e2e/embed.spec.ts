import AxeBuilder from '@axe-core/playwright';
import { type Page, expect, test } from '@playwright/test';
import { leadFor, unique } from './helpers.js';

/**
 * The app embed in the storefront preview (`?embed=` its settings, as Theme settings > App embeds would set them):
 * popups on delay and exit intent, the floating button, marked links, frequency capping with and without the
 * Customer Privacy API's permission, the dialog by keyboard alone, axe open and closed, and the theme editor.
 */
const url = (embed: Record<string, unknown>, extra = '', path = '/') => `${path}?blocks=0&embed=${encodeURIComponent(JSON.stringify(embed))}${extra}`;
const POPUP = { embed_style: 'popup', embed_trigger: 'delay', embed_delay: 0, embed_days: 7 };
const MEMORY = 'contact-capture:embed:embed1';

async function axe(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
const dialog = (page: Page) => page.getByRole('dialog', { name: 'Contact us' });
const focusInDialog = (page: Page) => page.evaluate(() => !!document.activeElement?.closest('dialog[open]'));

test.describe('app embed', () => {
  test('a popup opens after its delay, modal and labelled, and closes with Escape', async ({ page }) => {
    await page.goto(url({ ...POPUP, embed_delay: 1 }));
    await expect(dialog(page)).toBeHidden();
    await expect(dialog(page)).toBeVisible({ timeout: 5_000 });
    await expect(dialog(page)).toHaveAttribute('aria-modal', 'true');
    expect(await focusInDialog(page)).toBe(true);
    // The page behind is inert: its links cannot be clicked or focused.
    // The page behind is inert: a link there cannot take focus.
    expect(await page.evaluate(() => document.querySelector('dialog')?.matches(':modal'))).toBe(true);
    expect(
      await page.evaluate(() => {
        const link = document.querySelector<HTMLElement>('header a');
        link?.focus();
        return document.activeElement === link;
      }),
    ).toBe(false);
    expect(await axe(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await expect(dialog(page)).toBeHidden();
    expect(await axe(page)).toEqual([]);
  });

  test('exit intent opens the popup when the mouse leaves through the top of the window', async ({ page }) => {
    await page.goto(url({ ...POPUP, embed_trigger: 'exit' }));
    await page.mouse.move(300, 200);
    await page.waitForTimeout(300);
    await expect(dialog(page)).toBeHidden();
    // The browser reports leaving the viewport as a mouseout with no related target above the top edge.
    await page.evaluate(() => document.dispatchEvent(new MouseEvent('mouseout', { clientX: 300, clientY: -1, bubbles: true })));
    await expect(dialog(page)).toBeVisible();
  });

  test('a scroll-depth popup waits for the shopper to scroll that far', async ({ page }) => {
    await page.setViewportSize({ width: 800, height: 300 });
    // With the contact block on the page, so that there is something to scroll.
    await page.goto(`/?embed=${encodeURIComponent(JSON.stringify({ ...POPUP, embed_trigger: 'scroll', embed_scroll: 100 }))}`);
    await page.waitForTimeout(300);
    await expect(dialog(page)).toBeHidden();
    await page.mouse.move(200, 150);
    await page.mouse.wheel(0, 400);
    await page.waitForTimeout(300);
    await expect(dialog(page)).toBeHidden();
    await page.mouse.wheel(0, 10_000);
    await expect(dialog(page)).toBeVisible();
  });

  test('the floating button works with the keyboard alone: focus trapped, a lead sent, focus returned', async ({ page, request }) => {
    const email = unique('fab');
    await page.goto(url({ embed_style: 'button' }));
    const fab = page.getByRole('button', { name: 'Contact us' });
    await expect(fab).toBeVisible();
    expect(await axe(page)).toEqual([]);
    await fab.focus();
    await page.keyboard.press('Enter');
    await expect(dialog(page)).toBeVisible();
    expect(await focusInDialog(page)).toBe(true);
    // Tab and Shift+Tab go round inside the dialog.
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press('Tab');
      expect(await focusInDialog(page)).toBe(true);
    }
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Shift+Tab');
      expect(await focusInDialog(page)).toBe(true);
    }
    await dialog(page).getByRole('textbox', { name: 'Email' }).focus();
    await page.keyboard.type(email);
    await dialog(page).getByRole('button', { name: 'Send' }).focus();
    await page.keyboard.press('Enter');
    await expect(dialog(page).getByRole('status')).toHaveText("Thanks for contacting us. We'll get back to you as soon as possible.");
    expect(await axe(page)).toEqual([]);
    await dialog(page).getByRole('button', { name: 'Close' }).focus();
    await page.keyboard.press('Enter');
    await expect(dialog(page)).toBeHidden();
    await expect(fab).toBeFocused();
    const lead = await leadFor(request, email);
    expect(lead.locale).toBe('en');
  });

  test('a link marked #contact-capture opens the form, in the shopper language', async ({ page }) => {
    await page.goto(url({ embed_style: 'link' }, '', '/fr/'));
    await expect(page.getByRole('button', { name: 'Nous contacter' })).toHaveCount(0);
    await page.evaluate(() => {
      const a = Object.assign(document.createElement('a'), { href: '#contact-capture', textContent: 'Écrivez-nous' });
      document.querySelector('main')?.append(a);
    });
    await page.getByRole('link', { name: 'Écrivez-nous' }).click();
    const fr = page.getByRole('dialog', { name: 'Nous contacter' });
    await expect(fr).toBeVisible();
    await expect(fr.getByRole('button', { name: 'Fermer' })).toBeVisible();
    expect(await axe(page)).toEqual([]);
  });

  test('with preferences allowed, the popup is remembered for N days and never shown again after a message', async ({ page }) => {
    await page.goto(url(POPUP, '&privacy=granted'));
    await expect(dialog(page)).toBeVisible();
    const memory = JSON.parse((await page.evaluate((k) => localStorage.getItem(k), MEMORY)) ?? '{}') as { at?: number };
    expect(memory.at).toBeGreaterThan(Date.now() - 60_000);
    await page.reload();
    await page.waitForTimeout(800);
    await expect(dialog(page)).toBeHidden();
    // N days later it shows again...
    await page.evaluate((k) => localStorage.setItem(k, JSON.stringify({ at: Date.now() - 8 * 864e5 })), MEMORY);
    await page.reload();
    await expect(dialog(page)).toBeVisible();
    await dialog(page).getByRole('textbox', { name: 'Email' }).fill(unique('capped'));
    await dialog(page).getByRole('button', { name: 'Send' }).click();
    await expect(dialog(page).getByRole('status')).toContainText('Thanks');
    // ...but never after the shopper has written, however long ago it last showed.
    await page.evaluate((k) => localStorage.setItem(k, JSON.stringify({ ...JSON.parse(localStorage.getItem(k) ?? '{}'), at: 1 })), MEMORY);
    await page.reload();
    await page.waitForTimeout(800);
    await expect(dialog(page)).toBeHidden();
  });

  test('without preferences permission (denied, or no API) nothing is stored: once per page view', async ({ page }) => {
    for (const extra of ['&privacy=denied', '']) {
      await page.goto(url(POPUP, extra));
      await expect(dialog(page)).toBeVisible();
      await page.keyboard.press('Escape');
      await expect(dialog(page)).toBeHidden();
      await page.waitForTimeout(300);
      await expect(dialog(page)).toBeHidden();
      expect(await page.evaluate(() => ({ ...localStorage }))).toEqual({});
      expect(await page.evaluate(() => document.cookie)).toBe('');
      await page.reload();
      await expect(dialog(page)).toBeVisible();
    }
  });

  test("counts a view with the block's beacon when the form opens, never at page load, once per page view", async ({ page }) => {
    const views: string[] = [];
    page.on('request', (r) => new URL(r.url()).pathname === '/apps/contact-capture/view' && views.push(r.postData() ?? ''));
    await page.goto(url({ embed_style: 'button' }));
    await page.waitForLoadState('networkidle');
    expect(views).toEqual([]);
    const fab = page.getByRole('button', { name: 'Contact us' });
    await fab.click();
    await expect(dialog(page)).toBeVisible();
    await expect.poll(() => views).toEqual(['form_id=embed1']);
    await page.keyboard.press('Escape');
    await fab.click();
    await expect(dialog(page)).toBeVisible();
    await page.keyboard.press('Escape');
    await page.waitForLoadState('networkidle');
    expect(views).toEqual(['form_id=embed1']);
    // A popup counts when it opens, the same way.
    await page.goto(url(POPUP));
    await expect(dialog(page)).toBeVisible();
    await expect.poll(() => views.length).toBe(2);
  });

  test('nothing at all where it is not targeted, and never on account pages', async ({ page }) => {
    const scripts: string[] = [];
    page.on('request', (r) => r.url().includes('contact-embed') && scripts.push(r.url()));
    await page.goto(url({ embed_style: 'button', embed_pages: 'product' }));
    await page.waitForLoadState('networkidle');
    expect(await page.locator('[data-cc-embed], .cc-embed__fab, body style, body script').count()).toBe(0);
    await page.goto(url({ embed_style: 'button', embed_pages: 'all' }, '', '/account'));
    await page.waitForLoadState('networkidle');
    expect(await page.locator('[data-cc-embed]').count()).toBe(0);
    expect(scripts).toEqual([]);
    await page.goto(url({ embed_style: 'button', embed_pages: 'product' }, '', '/products/silk-scarf'));
    await expect(page.getByRole('button', { name: 'Contact us' })).toBeVisible();
  });
});

test.describe('theme editor (request.design_mode)', () => {
  test('the block shows the sample error or success state the merchant picks, and never posts', async ({ page }) => {
    const posts: string[] = [];
    page.on('request', (r) => r.method() === 'POST' && posts.push(r.url()));
    await page.goto(`/?design=1&settings=${encodeURIComponent(JSON.stringify({ editor_preview: 'errors' }))}`);
    const form = page.getByRole('form', { name: 'Contact us' });
    await expect(form.getByRole('textbox', { name: 'Email' })).toHaveAttribute('aria-invalid', 'true');
    await expect(form.getByText('Enter an email address like name@example.com.').first()).toBeVisible();
    await page.goto(`/?design=1&settings=${encodeURIComponent(JSON.stringify({ editor_preview: 'success' }))}`);
    await expect(form.getByRole('status')).toHaveText("Thanks for contacting us. We'll get back to you as soon as possible.");
    await page.goto('/?design=1');
    await form.getByRole('textbox', { name: 'Email' }).fill(unique('editor'));
    await form.getByRole('button', { name: 'Send' }).click();
    await expect(form.getByRole('status')).toHaveText("Thanks for contacting us. We'll get back to you as soon as possible.");
    await page.waitForTimeout(300);
    expect(posts).toEqual([]);
  });

  test('the embed opens at once in the editor, on any page, without trapping the editor', async ({ page }) => {
    await page.goto(url({ ...POPUP, embed_delay: 30, embed_pages: 'product' }, '&design=1&privacy=granted'));
    const editorDialog = page.getByRole('dialog', { name: 'Contact us' });
    await expect(editorDialog).toBeVisible();
    expect(await page.evaluate(() => document.querySelector('dialog')?.matches(':modal'))).toBe(false);
    expect(await page.evaluate(() => ({ ...localStorage }))).toEqual({});
  });
});
