import { type ServerType, serve } from '@hono/node-server';
import pino from 'pino';
import { assignRole } from '../../web/server/routes/workspace/roles.js';
import { type Config, loadConfig } from '../../web/server/config.js';
import type { Role } from '../../web/server/storage/tables.js';
import { AdminEmulator } from '../../dev/admin-emulator/emulator.js';
import { adminEmulatorRoutes } from '../../dev/admin-emulator/routes.js';
import { APP_BRIDGE_STAND_IN, SCOPES, mountLocal } from '../../dev/local.js';
import { signProxyQuery } from '../../dev/proxy-signer.js';
import { mintSessionToken } from '../../dev/session-token.js';
import { type Runtime, createRuntime } from '../../web/server/root.js';
import { CUSTOMER_BY_EMAIL } from '../../web/server/shopify/operations.js';
import { formKey, signOptIn } from '../../web/server/core/form-key.js';
import { type TestEngine, freshDatabaseUrl } from './databases.js';

export const SECRET = 'test-secret-for-contact-capture';
export const API_KEY = 'test-api-key';
export const SHOP = 'contact-capture-dev.myshopify.com';
export const TOKEN = 'shpat_test_token';
/** The emulated shop's staff (admin-emulator/routes.ts): user 1 owns the shop. */
export const STAFF_USER: Record<Role, string> = { owner: '1', manager: '2', viewer: '3' };

export interface TestApp {
  runtime: Runtime;
  emulator: AdminEmulator;
  config: Config;
  /** A request to /proxy/* signed as Shopify's app proxy signs it. */
  /**
   * A request to /proxy/* signed as Shopify's app proxy signs it. A /submit post gets the block's signed `doi:0` for
   * its form unless it names a double opt-in setting itself or `asBlock` is false (a post that did not come from it).
   */
  proxy(path: string, init?: RequestInit & { query?: Record<string, string>; customerId?: string | null; shop?: string; asBlock?: boolean }): Promise<Response>;
  sessionToken(options?: { shop?: string; expiresIn?: number; apiKey?: string; secret?: string; userId?: string }): Promise<string>;
  /** A session token of a staff member with this role: the owner is user 1; the others get their role assigned. */
  staffToken(role: Role, shop?: string): Promise<string>;
  customerByEmail(email: string): Promise<Record<string, unknown> | null>;
  close(): Promise<void>;
}

/**
 * The real runtime in local mode (the same wiring as `npm start`), on a fresh database, with the Admin API emulator
 * served over real HTTP so client timeouts and faults behave as on the network.
 */
export async function startTestApp(engine: TestEngine, env: Record<string, string> = {}, log = pino({ level: 'silent' })): Promise<TestApp | null> {
  const database = await freshDatabaseUrl(engine);
  if (!database) return null;
  const emulator = new AdminEmulator();
  const emulatorServer: ServerType = await new Promise((resolve) => {
    const server = serve(
      { fetch: adminEmulatorRoutes(emulator, { apiKey: API_KEY, apiSecret: SECRET, scopes: SCOPES }).fetch, port: 0, hostname: '127.0.0.1' },
      () => resolve(server),
    );
  });
  const address = emulatorServer.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const config = loadConfig({
    MODE: 'local',
    PORT: '0',
    DATABASE_URL: database.url,
    SHOPIFY_API_KEY: API_KEY,
    SHOPIFY_API_SECRET: SECRET,
    SHOPIFY_ADMIN_API_ORIGIN: `http://127.0.0.1:${port}`,
    SHOPIFY_DEV_SHOP: SHOP,
    SHOPIFY_DEV_ACCESS_TOKEN: TOKEN,
    SYNC_POLL_MS: '20',
    SHOPIFY_REQUEST_TIMEOUT_MS: '1000',
    ...env,
  });
  const runtime = await createRuntime(config, { log, mountDev: mountLocal(emulator), appBridgeStandIn: APP_BRIDGE_STAND_IN });
  return {
    runtime,
    emulator,
    config,
    async proxy(path, init = {}) {
      const { query = {}, customerId = null, shop = SHOP, asBlock, ...rest } = init;
      const params = signProxyQuery(new URLSearchParams(query), { shop, loggedInCustomerId: customerId, pathPrefix: '/apps/contact-capture' }, SECRET);
      // Shopify's proxy always names the shopper's address; without one a test would share the `unknown` bucket. Each
      // call is another shopper unless the test says who (rate-limit tests do).
      const headers = new Headers(rest.headers);
      if (!headers.has('x-forwarded-for')) headers.set('x-forwarded-for', `10.${(++shopper >> 16) & 255}.${(shopper >> 8) & 255}.${shopper & 255}`);
      return runtime.app.request(`/proxy${path}?${params}`, {
        ...rest,
        headers,
        body: path === '/submit' && asBlock !== false ? signedAsBlock(rest.body, shop) : rest.body,
      });
    },
    sessionToken: (options = {}) =>
      mintSessionToken({
        shop: options.shop ?? SHOP,
        apiKey: options.apiKey ?? API_KEY,
        secret: options.secret ?? SECRET,
        expiresIn: options.expiresIn,
        userId: options.userId,
      }),
    async staffToken(role, shop = SHOP) {
      const userId = STAFF_USER[role];
      if (role !== 'owner') await assignRole(runtime.storage.db, shop, userId, role, '1');
      return mintSessionToken({ shop, apiKey: API_KEY, secret: SECRET, userId });
    },
    async customerByEmail(email) {
      // A reader like any other client: when the bucket is empty it waits for it to refill rather than failing.
      for (let attempt = 0; attempt < 20; attempt++) {
        const response = await fetch(`${config.adminApiOrigin}/admin/api/2026-10/graphql.json`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-shopify-access-token': TOKEN },
          body: JSON.stringify({ query: CUSTOMER_BY_EMAIL, variables: { email } }),
        });
        const body = (await response.json()) as {
          data?: { customerByIdentifier: Record<string, unknown> | null };
          errors?: { extensions?: { code?: string } }[];
        };
        if (body.data) return body.data.customerByIdentifier;
        if (body.errors?.[0]?.extensions?.code !== 'THROTTLED') throw new Error(`customer query failed: ${JSON.stringify(body.errors)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error('customer query still throttled after 5 s');
    },
    async close() {
      await runtime.close();
      await new Promise((resolve) => emulatorServer.close(resolve));
      await database.drop();
    },
  };
}

let shopper = 0;

/**
 * The block always posts its double opt-in setting, signed for its form (`doi:0` when off); without it the server
 * fails safe to double opt-in. Test bodies that do not name one get the block's `doi:0`, JSON and form posts alike.
 */
export function signedAsBlock(body: RequestInit['body'], shop: string = SHOP): RequestInit['body'] {
  const sign = (formId: string | undefined) => ({ double_opt_in: 'doi:0', double_opt_in_sig: signOptIn(formKey(SECRET, shop), formId ?? '', 'doi:0') });
  if (typeof body === 'string' && body.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return body; // a test of broken JSON: sent as it is
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || 'double_opt_in' in parsed || 'double_opt_in_sig' in parsed) return body;
    const formId = 'form_id' in parsed && typeof parsed.form_id === 'string' ? parsed.form_id : undefined;
    return JSON.stringify({ ...parsed, ...sign(formId) });
  }
  if (typeof body === 'string') {
    const params = new URLSearchParams(body);
    if (params.has('double_opt_in') || params.has('double_opt_in_sig')) return body;
    for (const [k, v] of Object.entries(sign(params.get('form_id') ?? undefined))) params.set(k, v);
    return params.toString();
  }
  return body;
}

export const jsonPost = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
