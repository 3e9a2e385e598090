import { build } from 'esbuild';
import { storefrontBundles } from './bundles.js';
import { writeThemeSources } from './theme-sources.js';

/**
 * Builds the storefront sources (web/storefront) into the theme extension's assets/. Only built files live there:
 * Shopify rejects any other folder in a theme extension. Then writes the Liquid built from them (inlined styles,
 * the app embed block).
 */
await Promise.all(storefrontBundles.map((options) => build(options)));
writeThemeSources();
