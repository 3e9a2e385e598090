import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { build } from 'esbuild';
import { Hono } from 'hono';
import { jwtVerify } from 'jose';
import { PROJECT_ROOT } from '../../web/server/core/paths.js';
import { shopFromDest } from '../../web/server/core/shop-domain.js';
import type { CustomerAccountEmulator } from '../customer-account-emulator.js';
import { mintCustomerAccountToken } from '../session-token.js';

/**
 * The account page stand-in (local mode): a page that renders the real customer account extension as a customer's
 * account would, for the local dev customer. It serves the extension's sources bundled as the Shopify CLI bundles them
 * (each target registered with `shopify.extend`), the global `shopify` and the Polaris elements it needs, a session
 * token for the customer (as Shopify mints one for the extension), and the Customer Account API emulator behind
 * `shopify://customer-account/...`.
 */
export const ACCOUNT_PREVIEW_PATH = '/account-preview';
export const DEV_ACCOUNT_CUSTOMER = '7001';

const EXTENSION = join(PROJECT_ROOT, 'extensions', 'customer-account');
const TARGETS = { page: 'customer-account.page.render', profile: 'customer-account.profile.block.render' } as const;
const LOCALES = readdirSync(join(EXTENSION, 'locales')).map((f) => f.replace(/(\.default)?\.json$/, ''));

const scripts = new Map<string, Promise<string>>();
function bundle(name: 'polaris' | 'host' | 'extension'): Promise<string> {
  let script = scripts.get(name);
  if (!script) {
    // The extension's entry is what the CLI generates: each target's module registered for its target. Its calls to
    // the app go to this server (src/backend.json points them at the deployed app instead).
    const extensionEntry = Object.entries({ page: 'MyDataPage.tsx', profile: 'ProfileBlock.tsx' })
      .map(([key, file]) => `import ${key} from './src/${file}'; shopify.extend('${TARGETS[key as keyof typeof TARGETS]}', (...a) => ${key}(...a));`)
      .join('\n');
    script = build({
      ...(name === 'extension'
        ? { stdin: { contents: extensionEntry, resolveDir: EXTENSION, loader: 'tsx' as const } }
        : { entryPoints: [fileURLToPath(new URL(`./${name}.ts`, import.meta.url))] }),
      bundle: true,
      write: false,
      format: 'iife',
      target: ['es2020'],
      jsx: 'automatic',
      jsxImportSource: 'preact',
      logLevel: 'warning',
      plugins: [
        {
          name: 'local-backend',
          setup(b) {
            b.onLoad({ filter: /customer-account[\\/]src[\\/]backend\.json$/ }, () => ({ contents: JSON.stringify({ url: '' }), loader: 'json' }));
          },
        },
      ],
    }).then((result) => result.outputFiles[0]!.text);
    scripts.set(name, script);
  }
  return script;
}

export function accountPreview(options: { shop: string; apiKey: string; apiSecret: string; emulator: CustomerAccountEmulator }) {
  const app = new Hono();
  const strings = (locale: string) =>
    JSON.parse(readFileSync(join(EXTENSION, 'locales', locale === 'en' ? 'en.default.json' : `${locale}.json`), 'utf8')) as Record<string, unknown>;

  app.get(ACCOUNT_PREVIEW_PATH, (c) => {
    const locale = LOCALES.includes(c.req.query('locale') ?? '') ? c.req.query('locale')! : 'en';
    const target = c.req.query('target') === 'profile' ? TARGETS.profile : TARGETS.page;
    const config = JSON.stringify({ target, locale, customer: DEV_ACCOUNT_CUSTOMER, strings: strings(locale) }).replace(/</g, '\\u003c');
    const title = String(strings(locale).title);
    return c.html(`<!doctype html>
<html lang="${locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body>
<script type="application/json" id="cc-account-config">${config}</script>
<script src="/dev/account/polaris.js"></script>
<script src="/dev/account/host.js"></script>
<script src="/dev/account/extension.js"></script>
</body>
</html>`);
  });
  for (const name of ['polaris', 'host', 'extension'] as const)
    app.get(`/dev/account/${name}.js`, async (c) =>
      c.body(await bundle(name), 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }),
    );

  // What Shopify gives the extension from `shopify.sessionToken.get()`: sub = the customer, dest = the shop.
  app.get('/dev/account-session-token', async (c) => {
    const customer = /^\d{1,20}$/.test(c.req.query('customer') ?? '') ? c.req.query('customer')! : DEV_ACCOUNT_CUSTOMER;
    const token = await mintCustomerAccountToken({
      shop: options.shop,
      apiKey: options.apiKey,
      secret: options.apiSecret,
      customerId: `gid://shopify/Customer/${customer}`,
    });
    return c.json({ token });
  });

  // The Customer Account API: the customer is whoever the token names (Shopify knows them from the session).
  app.post('/dev/customer-account/api/2026-10/graphql.json', async (c) => {
    const token = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (!token) return c.json({ errors: [{ message: 'Unauthorized' }] }, 401);
    let claims: { sub?: string; dest?: unknown };
    try {
      claims = (await jwtVerify(token, new TextEncoder().encode(options.apiSecret), { audience: options.apiKey })).payload;
    } catch {
      return c.json({ errors: [{ message: 'Unauthorized' }] }, 401);
    }
    const shop = shopFromDest(claims.dest);
    if (!shop || !claims.sub) return c.json({ errors: [{ message: 'Unauthorized' }] }, 401);
    const answer = options.emulator.handle(shop, claims.sub, await c.req.json().catch(() => null));
    return c.json(answer.body as object, answer.status as 200);
  });
  return app;
}
