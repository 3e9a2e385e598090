import type { MiddlewareHandler } from 'hono';
import type { ExpressionBuilder, Kysely } from 'kysely';
import { forbidden } from '../../http/errors.js';
import { nowIso } from '../../core/ids.js';
import type { Database, Role } from '../../storage/tables.js';
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

/** How long Shopify's word on who owns the shop is trusted before the next request asks again. */
export const OWNER_RECHECK_MS = 10 * 60_000;

/**
 * Finds the signed-in staff member's role. Shopify says (online token exchange) whether a user owns the shop: the
 * owner gets `owner`, anyone else starts as `viewer` (least privilege) until the owner assigns a role. Ownership
 * can pass to someone else in Shopify, so the answer is asked again when it is older than OWNER_RECHECK_MS (a session
 * token lives a minute; exchanging one per minute per staff member would be a token exchange on most requests): a
 * new owner gets the role, and a former owner loses it. If Shopify cannot be reached, a known member keeps their role.
 */
export function requireStaff(db: Kysely<Database>, identify: IdentifyStaff, clock: () => number = Date.now): MiddlewareHandler<StaffEnv> {
  return async (c, next) => {
    const session = c.get('session');
    const row = await db
      .selectFrom('staff')
      .select(['user_id', 'role', 'name', 'is_owner', 'owner_checked_at'])
      .where('shop', '=', session.shop)
      .where('user_id', '=', session.userId)
      .executeTakeFirst();
    const now = clock();
    const checked = row?.owner_checked_at ? Date.parse(row.owner_checked_at) : Number.NaN;
    let member: StaffMember | null = row ? { userId: row.user_id, role: row.role, name: row.name } : null;
    if (!member || !(now - checked < OWNER_RECHECK_MS)) {
      let who: StaffIdentity | null = null;
      try {
        who = await identify(session);
      } catch (error) {
        if (!member) throw error;
      }
      if (who) member = await applyIdentity(db, session, who, row ?? null, new Date(now).toISOString());
    }
    c.set('staff', member!);
    await next();
  };
}

/**
 * Records what Shopify said: the account owner holds `owner` (and anyone else who held it loses it, so the new owner
 * can assign them a role); a member who no longer owns the shop drops to `viewer` until the owner decides.
 */
async function applyIdentity(
  db: Kysely<Database>,
  session: StaffSession,
  who: StaffIdentity,
  row: { role: Role; is_owner: number } | null,
  now: string,
): Promise<StaffMember> {
  const role: Role = who.accountOwner ? 'owner' : row && row.role !== 'owner' ? row.role : 'viewer';
  const owner = who.accountOwner ? 1 : 0;
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('staff')
      .values({ shop: session.shop, user_id: session.userId, name: who.name, role, is_owner: owner, updated_at: now, updated_by: null, owner_checked_at: now })
      .onConflict((oc) =>
        oc.columns(['shop', 'user_id']).doUpdateSet({
          name: who.name,
          role,
          is_owner: owner,
          owner_checked_at: now,
          ...(row && row.role !== role ? { updated_at: now, updated_by: null } : {}),
        }),
      )
      .execute();
    if (who.accountOwner) {
      const former = (eb: ExpressionBuilder<Database, 'staff'>) =>
        eb.and([eb('shop', '=', session.shop), eb('user_id', '<>', session.userId), eb.or([eb('is_owner', '=', 1), eb('role', '=', 'owner')])]);
      await trx
        .updateTable('staff')
        .set({ role: 'viewer', is_owner: 0, updated_at: now, updated_by: null })
        .where(former)
        .where('role', '=', 'owner')
        .execute();
      await trx.updateTable('staff').set({ is_owner: 0 }).where(former).execute();
    }
    return { userId: session.userId, role, name: who.name };
  });
}

export function allow(permission: Permission): MiddlewareHandler<StaffEnv> {
  return async (c, next) => {
    if (!can(c.get('staff').role, permission)) throw forbidden('role_forbids', `The ${c.get('staff').role} role cannot do this.`);
    await next();
  };
}

/**
 * The owner's assignment. The current account owner's role is fixed: a shop always keeps someone who can manage roles.
 * A former owner is no longer marked as owner (requireStaff clears it when Shopify names another), so they can be
 * given any role.
 */
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
