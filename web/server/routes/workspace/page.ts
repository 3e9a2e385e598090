import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { appPageHeaders } from '../../http/security-headers.js';
import { PROJECT_ROOT } from '../../core/paths.js';

/**
 * The staff workspace at /app: a small HTML shell and the Preact app built from web/workspace into dist/workspace/
 * (`npm run build:workspace`). In production App Bridge comes from Shopify's CDN and supplies session tokens; in local
 * mode the dev parts serve a stand-in for it that mints the same kind of token, so the workspace has one code path
 * and its bundle no dev sign-in.
 */
export const WORKSPACE_ASSETS_DIR = join(PROJECT_ROOT, 'dist', 'workspace');

export interface WorkspacePageOptions {
  apiKey: string;
  local: boolean;
  /** Local mode only: the path of the dev parts' App Bridge stand-in. Production always loads Shopify's App Bridge. */
  appBridgeStandIn?: string | undefined;
}

export function workspacePage(options: WorkspacePageOptions & { nonce: string }): string {
  const bridge = !options.local
    ? `<meta name="shopify-api-key" content="${options.apiKey}">\n<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js" nonce="${options.nonce}"></script>`
    : options.appBridgeStandIn
      ? `<script src="${options.appBridgeStandIn}" nonce="${options.nonce}"></script>`
      : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Contact Capture</title>
${bridge}
<link rel="stylesheet" href="/app/assets/workspace.css">
<script type="module" src="/app/assets/workspace.js" nonce="${options.nonce}"></script>
</head>
<body>
<div id="app"><p role="status">Loading…</p></div>
<noscript>The leads workspace needs JavaScript.</noscript>
</body>
</html>`;
}

const TYPES: Record<string, string> = { 'workspace.js': 'text/javascript; charset=utf-8', 'workspace.css': 'text/css; charset=utf-8' };

export function workspacePageRoutes(options: WorkspacePageOptions) {
  const app = new Hono<{ Variables: { cspNonce: string } }>();
  // Read once: the files change only with a build, and a restart follows every deploy.
  const assets = new Map<string, string>();
  for (const name of Object.keys(TYPES)) {
    try {
      assets.set(name, readFileSync(join(WORKSPACE_ASSETS_DIR, name), 'utf8'));
    } catch {
      // Not built: the route below says how to build it.
    }
  }
  app.get('/assets/:name', (c) => {
    const name = c.req.param('name');
    const body = assets.get(name);
    if (!TYPES[name]) return c.notFound();
    if (body === undefined) return c.text('The workspace is not built: run `npm run build:workspace`.', 503);
    return c.body(body, 200, { 'content-type': TYPES[name], 'cache-control': 'no-cache' });
  });
  app.use('/', appPageHeaders(options.local));
  app.get('/', (c) => c.html(workspacePage({ ...options, nonce: c.get('cspNonce') })));
  return app;
}
