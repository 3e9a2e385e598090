import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import * as z from 'zod';
import { badRequest, conflict } from '../../http/errors.js';
import type { Me, StaffMember } from '../../../../schema/workspace-api.js';
import type { Database } from '../../storage/tables.js';
import { audit, readAudit } from './audit.js';
import { PERMISSIONS, type StaffEnv, allow, assignRole, can } from './roles.js';

/** Who am I, the team and its roles (owner only), and the audit log (owner only). */
export function staffRoutes(db: Kysely<Database>) {
  const app = new Hono<StaffEnv>();

  app.get('/me', (c) => {
    const staff = c.get('staff');
    const permissions = (Object.keys(PERMISSIONS) as Array<keyof typeof PERMISSIONS>).filter((p) => can(staff.role, p));
    return c.json({ shop: c.get('session').shop, userId: staff.userId, name: staff.name, role: staff.role, permissions } satisfies Me);
  });

  app.get('/staff', allow('manageRoles'), async (c) => {
    const rows = await db
      .selectFrom('staff')
      .select(['user_id', 'name', 'role', 'is_owner', 'updated_at', 'updated_by'])
      .where('shop', '=', c.get('session').shop)
      .orderBy('user_id')
      .execute();
    return c.json({ staff: rows.map((r): StaffMember => ({ ...r, is_owner: r.is_owner === 1 })) });
  });

  app.put('/staff/:userId', allow('manageRoles'), async (c) => {
    const userId = c.req.param('userId');
    if (!/^\d{1,20}$/.test(userId)) throw badRequest('invalid_user_id', 'Staff user ids are numbers.');
    const parsed = z.object({ role: z.enum(['manager', 'viewer']) }).safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) throw badRequest('invalid_role', 'role must be manager or viewer; the owner role belongs to the shop owner.');
    const shop = c.get('session').shop;
    if ((await assignRole(db, shop, userId, parsed.data.role, c.get('staff').userId)) === 'is_owner')
      throw conflict('owner_role_fixed', "The shop owner's role cannot change.");
    await audit(db, { shop, userId: c.get('staff').userId, action: 'role_change', detail: { staff: userId, role: parsed.data.role } });
    return c.json({ user_id: userId, role: parsed.data.role });
  });

  app.get('/audit', allow('audit'), async (c) => {
    const query = z.object({ before: z.string().max(40).optional(), limit: z.coerce.number().int().min(1).max(200).default(100) }).safeParse(c.req.query());
    if (!query.success) throw badRequest('invalid_query');
    return c.json({ entries: await readAudit(db, c.get('session').shop, query.data) });
  });

  return app;
}
