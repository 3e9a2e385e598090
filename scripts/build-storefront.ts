import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Builds the storefront sources (web/storefront) into the theme extension's assets/. Only built files live there:
 * Shopify rejects any other folder in a theme extension.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const assets = `${root}extensions/contact-form/assets/`;

const common = { bundle: true, minify: true, target: ['es2020'], legalComments: 'none' as const, logLevel: 'warning' as const, jsx: 'automatic' as const, jsxImportSource: 'preact' };

await build({ ...common, entryPoints: [`${root}web/storefront/loader.ts`], outfile: `${assets}contact-form.js`, format: 'iife' });
await build({ ...common, entryPoints: [`${root}web/storefront/cart-fields.ts`], outfile: `${assets}cart-fields.js`, format: 'iife' });
await build({ ...common, entryPoints: [`${root}web/storefront/ui.tsx`], outfile: `${assets}contact-form-ui.js`, format: 'esm' });
await build({ ...common, entryPoints: [`${root}web/storefront/contact-form.css`], outfile: `${assets}contact-form.css`, loader: { '.css': 'css' } });
