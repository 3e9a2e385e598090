import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import * as z from 'zod';
import { badRequest, notFound } from '../../http/errors.js';
import { nowIso } from '../../core/ids.js';
import { packageCsv } from '../../privacy/compliance.js';
import { consentLedger } from '../../privacy/consent-ledger.js';
import type { ComplianceRequest } from '../../../../schema/workspace-api.js';
import { packageColumn, parseJsonColumn, resultColumn } from '../../storage/json-column.js';
import type { Database } from '../../storage/tables.js';
import { audit } from './audit.js';
import type { StaffEnv } from './roles.js';

/**
 * The workspace's privacy endpoints: compliance requests and their packages, each lead's consent ledger, and the
 * shop's retention period. Mounted behind the session-token and role middleware of the workspace API (owner only, but
 * the consent ledger, which managers see too).
 */
export function privacyRoutes(db: Kysely<Database>) {
  const app = new Hono<StaffEnv>();

  app.get('/compliance/requests', async (c) => {
    const rows = await db
      .selectFrom('compliance_requests')
      .select(['id', 'topic', 'status', 'received_at', 'completed_at', 'result', 'delivered_at', (eb) => eb('package', 'is not', null).as('has_package')])
      .where('shop', '=', c.get('session').shop)
      .orderBy('received_at', 'desc')
      .limit(200)
      .execute();
    const requests: ComplianceRequest[] = rows.map((r) => ({ ...r, result: parseJsonColumn(resultColumn, r.result), has_package: Boolean(r.has_package) }));
    return c.json({ requests });
  });

  app.get('/compliance/requests/:id/package', async (c) => {
    const format = c.req.query('format') === 'csv' ? 'csv' : 'json';
    const row = await db
      .selectFrom('compliance_requests')
      .select(['package'])
      .where('shop', '=', c.get('session').shop)
      .where('id', '=', c.req.param('id'))
      .executeTakeFirst();
    if (!row?.package) throw notFound('package_not_found');
    await db.updateTable('compliance_requests').set({ delivered_at: nowIso() }).where('id', '=', c.req.param('id')).where('delivered_at', 'is', null).execute();
    await audit(db, { shop: c.get('session').shop, userId: c.get('staff').userId, action: 'download_package', detail: { request: c.req.param('id'), format } });
    const pkg = parseJsonColumn(packageColumn, row.package);
    if (!pkg) throw notFound('package_not_found');
    const headers = { 'content-disposition': `attachment; filename="data-request-${c.req.param('id')}.${format}"`, 'cache-control': 'no-store' };
    return format === 'csv'
      ? c.body(packageCsv(pkg), 200, { ...headers, 'content-type': 'text/csv; charset=utf-8' })
      : c.body(JSON.stringify(pkg, null, 2), 200, { ...headers, 'content-type': 'application/json; charset=utf-8' });
  });

  app.get('/leads/:id/consent', async (c) => {
    const { shop } = c.get('session');
    const lead = await db.selectFrom('leads').select('id').where('shop', '=', shop).where('id', '=', c.req.param('id')).executeTakeFirst();
    if (!lead) throw notFound('lead_not_found');
    return c.json({ ledger: await consentLedger(db, shop, lead.id) });
  });

  app.get('/settings/retention', async (c) => {
    const row = await db.selectFrom('shops').select('retention_months').where('shop', '=', c.get('session').shop).executeTakeFirst();
    return c.json({ months: row?.retention_months ?? 24 });
  });

  app.put('/settings/retention', async (c) => {
    const parsed = z.object({ months: z.number().int().min(1).max(120) }).safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) throw badRequest('invalid_retention', 'months must be a whole number from 1 to 120');
    // A new period applies at the next purge, which is due now.
    await db.updateTable('shops').set({ retention_months: parsed.data.months, purged_at: null }).where('shop', '=', c.get('session').shop).execute();
    return c.json({ months: parsed.data.months });
  });

  return app;
}
