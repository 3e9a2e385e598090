import type { Kysely } from 'kysely';
import { METAFIELDS } from '../../../schema/fields.js';
import { PURCHASE_FIELDS } from '../../../schema/purchase-fields.js';
import { nowIso } from '../leads/ids.js';
import type { Database } from '../storage/tables.js';
import type { AdminClient } from './admin-client.js';
import { type Call, type SyncOutcome, defineMetafields } from './lead-sync.js';

/** Every metafield the app itself names: the contact form's and the purchase-time catalogue's. */
export const STANDARD_DEFINITIONS = [...new Map([...Object.values(METAFIELDS), ...PURCHASE_FIELDS.map((f) => f.metafield)].map((m) => [m.key, { key: m.key, type: m.type }])).values()];

/**
 * At install, the customer metafield definitions of the app's own fields are created, so merchants find them named
 * and typed in the admin before the first lead arrives; merchants' custom keys get theirs on their first sync.
 */
export async function defineStandardMetafields(db: Kysely<Database>, client: AdminClient, shop: string, accessToken: string): Promise<void> {
  const call: Call = (query, variables) => client.request(shop, accessToken, query, variables);
  const outcome = await ensureDefinitions(db, shop, call, STANDARD_DEFINITIONS);
  if (outcome) throw new Error(`Metafield definitions incomplete: ${outcome.kind}`);
}

/**
 * Creates the definitions of the fields the shop does not have yet and remembers which exist, so definitions follow
 * the fields merchants configure without a call per lead. The sync worker calls it before each lead's writes.
 */
export async function ensureDefinitions(db: Kysely<Database>, shop: string, call: Call, fields: Array<{ key: string; type: string }>): Promise<SyncOutcome | null> {
  if (!fields.length) return null;
  const known = new Set((await db.selectFrom('metafield_definitions').select('key').where('shop', '=', shop).execute()).map((r) => r.key));
  const missing = [...new Map(fields.filter((f) => !known.has(f.key)).map((f) => [f.key, { key: f.key, type: f.type }])).values()];
  if (!missing.length) return null;
  const { defined, outcome } = await defineMetafields(call, missing);
  if (defined.length) {
    const now = nowIso();
    await db
      .insertInto('metafield_definitions')
      .values(missing.filter((f) => defined.includes(f.key)).map((f) => ({ shop, key: f.key, type: f.type, created_at: now })))
      .onConflict((oc) => oc.columns(['shop', 'key']).doNothing())
      .execute();
  }
  return outcome;
}
