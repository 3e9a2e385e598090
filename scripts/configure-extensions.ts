import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { PROJECT_ROOT } from '../web/server/core/paths.js';

/**
 * Points the checkout and customer account extensions at the app: its thank-you posts go to the origin of shopify.app.toml's
 * application_url. Run by `npm run shopify:build` (and so before a deploy); tests/purchase-questions.test.ts fails when
 * the two disagree.
 */
const app = parse(readFileSync(join(PROJECT_ROOT, 'shopify.app.toml'), 'utf8')) as { application_url: string };
// The customer account extension ("My data") calls the same origin (routes/account/).
for (const extension of ['checkout-fields', 'customer-account']) {
  const target = join(PROJECT_ROOT, 'extensions', extension, 'src', 'backend.json');
  writeFileSync(target, `${JSON.stringify({ url: new URL(app.application_url).origin })}\n`);
  console.log(`${extension} extension calls ${new URL(app.application_url).origin}`);
}
