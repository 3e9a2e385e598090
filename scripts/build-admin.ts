import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Builds the leads workspace (web/workspace, Preact) into dist/admin/, served by the app at /app/assets/. */
const root = fileURLToPath(new URL('..', import.meta.url));
const common = { bundle: true, minify: true, target: ['es2020'], legalComments: 'none' as const, logLevel: 'warning' as const };

await build({ ...common, entryPoints: [`${root}web/workspace/app.tsx`], outfile: `${root}dist/admin/admin.js`, format: 'esm', jsx: 'automatic', jsxImportSource: 'preact' });
await build({ ...common, entryPoints: [`${root}web/workspace/admin.css`], outfile: `${root}dist/admin/admin.css`, loader: { '.css': 'css' } });
