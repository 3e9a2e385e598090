import type { Kysely } from 'kysely';
import { normalizePhone } from '../../../schema/submission.js';
import type { Database } from '../storage/tables.js';

/** A customer as Shopify names one in compliance webhooks: matched on id, email OR phone. */
export interface CustomerRef {
  id?: number | string | null;
  email?: string | null;
  phone?: string | null;
}

function customerLeads(db: Kysely<Database>, shop: string, customer: CustomerRef) {
  const id = customer.id === null || customer.id === undefined ? null : String(customer.id);
  const email = customer.email?.trim().toLowerCase() || null;
  const phone = customer.phone ? normalizePhone(customer.phone) : null;
  return db
    .selectFrom('leads')
    .select('id')
    .where('shop', '=', shop)
    .where((w) =>
      w.or([
        ...(email ? [w(w.fn('lower', ['email']), '=', email)] : []),
        ...(phone ? [w('phone', '=', phone)] : []),
        ...(id ? [w('logged_in_customer_id', '=', id), w('shopify_customer_id', '=', `gid://shopify/Customer/${id}`)] : []),
        // No identifier at all must match nothing, never everything.
        w.lit(false),
      ]),
    );
}

export async function countCustomerLeads(db: Kysely<Database>, shop: string, customer: CustomerRef): Promise<number> {
  return (await customerLeads(db, shop, customer).execute()).length;
}

/** Deletes the customer's leads with their consent records and outbox jobs (one transaction). */
export async function eraseCustomer(db: Kysely<Database>, shop: string, customer: CustomerRef): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const ids = (await customerLeads(trx, shop, customer).execute()).map((r) => r.id);
    if (!ids.length) return 0;
    await trx.deleteFrom('outbox_jobs').where('lead_id', 'in', ids).execute();
    await trx.deleteFrom('consent_records').where('lead_id', 'in', ids).execute();
    await trx.deleteFrom('leads').where('id', 'in', ids).execute();
    return ids.length;
  });
}

export async function eraseShop(db: Kysely<Database>, shop: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await trx.deleteFrom('outbox_jobs').where('shop', '=', shop).execute();
    await trx.deleteFrom('consent_records').where('shop', '=', shop).execute();
    const deleted = await trx.deleteFrom('leads').where('shop', '=', shop).executeTakeFirst();
    await trx.deleteFrom('shops').where('shop', '=', shop).execute();
    return Number(deleted.numDeletedRows);
  });
}
