import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Hono } from 'hono';
import type { DevParts, Runtime } from '../web/server/root.js';
import { AdminEmulator } from './admin-emulator/emulator.js';
import { adminEmulatorRoutes } from './admin-emulator/routes.js';
import { proxyEmulator } from './proxy-emulator.js';
import { mintSessionToken } from './session-token.js';
import { cartPreview } from './cart-preview.js';
import { ACCOUNT_PREVIEW_PATH, accountPreview } from './account-stand-in/routes.js';
import { CustomerAccountEmulator } from './customer-account-emulator.js';
import { DEV_CUSTOMERS, storefrontPreview } from './storefront-preview.js';
import { assignRole } from '../web/server/routes/workspace/roles.js';
import { formKey } from '../web/server/core/form-key.js';
import type { MailCatcher } from './mail-catcher.js';
import { mailRoutes } from './mail-routes.js';

/** The dev shop's sender until the merchant sets one in the workspace (local mode only; production has none). */
export const DEV_SENDER = { address: 'shop@contact-capture-dev.example', name: 'Contact Capture Dev Shop' } as const;

export const PROXY_PATH_PREFIX = '/apps/contact-capture';
export const SCOPES = 'read_customers,write_customers,read_orders,write_app_proxy,read_themes,write_files';
/** Where local mode serves its stand-in for App Bridge; the workspace page loads it in place of Shopify's CDN script. */
export const APP_BRIDGE_STAND_IN = '/dev/app-bridge.js';

/**
 * The stand-in (dev/app-bridge-stand-in.ts), bundled on its first request and kept: local mode runs from sources, and
 * building it here keeps it out of every production build.
 */
let standInScript: Promise<string> | undefined;
function appBridgeStandInScript(): Promise<string> {
  standInScript ??= build({
    entryPoints: [fileURLToPath(new URL('./app-bridge-stand-in.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    target: ['es2020'],
    logLevel: 'warning',
  }).then((result) => result.outputFiles[0]!.text);
  return standInScript;
}

/**
 * Local mode: everything Shopify would provide, on the same port as the app. The dev shop is installed at start
 * with the emulator's token (stored encrypted, like any shop's).
 */
export function mountLocal(given?: AdminEmulator, mail?: MailCatcher) {
  const emulator = given ?? new AdminEmulator();
  return async (runtime: Omit<Runtime, 'close'>, parts: DevParts): Promise<void> => {
    const { config, app } = runtime;
    emulator.install(config.devShop, config.devAccessToken);
    // In `npm start`, the storefront's dev customers (`?customer=7001`) exist in the shop as a real logged-in customer
    // does, under their own id: their submissions are then verified for their own record. Tests bring their emulator
    // and their own customers.
    if (!given) seedDevCustomers(emulator, config.devShop);
    // The dev shop runs new customer accounts, whose "account" is the account page stand-in: the privacy page's link
    // to "My data" leads somewhere a person can try (tests bring their emulator and set the version they need).
    if (!given) emulator.setCustomerAccounts(config.devShop, { version: 'NEW_CUSTOMER_ACCOUNTS', url: `${config.appUrl}${ACCOUNT_PREVIEW_PATH}` });
    await parts.tokens.save(config.devShop, config.devAccessToken, SCOPES);
    await runtime.storage.db
      .updateTable('shops')
      .set({ mail_from: DEV_SENDER.address, mail_from_name: DEV_SENDER.name })
      .where('shop', '=', config.devShop)
      .where('mail_from', 'is', null)
      .execute();

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
    dev.get(APP_BRIDGE_STAND_IN, async (c) =>
      c.body(await appBridgeStandInScript(), 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }),
    );
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
    dev.route(
      '/',
      cartPreview({
        engine: preview.engine,
        shop: config.devShop,
        apiSecret: config.apiSecret,
        emulatorData: () => emulator.shopData(config.devShop),
        deliver: async (request) => app.fetch(request),
      }),
    );
    if (mail) dev.route('/', mailRoutes(mail));
    // Digests wait for the end of their hour or day (web/server/leads/digest.ts): this makes the pending ones due now,
    // as if their period were over, and wakes the loop. For trying digests by hand and for the Playwright spec.
    dev.post('/dev/mail/digests/run-now', async (c) => {
      const result = await runtime.storage.db
        .updateTable('outbox_jobs')
        .set({ run_after: new Date(Date.now() - 1000).toISOString() })
        .where('kind', '=', 'mail_digest')
        .where('state', '=', 'pending')
        .executeTakeFirst();
      runtime.jobs.nudge();
      return c.json({ due: Number(result.numUpdatedRows) });
    });
    dev.route(
      '/',
      accountPreview({ shop: config.devShop, apiKey: config.apiKey, apiSecret: config.apiSecret, emulator: new CustomerAccountEmulator(emulator) }),
    );
    app.route('/', dev);
  };
}

function seedDevCustomers(emulator: AdminEmulator, shop: string): void {
  const data = emulator.shopData(shop);
  if (!data) return;
  for (const c of Object.values(DEV_CUSTOMERS)) {
    if (data.byEmail(c.email) || data.customers.has(`gid://shopify/Customer/${c.id}`)) continue;
    const customer = data.addCustomer({ firstName: c.first_name, lastName: c.last_name, email: c.email, phone: c.phone, locale: 'en' }, c.id);
    const a = c.default_address;
    customer.addresses = [
      {
        id: data.newGid('MailingAddress').gid,
        fields: {
          address1: a.address1 ?? null,
          address2: a.address2 || null,
          city: a.city ?? null,
          zip: a.zip ?? null,
          countryCode: a.country_code ?? null,
          country: a.country_code ?? null,
          countryCodeV2: a.country_code ?? null,
          provinceCode: a.province || null,
          province: a.province || null,
          firstName: c.first_name,
          lastName: c.last_name,
          company: null,
          phone: null,
        },
      },
    ];
  }
}
