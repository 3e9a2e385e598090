import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { type Browser, chromium } from '@playwright/test';
import lighthouse from 'lighthouse';
import { EXTENSION_DIR } from '../web/server/core/paths.js';

/**
 * The storefront's cost to the page, measured: the app embed's bytes before and after its trigger, and first paint
 * (FCP, LCP) of the preview page without the block, with it, and with the embed, as Lighthouse's mobile audit
 * (simulated throttling) sees them. Figures, not assertions.
 */
const brotli = (bytes: Buffer | string) => brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const assetBrotli = (file: string) => brotli(readFileSync(join(EXTENSION_DIR, 'assets', file)));
/** What a built snippet sends to the browser: its Liquid comment line stays on Shopify's side. */
export const snippetOutput = (file: string) =>
  readFileSync(join(EXTENSION_DIR, 'snippets', file), 'utf8').replace(/^\{%-? comment[\s\S]*?endcomment -?%\}\n/, '');
const snippetBrotli = (file: string) => brotli(snippetOutput(file));
const POPUP = JSON.stringify({ embed_style: 'popup', embed_trigger: 'delay', embed_delay: 1 });

export async function benchEmbed(browser: Browser, port: number): Promise<void> {
  const base = `http://127.0.0.1:${port}`;
  const html = async (query: string) => (await fetch(`${base}/${query}`)).text();
  const without = await html('?blocks=0');
  const withEmbed = await html(`?blocks=0&embed=${encodeURIComponent(POPUP)}`);
  const markup = brotli(withEmbed) - brotli(without);
  const withButton = await html(`?blocks=0&embed=${encodeURIComponent(JSON.stringify({ embed_style: 'button' }))}`);
  const buttonMarkup = brotli(withButton) - brotli(without);
  // The embed's own output alone (what tests/theme-embed.test.ts holds to the budget): brotli has no page to share words with.
  const own = (page: string) => {
    let start = 0;
    while (start < without.length && page[start] === without[start]) start++;
    let end = 0;
    while (end < without.length - start && page[page.length - 1 - end] === without[without.length - 1 - end]) end++;
    return brotli(page.slice(start, page.length - end));
  };
  let formBytes = 0;
  const page = await browser.newPage();
  page.on('response', (r) => {
    if (r.url().endsWith('/embed-form')) void r.body().then((b) => (formBytes = brotli(b)));
  });
  await page.addInitScript(() => {
    (window as unknown as { __cls: number }).__cls = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as unknown as Array<{ value: number }>) (window as unknown as { __cls: number }).__cls += entry.value;
    }).observe({ type: 'layout-shift', buffered: true });
  });
  const loaded: string[] = [];
  page.on('response', (r) => loaded.push(new URL(r.url()).pathname.split('/').pop() ?? ''));
  await page.goto(`${base}/?blocks=0&embed=${encodeURIComponent(POPUP)}`, { waitUntil: 'domcontentloaded' });
  await page.waitForLoadState('networkidle');
  const before = loaded.filter((f) => f.endsWith('.js') || f.endsWith('.css'));
  await page.locator('dialog[open]').waitFor();
  const after = loaded.filter((f) => (f.endsWith('.js') || f.endsWith('.css')) && !before.includes(f));
  const cls = await page.evaluate(() => (window as unknown as { __cls: number }).__cls);
  const sum = (files: string[]) => files.reduce((n, f) => n + assetBrotli(f), 0);
  console.log(`\nembed before its trigger (budget: 1,024 B brotli added to the page): requests ${before.join(', ') || 'none'} (${sum(before)} B)`);
  console.log(
    `  popup: +${markup} B brotli to the page's HTML (its inline script ${snippetBrotli('cc-embed-script.liquid')} B; alone, not sharing words with the page: ${own(withEmbed)} B)`,
  );
  console.log(
    `  floating button: +${buttonMarkup} B brotli (its inline script ${snippetBrotli('cc-embed-open.liquid')} B and styles ${snippetBrotli('cc-embed-style.liquid')} B; alone: ${own(withButton)} B)`,
  );
  console.log(`  (the form in an inert <template>, before issue 14's budget work: +2,761 B)`);
  console.log(
    `embed after its trigger: ${after.join(', ')} = ${sum(after)} B brotli (the contact block's UI bundle, shared) + the form from /embed-form, ${formBytes} B brotli`,
  );
  console.log(`embed layout shift (CLS) from load through the popup opening: ${cls.toFixed(4)}`);

  // Block and embed on one page: the UI bundle downloads once for both.
  const both = await browser.newPage();
  const uiLoads: string[] = [];
  both.on('request', (r) => r.url().endsWith('contact-form-ui.js') && uiLoads.push(r.url()));
  await both.goto(`${base}/?embed=${encodeURIComponent(JSON.stringify({ embed_style: 'button' }))}`, { waitUntil: 'networkidle' });
  await both.getByRole('textbox', { name: 'Email' }).first().focus();
  await both.getByRole('button', { name: 'Contact us' }).click();
  await both.locator('dialog[open]').waitFor();
  console.log(`block + embed on one page, both used: contact-form-ui.js downloaded ${uiLoads.length} time(s)`);

  const untargeted = await html(`?blocks=0&embed=${encodeURIComponent(JSON.stringify({ embed_pages: 'product' }))}`);
  console.log(`embed on a page it does not target: +${untargeted.length - without.length} B of HTML, no request`);
  await both.close();
  await page.close();
}

