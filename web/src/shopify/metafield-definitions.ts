import type { Kysely } from 'kysely';
import { METAFIELDS } from '../../../schema/fields.js';
import { PURCHASE_FIELDS } from '../../../schema/purchase-fields.js';
import { nowIso } from '../leads/ids.js';
import type { Database } from '../storage/tables.js';
import type { AdminClient } from './admin-client.js';
import { type Call, defineMetafields } from './lead-sync.js';

/** Every metafield the app itself names: the contact form's and the purchase-time catalogue's. */
export const STANDARD_DEFINITIONS = [...new Map([...Object.values(METAFIELDS), ...PURCHASE_FIELDS.map((f) => f.metafield)].map((m) => [m.key, { key: m.key, type: m.type }])).values()];

/**
 * At install, the customer metafield definitions of the app's own fields are created, so merchants find them named
 * and typed in the admin before the first lead arrives; merchants' custom keys get theirs on their first sync
 * (sync-worker.ts). Remembered in `metafield_definitions` so neither path repeats a call.
 */
export async function defineStandardMetafields(db: Kysely<Database>, client: AdminClient, shop: string, accessToken: string): Promise<number> {
  const call: Call = (query, variables) => client.request(shop, accessToken, query, variables);
  const { defined, outcome } = await defineMetafields(call, STANDARD_DEFINITIONS);
  if (defined.length) {
    const now = nowIso();
    await db
      .insertInto('metafield_definitions')
      .values(STANDARD_DEFINITIONS.filter((d) => defined.includes(d.key)).map((d) => ({ shop, key: d.key, type: d.type, created_at: now })))
      .onConflict((oc) => oc.columns(['shop', 'key']).doNothing())
      .execute();
  }
  if (outcome) throw new Error(`Metafield definitions incomplete: ${outcome.kind}`);
  return defined.length;
}
