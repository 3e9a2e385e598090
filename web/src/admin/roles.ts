import type { MiddlewareHandler } from 'hono';
import type { Kysely } from 'kysely';
import { forbidden } from '../http/errors.js';
import { nowIso } from '../leads/ids.js';
import type { Database, Role } from '../storage/tables.js';
import type { StaffSession } from './session.js';

/**
 * What each role may do. Viewers look (personal data masked); managers work the leads; the shop's owner also decides
 * who is who, reads the audit log and handles data requests.
 */
export const PERMISSIONS = {
  read: ['owner', 'manager', 'viewer'],
  unmasked: ['owner', 'manager'],
  work: ['owner', 'manager'],
  export: ['owner', 'manager'],
  delete: ['owner', 'manager'],
  manageRoles: ['owner'],
  audit: ['owner'],
  privacy: ['owner'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

export const can = (role: Role, permission: Permission): boolean => (PERMISSIONS[permission] as readonly Role[]).includes(role);

export interface StaffMember {
  userId: string;
  role: Role;
  name: string | null;
}

/** Who a staff user is, as Shopify says (online token exchange's associated_user). */
export interface StaffIdentity {
  accountOwner: boolean;
  name: string | null;
}

export type IdentifyStaff = (session: StaffSession) => Promise<StaffIdentity>;

export type StaffEnv = { Variables: { session: StaffSession; staff: StaffMember } };

/**
 * Finds the signed-in staff member's role. The first time a user opens the app, Shopify tells whether they own the
 * shop; the owner gets `owner`, anyone else starts as `viewer` (least privilege) until the owner assigns a role.
 */
export function requireStaff(db: Kysely<Database>, identify: IdentifyStaff): MiddlewareHandler<StaffEnv> {
  return async (c, next) => {
    const session = c.get('session');
    let row = await db.selectFrom('staff').select(['user_id', 'role', 'name']).where('shop', '=', session.shop).where('user_id', '=', session.userId).executeTakeFirst();
    if (!row) {
      const who = await identify(session);
      const role: Role = who.accountOwner ? 'owner' : 'viewer';
      await db
        .insertInto('staff')
        .values({ shop: session.shop, user_id: session.userId, name: who.name, role, is_owner: who.accountOwner ? 1 : 0, updated_at: nowIso(), updated_by: null })
        .onConflict((oc) => oc.columns(['shop', 'user_id']).doNothing())
        .execute();
      row = { user_id: session.userId, role, name: who.name };
    }
    c.set('staff', { userId: row.user_id, role: row.role, name: row.name });
    await next();
  };
}

export function allow(permission: Permission): MiddlewareHandler<StaffEnv> {
  return async (c, next) => {
    if (!can(c.get('staff').role, permission)) throw forbidden('role_forbids', `The ${c.get('staff').role} role cannot do this.`);
    await next();
  };
}

/** The owner's assignment. The owner's own role is fixed: a shop always keeps someone who can manage roles. */
export async function assignRole(db: Kysely<Database>, shop: string, userId: string, role: Exclude<Role, 'owner'>, by: string): Promise<'ok' | 'is_owner'> {
  const existing = await db.selectFrom('staff').select(['is_owner']).where('shop', '=', shop).where('user_id', '=', userId).executeTakeFirst();
  if (existing?.is_owner === 1) return 'is_owner';
  const now = nowIso();
  await db
    .insertInto('staff')
    .values({ shop, user_id: userId, name: null, role, is_owner: 0, updated_at: now, updated_by: by })
    .onConflict((oc) => oc.columns(['shop', 'user_id']).doUpdateSet({ role, updated_at: now, updated_by: by }))
    .execute();
  return 'ok';
}
