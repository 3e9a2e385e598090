import { Hono } from 'hono';
import type { DevParts, Runtime } from '../root.js';
import { AdminEmulator } from './admin-emulator/emulator.js';
import { adminEmulatorRoutes } from './admin-emulator/routes.js';
import { proxyEmulator } from './proxy-emulator.js';
import { mintSessionToken } from './session-token.js';
import { cartPreview } from './cart-preview.js';
import { storefrontPreview } from './storefront-preview.js';
import { assignRole } from '../admin/roles.js';
import { formKey } from '../leads/form-key.js';

export const PROXY_PATH_PREFIX = '/apps/contact-capture';
export const SCOPES = 'read_customers,write_customers,read_orders,write_app_proxy';

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
    dev.route('/', adminEmulatorRoutes(emulator, { apiKey: config.apiKey, apiSecret: config.apiSecret, scopes: SCOPES }));
    // The dev sign-in: a session token for a chosen staff member, as the admin would issue it. With `role`, the role is
    // assigned first, as the shop's owner would in the Team tab (the owner, user 1, stays owner).
    dev.get('/dev/session-token', async (c) => {
      const userId = /^\d{1,6}$/.test(c.req.query('user') ?? '') ? c.req.query('user')! : '1';
      const role = c.req.query('role');
      if (role === 'manager' || role === 'viewer') await assignRole(runtime.storage.db, config.devShop, userId, role, 'dev-sign-in');
      return c.json({ token: await mintSessionToken({ shop: config.devShop, apiKey: config.apiKey, secret: config.apiSecret, userId }) });
    });
    const preview = storefrontPreview(parts.translator, { formKey: formKey(config.apiSecret, config.devShop) });
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
    dev.route('/', cartPreview({ engine: preview.engine, shop: config.devShop, apiSecret: config.apiSecret, emulatorData: () => emulator.shopData(config.devShop), deliver: async (request) => app.fetch(request) }));
    app.route('/', dev);
  };
}
