import { Hono } from 'hono';
import { jwtVerify } from 'jose';
import type { DevParts, Runtime } from '../root.js';
import { AdminEmulator } from './admin-emulator/emulator.js';
import { adminEmulatorRoutes } from './admin-emulator/routes.js';
import { proxyEmulator } from './proxy-emulator.js';
import { mintSessionToken } from './session-token.js';
import { storefrontPreview } from './storefront-preview.js';

export const PROXY_PATH_PREFIX = '/apps/contact-capture';
const SCOPES = 'read_customers,write_customers,write_app_proxy';

/**
 * Local mode: everything Shopify would provide, on the same port as the app. The dev shop is installed at start
 * with the emulator's token (stored encrypted, like any shop's).
 */
export function mountLocal(emulator = new AdminEmulator()) {
  return async (runtime: Omit<Runtime, 'close'>, parts: DevParts): Promise<void> => {
    const { config, app } = runtime;
    emulator.install(config.devShop, config.devAccessToken);
    await parts.tokens.save(config.devShop, config.devAccessToken, SCOPES);

    const dev = new Hono();
    dev.route('/', adminEmulatorRoutes(emulator));
    // Token exchange, as https://{shop}/admin/oauth/access_token answers it.
    dev.post('/admin/oauth/access_token', async (c) => {
      const body = (await c.req.json().catch(() => ({}))) as Record<string, string>;
      if (body.client_id !== config.apiKey || body.client_secret !== config.apiSecret) return c.json({ error: 'invalid_client' }, 401);
      try {
        const { payload } = await jwtVerify(body.subject_token ?? '', new TextEncoder().encode(config.apiSecret), { audience: config.apiKey, clockTolerance: 10 });
        const shop = new URL(String(payload.dest)).hostname;
        const token = `shpat_emulated_${shop.split('.')[0]}`;
        emulator.install(shop, token);
        return c.json({ access_token: token, scope: SCOPES });
      } catch {
        return c.json({ error: 'invalid_subject_token' }, 400);
      }
    });
    dev.get('/dev/session-token', async (c) =>
      c.json({ token: await mintSessionToken({ shop: config.devShop, apiKey: config.apiKey, secret: config.apiSecret, userId: c.req.query('user') ?? '1' }) }),
    );
    const preview = storefrontPreview(parts.translator);
    dev.route(
      '/',
      proxyEmulator({
        shop: config.devShop,
        secret: config.apiSecret,
        pathPrefix: PROXY_PATH_PREFIX,
        forward: async (request) => app.fetch(request),
        engine: preview.engine,
        languageLinks: preview.languageLinks,
      }),
    );
    dev.route('/', preview.app);
    app.route('/', dev);
  };
}
