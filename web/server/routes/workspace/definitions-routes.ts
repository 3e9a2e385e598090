import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { listDefinitions } from '../../shopify/metafield-definitions.js';
import type { Database } from '../../storage/tables.js';
import { type StaffEnv, allow } from './roles.js';

/**
 * The customer metafield definitions the app has made in the shop, with how many leads used each and the cap on
 * custom ones, so owners and managers see what the forms add to the shop's admin and why an answer was kept back.
 */
export function definitionsRoutes(db: Kysely<Database>, cap: number) {
  const app = new Hono<StaffEnv>();
  app.get('/metafield-definitions', allow('work'), async (c) => c.json(await listDefinitions(db, c.get('session').shop, cap)));
  return app;
}
