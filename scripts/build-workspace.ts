import { build } from 'esbuild';
import { workspaceBundles } from './bundles.js';

/** Builds the staff workspace (web/workspace, Preact) into dist/workspace/, served by the app at /app/assets/. */
await Promise.all(workspaceBundles.map((options) => build(options)));
