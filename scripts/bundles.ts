import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

/**
 * What the browser bundles are built from and where they go, in one place: the build scripts build them, and
 * tests/production-build.test.ts builds the same options with a metafile to check that no dev or test module ends up
 * in what production ships.
 */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const common = {
  bundle: true,
  minify: true,
  target: ['es2020'],
  legalComments: 'none',
  logLevel: 'warning',
  jsx: 'automatic',
  jsxImportSource: 'preact',
} satisfies BuildOptions;

/** The storefront (web/storefront) into the theme extension's assets/: Shopify rejects any other folder there. */
export const STOREFRONT_ASSETS_DIR = `${ROOT}extensions/contact-form/assets/`;
export const storefrontBundles: BuildOptions[] = [
  { ...common, entryPoints: [`${ROOT}web/storefront/loader.ts`], outfile: `${STOREFRONT_ASSETS_DIR}contact-form.js`, format: 'iife' },
  { ...common, entryPoints: [`${ROOT}web/storefront/cart-fields.ts`], outfile: `${STOREFRONT_ASSETS_DIR}cart-fields.js`, format: 'iife' },
  { ...common, entryPoints: [`${ROOT}web/storefront/ui.tsx`], outfile: `${STOREFRONT_ASSETS_DIR}contact-form-ui.js`, format: 'esm' },
  // Conditional fields: loaded at once, but only by forms that have rules, so other pages never pay for the parser.
  { ...common, entryPoints: [`${ROOT}web/storefront/conditions.ts`], outfile: `${STOREFRONT_ASSETS_DIR}contact-form-conditions.js`, format: 'esm' },
  { ...common, entryPoints: [`${ROOT}web/storefront/contact-form.css`], outfile: `${STOREFRONT_ASSETS_DIR}contact-form.css`, loader: { '.css': 'css' } },
  // The app embed: its trigger script (loads only on targeted pages) and its styles (inlined by scripts/theme-sources.ts).
  // Without tsconfig's alwaysStrict: the inlined script counts every byte (1 KB brotli with its markup) and is strict-safe anyway.
  {
    ...common,
    entryPoints: [`${ROOT}web/storefront/embed.ts`],
    outfile: `${STOREFRONT_ASSETS_DIR}contact-embed.js`,
    format: 'iife',
    tsconfigRaw: { compilerOptions: { alwaysStrict: false, strict: false } },
  },
  {
    ...common,
    entryPoints: [`${ROOT}web/storefront/embed-button.ts`],
    outfile: `${STOREFRONT_ASSETS_DIR}contact-embed-button.js`,
    format: 'iife',
    tsconfigRaw: { compilerOptions: { alwaysStrict: false, strict: false } },
  },
  { ...common, entryPoints: [`${ROOT}web/storefront/contact-embed.css`], outfile: `${STOREFRONT_ASSETS_DIR}contact-embed.css`, loader: { '.css': 'css' } },
  { ...common, entryPoints: [`${ROOT}web/storefront/contact-dialog.css`], outfile: `${STOREFRONT_ASSETS_DIR}contact-dialog.css`, loader: { '.css': 'css' } },
];

/** The staff workspace (web/workspace) into dist/workspace/, served by the app at /app/assets/. */
export const WORKSPACE_DIST_DIR = `${ROOT}dist/workspace/`;
export const workspaceBundles: BuildOptions[] = [
  { ...common, entryPoints: [`${ROOT}web/workspace/app.tsx`], outfile: `${WORKSPACE_DIST_DIR}workspace.js`, format: 'esm' },
  { ...common, entryPoints: [`${ROOT}web/workspace/workspace.css`], outfile: `${WORKSPACE_DIST_DIR}workspace.css`, loader: { '.css': 'css' } },
];
