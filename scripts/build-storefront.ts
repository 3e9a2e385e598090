import { build } from 'esbuild';
import { storefrontBundles } from './bundles.js';

/**
 * Builds the storefront sources (web/storefront) into the theme extension's assets/. Only built files live there:
 * Shopify rejects any other folder in a theme extension.
 */
await Promise.all(storefrontBundles.map((options) => build(options)));
