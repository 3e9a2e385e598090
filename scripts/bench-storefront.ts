import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { serve } from '@hono/node-server';
import { chromium } from '@playwright/test';
import pino from 'pino';
import { loadConfig } from '../web/server/config.js';
import { mountLocal } from '../dev/local.js';
import { readBlock } from '../dev/theme-liquid.js';
import { EXTENSION_DIR, PROJECT_ROOT } from '../web/server/core/paths.js';
import { createRuntime } from '../web/server/root.js';
import { benchEmbed, benchPaint, snippetOutput } from './bench-storefront-paint.js';

/**
 * Storefront budgets, measured: bytes of each asset (raw, gzip, brotli), bytes before and after the first
 * interaction, and the layout shift in Chromium while the Preact UI takes over. Figures, not assertions.
 */
const sizes = (file: string, path = join(EXTENSION_DIR, 'assets', file)) => {
  const bytes = readFileSync(path);
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
};

const { schema } = readBlock(EXTENSION_DIR, 'contact-form');
const assets: Record<string, string> = { 'contact-form-ui.js': 'first interaction' };
if (schema.javascript) assets[schema.javascript] = 'page load';
if (schema.stylesheet) assets[schema.stylesheet] = 'page load';
console.log('asset                    loads on            raw     gzip   brotli');
const totals = { 'page load': 0, 'first interaction': 0 };
for (const [file, when] of Object.entries(assets)) {
  const s = sizes(file);
  totals[when as keyof typeof totals] += s.brotli;
  console.log(`${file.padEnd(24)} ${when.padEnd(18)} ${String(s.raw).padStart(6)} ${String(s.gzip).padStart(8)} ${String(s.brotli).padStart(8)}`);
}
const inline = (file: string) => {
  const text = snippetOutput(file);
  return { raw: Buffer.byteLength(text), brotli: brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length };
};
const inlineStyle = inline('cc-style.liquid');

console.log(`block's inline <style> (no request; in the page's HTML): raw ${inlineStyle.raw}, brotli ${inlineStyle.brotli} (compresses with the page)`);
console.log(`brotli bytes requested before any interaction: ${totals['page load']}; loaded on first interaction: ${totals['first interaction']}`);
const inlineLoader = inline('cc-loader.liquid');
console.log(`block's inline loader <script> (no request): raw ${inlineLoader.raw} of the 10,000-byte app block limit, brotli ${inlineLoader.brotli}`);
const cart = sizes('cart-fields.js');
console.log(`cart-fields.js (cart page block, page load): raw ${cart.raw}, gzip ${cart.gzip}, brotli ${cart.brotli} of the 10,000-byte limit`);

// The checkout UI extension, bundled by the Shopify CLI exactly as `shopify app deploy` would (limit: 64 KB).
execFileSync('npx', ['shopify', 'app', 'build', '--path', PROJECT_ROOT], {
  cwd: PROJECT_ROOT,
  env: { ...process.env, CI: 'true', NO_COLOR: '1' },
  stdio: 'ignore',
});
const checkout = sizes('', join(PROJECT_ROOT, 'extensions', 'checkout-fields', 'dist', 'checkout-fields.js'));
console.log(
  `checkout extension bundle (both targets): raw ${checkout.raw} (${((checkout.raw / 65536) * 100).toFixed(1)}% of 64 KB), gzip ${checkout.gzip}, brotli ${checkout.brotli}`,
);

// The customer account extension ("My data" page and profile block), built by the same CLI run (limit: 64 KB).
const account = sizes('', join(PROJECT_ROOT, 'extensions', 'customer-account', 'dist', 'customer-account.js'));
console.log(
  `customer account extension bundle (both targets): raw ${account.raw} (${((account.raw / 65536) * 100).toFixed(1)}% of 64 KB), gzip ${account.gzip}, brotli ${account.brotli}`,
);

// Layout shift: load the preview, interact so the UI loads, submit an invalid form, and sum layout-shift entries.
const config = loadConfig({ MODE: 'local', PORT: '0', DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'silent' });
const runtime = await createRuntime(config, { log: pino({ level: 'silent' }), mountDev: mountLocal() });
const server = serve({ fetch: runtime.app.fetch, port: 0, hostname: '127.0.0.1' });
await new Promise((resolve) => server.once('listening', resolve));
const address = server.address();
const port = typeof address === 'object' && address ? address.port : 0;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const page = await browser.newPage();
  await page.addInitScript(() => {
    (window as unknown as { __cls: number }).__cls = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as unknown as Array<{ value: number; hadRecentInput: boolean }>) {
        (window as unknown as { __cls: number }).__cls += entry.value;
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
  const loaded: string[] = [];
  page.on('response', (r) => loaded.push(new URL(r.url()).pathname));
  await page.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'networkidle' });
  const beforeInteraction = loaded.filter((p) => p.includes('/assets/'));
  await page.getByRole('textbox', { name: 'Email' }).focus();
  await page.waitForResponse((r) => r.url().endsWith('contact-form-ui.js'));
  await page.waitForTimeout(300);
  const clsTakeover = await page.evaluate(() => (window as unknown as { __cls: number }).__cls);
  console.log(`assets requested before interaction: ${beforeInteraction.join(', ') || 'none'}`);
  console.log(`layout shift (CLS, all entries) from load through the UI taking over: ${clsTakeover.toFixed(4)}`);
  await page.close();
  await benchEmbed(browser, port);
} finally {
  await browser.close();
}
try {
  await benchPaint(port);
} finally {
  server.close();
  await runtime.close();
}
