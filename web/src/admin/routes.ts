import type { Shopify } from '@shopify/shopify-api';
import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import * as z from 'zod';
import { badRequest } from '../http/errors.js';
import { listLeads } from '../leads/queries.js';
import { releaseFromQuarantine } from '../leads/release.js';
import { privacyRoutes } from './privacy-routes.js';
import type { Database } from '../storage/tables.js';
import { type StaffSession, requireSession } from './session.js';

export interface AdminApiDeps {
  db: Kysely<Database>;
  shopify: Shopify;
  /** Makes sure the shop has an offline token (token exchange on first use). */
  ensureInstalled: (session: StaffSession) => Promise<void>;
  onLeadQueued?: (shop: string) => void;
}

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
  status: z.enum(['pending', 'synced', 'failed', 'no_consent', 'quarantined']).optional(),
});

/** The leads workspace's JSON API. Every query is scoped to the shop of the verified session token. */
export function adminApiRoutes(deps: AdminApiDeps) {
  const app = new Hono<{ Variables: { session: StaffSession } }>();
  app.use('*', requireSession(deps.shopify));
  app.use('*', async (c, next) => {
    await deps.ensureInstalled(c.get('session'));
    await next();
  });
  app.get('/leads', async (c) => {
    const parsed = listQuery.safeParse(c.req.query());
    if (!parsed.success) throw badRequest('invalid_query', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    return c.json(await listLeads(deps.db, c.get('session').shop, parsed.data));
  });
  app.route('/', privacyRoutes(deps.db));
  app.post('/leads/:id/release', async (c) => {
    const { shop } = c.get('session');
    const result = await releaseFromQuarantine(deps.db, shop, c.req.param('id'));
    if (result.status === 'pending') deps.onLeadQueued?.(shop);
    return c.json(result);
  });
  return app;
}