interface Paint {
  fcp: number;
  lcp: number;
  cls: number;
  blocking: number;
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

export async function benchPaint(port: number, runs = 3): Promise<void> {
  const debugPort = 9300 + (port % 600);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', `--remote-debugging-port=${debugPort}`],
  });
  const pages: Array<[string, string]> = [
    ['without the block', '/?blocks=0'],
    ['with the block', '/'],
    [
      'with the embed (popup, before trigger)',
      `/?blocks=0&embed=${encodeURIComponent(JSON.stringify({ embed_style: 'popup', embed_trigger: 'delay', embed_delay: 60 }))}`,
    ],
    ['with the embed (floating button)', `/?blocks=0&embed=1`],
    ['with the block, stylesheet linked in <head> (before)', '/?linked_css=1'],
  ];
  try {
    console.log(
      `\nLighthouse ${(await import('lighthouse/package.json', { with: { type: 'json' } })).default.version} mobile (simulated throttling), median of ${runs} runs; the preview sends pages and assets brotli-compressed, as Shopify does:`,
    );
    let reference: Paint | null = null;
    for (const [label, path] of pages) {
      const results: Paint[] = [];
      for (let i = 0; i < runs; i++) {
        const result = await lighthouse(`http://127.0.0.1:${port}${path}`, {
          port: debugPort,
          output: 'json',
          logLevel: 'error',
          onlyCategories: ['performance'],
        });
        const audits = result?.lhr.audits ?? {};
        const blocking = audits['render-blocking-resources']?.details;
        results.push({
          fcp: audits['first-contentful-paint']?.numericValue ?? NaN,
          lcp: audits['largest-contentful-paint']?.numericValue ?? NaN,
          cls: audits['cumulative-layout-shift']?.numericValue ?? NaN,
          blocking: blocking && 'items' in blocking && Array.isArray(blocking.items) ? (blocking.items as unknown[]).length : 0,
        });
      }
      const m: Paint = {
        fcp: median(results.map((r) => r.fcp)),
        lcp: median(results.map((r) => r.lcp)),
        cls: median(results.map((r) => r.cls)),
        blocking: Math.max(...results.map((r) => r.blocking)),
      };
      reference ??= m;
      const delta = (a: number, b: number) => `${a - b >= 0 ? '+' : ''}${Math.round(a - b)}`;
      console.log(
        `${label.padEnd(52)} FCP ${Math.round(m.fcp)} ms (${delta(m.fcp, reference.fcp)})  LCP ${Math.round(m.lcp)} ms (${delta(m.lcp, reference.lcp)})  CLS ${m.cls.toFixed(3)}  render-blocking requests ${m.blocking}`,
      );
    }
  } finally {
    await browser.close();
  }
}
