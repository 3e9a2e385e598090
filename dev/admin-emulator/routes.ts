import { Hono } from 'hono';
import { jwtVerify } from 'jose';
import * as z from 'zod';
import { API_VERSION } from '../../schema/fields.js';
import type { AdminEmulator } from './emulator.js';
import { FILES_ROUTE, STAGED_ROUTE, acceptStagedPost, fileBytes, stagedObject, storeStaged } from './files.js';

const controlSchema = z.object({
  bucket: z.object({ maximumAvailable: z.number().positive(), restoreRate: z.number().positive() }).optional(),
  faults: z
    .object({
      rate: z.number().min(0).max(1).optional(),
      kinds: z.array(z.enum(['throttled', 'http500', 'http503', 'timeout'])).optional(),
      timeoutMs: z.number().int().min(0).optional(),
      operations: z.array(z.string().min(1).max(200)).max(50).optional(),
    })
    .optional(),
  seed: z.number().int().optional(),
  resetStats: z.boolean().optional(),
  /** Writes a file of the shop's live theme, as the theme editor would (the setup card's end-to-end test). */
  themeFile: z.object({ shop: z.string().min(1).max(255), filename: z.string().min(1).max(200), content: z.string().max(500_000) }).optional(),
  /** Switches a shop between new and classic customer accounts (Shop.customerAccountsV2). */
  customerAccounts: z
    .object({ shop: z.string().min(1).max(255), version: z.enum(['NEW_CUSTOMER_ACCOUNTS', 'CLASSIC']), url: z.url().max(2000).nullable() })
    .optional(),
});

/** The emulated shop's staff: user 1 owns the shop; any other id is a staff member. */
export const STAFF_NAMES: Record<string, [string, string]> = { '1': ['Camille', 'Martin'], '2': ['Luc', 'Bernard'], '3': ['Inès', 'Moreau'] };

function staffMember(id: string) {
  const [first, last] = STAFF_NAMES[id] ?? ['Staff', id];
  return {
    id: Number(id) || 0,
    first_name: first,
    last_name: last,
    email: `staff${id}@example.com`,
    email_verified: true,
    account_owner: id === '1',
    locale: 'en',
    collaborator: false,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface EmulatedApp {
  apiKey: string;
  apiSecret: string;
  scopes: string;
}

/**
 * HTTP face of the emulator: the Admin GraphQL endpoint, token exchange as https://{shop}/admin/oauth/access_token
 * answers it, and a control endpoint for tests and local mode.
 */
export function adminEmulatorRoutes(emulator: AdminEmulator, appConfig: EmulatedApp) {
  const app = new Hono();
  app.post('/admin/oauth/access_token', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as Record<string, string>;
    if (body.client_id !== appConfig.apiKey || body.client_secret !== appConfig.apiSecret) return c.json({ error: 'invalid_client' }, 401);
    try {
      const secret = new TextEncoder().encode(appConfig.apiSecret);
      const { payload } = await jwtVerify(body.subject_token ?? '', secret, { audience: appConfig.apiKey, clockTolerance: 10 });
      const shop = new URL(String(payload.dest)).hostname;
      const token = emulator.tokenFor(shop) ?? `shpat_emulated_${shop.split('.')[0]}`;
      emulator.install(shop, token);
      if (body.requested_token_type === 'urn:shopify:params:oauth:token-type:online-access-token') {
        const user = staffMember(String(payload.sub ?? ''));
        return c.json({
          access_token: `${token}_online_${user.id}`,
          scope: appConfig.scopes,
          expires_in: 86_399,
          associated_user_scope: appConfig.scopes,
          associated_user: user,
        });
      }
      return c.json({ access_token: token, scope: appConfig.scopes });
    } catch {
      return c.json({ error: 'invalid_subject_token' }, 400);
    }
  });
  app.post(`/admin/api/${API_VERSION}/graphql.json`, async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ errors: { query: 'Required parameter missing or invalid' } }, 400);
    }
    emulator.publicOrigin = new URL(c.req.url).origin;
    const response = emulator.handle(c.req.header('x-shopify-access-token') ?? null, body);
    if (response.delayMs) await sleep(response.delayMs);
    return typeof response.body === 'string' ? c.text(response.body, response.status as 500) : c.json(response.body as object, response.status as 200);
  });
  // The staged upload target (a cloud-storage POST policy in Shopify): the browser posts the form parameters and the
  // file here; the app then reads the object back at its resourceUrl to check what it really is.
  app.post(STAGED_ROUTE, async (c) => {
    const form = await c.req.formData().catch(() => null);
    if (!form) return c.text('<Error><Code>InvalidArgument</Code></Error>', 400);
    const verdict = acceptStagedPost(emulator.allShopData(), emulator.filesContext(), form);
    if (verdict.status !== 204) return c.text(`<Error><Code>${verdict.code}</Code><Message>${verdict.message}</Message></Error>`, verdict.status);
    const file = form.get('file') as Blob;
    storeStaged(emulator.allShopData(), form.get('key') as string, Buffer.from(await file.arrayBuffer()));
    return c.body(null, 204, { 'access-control-allow-origin': '*' });
  });
  app.get(`${STAGED_ROUTE}/*`, (c) => {
    const key = new URL(c.req.url).pathname.slice(STAGED_ROUTE.length + 1);
    const object = stagedObject(emulator.allShopData(), key);
    if (!object) return c.text('<Error><Code>NoSuchKey</Code></Error>', 404);
    const range = /^bytes=0-(\d+)$/.exec(c.req.header('range') ?? '');
    const bytes = range ? object.bytes.subarray(0, Number(range[1]) + 1) : object.bytes;
    return c.body(new Uint8Array(bytes), range ? 206 : 200, {
      'content-type': object.mimeType,
      ...(range ? { 'content-range': `bytes 0-${bytes.length - 1}/${object.bytes.length}` } : {}),
    });
  });
  app.get(`${FILES_ROUTE}/:id/:name`, (c) => {
    const file = fileBytes(emulator.allShopData(), Number(c.req.param('id')));
    if (!file) return c.text('Not found', 404);
    // As a CDN serves a shop's file: its stored type, never sniffed into something else.
    return c.body(new Uint8Array(file.bytes), 200, { 'content-type': file.mimeType, 'x-content-type-options': 'nosniff' });
  });
  app.post('/__emulator/admin', async (c) => {
    const parsed = controlSchema.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json({ error: 'invalid_control', issues: parsed.error.issues }, 400);
    const { resetStats, themeFile, customerAccounts, ...settings } = parsed.data;
    emulator.configure(settings);
    if (customerAccounts) {
      const { shop, ...accounts } = customerAccounts;
      if (!emulator.shopData(shop)) return c.json({ error: 'unknown_shop' }, 404);
      emulator.setCustomerAccounts(shop, accounts);
    }
    if (themeFile) {
      try {
        emulator.setThemeFile(themeFile.shop, themeFile.filename, themeFile.content);
      } catch {
        return c.json({ error: 'unknown_shop' }, 404);
      }
    }
    if (resetStats) emulator.resetStats();
    return c.json({ ok: true, stats: emulator.stats });
  });
  app.get('/__emulator/admin', (c) => c.json({ stats: emulator.stats }));
  return app;
}
