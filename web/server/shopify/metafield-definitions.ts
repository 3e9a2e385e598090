import type { Kysely } from 'kysely';
import { DECLARED_KEYS, DECLARED_METAFIELDS } from '../../../schema/customer-metafields.js';
import { nowIso } from '../core/ids.js';
import { answersColumn, parseJsonColumn } from '../storage/json-column.js';
import type { DefinitionListing } from '../../../schema/workspace-api.js';
import type { Database, Lead } from '../storage/tables.js';
import { type Call, type ConsentProof, type SyncOutcome, defineMetafields, metafieldsOf } from './lead-sync.js';

/**
 * Every metafield the app itself names (the contact form's and the purchase questions'): declared in
 * shopify.app.toml, so Shopify makes their definitions in every shop on deploy and the app never creates them.
 */
export const STANDARD_DEFINITIONS = DECLARED_METAFIELDS.map((m) => ({ key: m.key, type: m.type }));
const STANDARD_KEYS: ReadonlySet<string> = DECLARED_KEYS;

/** The default of MAX_CUSTOM_DEFINITIONS_PER_SHOP. */
export const DEFAULT_MAX_CUSTOM_DEFINITIONS = 20;

/**
 * Creates the definitions of the custom keys the shop does not have yet and remembers which exist, so definitions
 * follow the fields merchants configure without a call per lead. Keys the app declares are never sent: their
 * definitions come with the app's deploy (and one made through the API would be a second, merchant-owned copy).
 */
async function ensureDefinitions(db: Kysely<Database>, shop: string, call: Call, fields: Array<{ key: string; type: string }>): Promise<SyncOutcome | null> {
  const custom = fields.filter((f) => !STANDARD_KEYS.has(f.key));
  if (!custom.length) return null;
  const known = new Set((await db.selectFrom('metafield_definitions').select('key').where('shop', '=', shop).execute()).map((r) => r.key));
  const missing = [...new Map(custom.filter((f) => !known.has(f.key)).map((f) => [f.key, { key: f.key, type: f.type }])).values()];
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

/**
 * Before a lead's writes: its custom keys that the shop has no definition for are defined while the shop has fewer
 * than `cap` custom definitions made by the app (its own keys are declared, so neither counted nor created). A key past the cap
 * is neither defined nor written: its answer stays on the lead, marked `definition_cap` so staff see why. This keeps
 * what cart attributes (which a shopper can set) or a merchant's key churn can add to a shop's admin bounded.
 * Returns the lead as it must be synced, and records which keys each lead used for the workspace's list.
 *
 * The count is read then acted on without a lock: two processes syncing the same shop at the same moment may each
 * take the last free place, so the cap can be exceeded by a few definitions then, never more.
 */
export async function ensureLeadDefinitions(
  db: Kysely<Database>,
  shop: string,
  call: Call,
  lead: Lead,
  consent: ConsentProof | null,
  cap: number,
): Promise<{ lead: Lead; outcome: SyncOutcome | null }> {
  const known = new Set((await db.selectFrom('metafield_definitions').select('key').where('shop', '=', shop).execute()).map((r) => r.key));
  let room = cap - [...known].filter((k) => !STANDARD_KEYS.has(k)).length;
  const over = new Set<string>();
  for (const field of metafieldsOf(lead, consent)) {
    if (known.has(field.key) || STANDARD_KEYS.has(field.key) || over.has(field.key)) continue;
    if (room > 0) {
      room--;
      known.add(field.key);
    } else over.add(field.key);
  }
  let synced = lead;
  if (over.size && lead.answers) {
    const answers = (parseJsonColumn(answersColumn, lead.answers) ?? []).map((a) =>
      over.has(a.key) && !a.held ? { ...a, held: 'definition_cap' as const } : a,
    );
    synced = { ...lead, answers: JSON.stringify(answers) };
    await db.updateTable('leads').set({ answers: synced.answers }).where('id', '=', lead.id).where('shop', '=', shop).execute();
  }
  const fields = metafieldsOf(synced, consent);
  const outcome = await ensureDefinitions(db, shop, call, fields);
  const used = [...new Set(fields.map((f) => f.key))];
  if (used.length) {
    await db
      .insertInto('metafield_definition_leads')
      .values(used.map((key) => ({ shop, key, lead_id: lead.id })))
      .onConflict((oc) => oc.columns(['shop', 'key', 'lead_id']).doNothing())
      .execute();
  }
  return { lead: synced, outcome };
}

export type { DefinitionListing } from '../../../schema/workspace-api.js';

/**
 * The app's customer metafield definitions in a shop, with how many leads used each: its declared ones first (no
 * creation date: they come with the app's deploy), then the custom ones it created, oldest first.
 */
export async function listDefinitions(db: Kysely<Database>, shop: string, cap: number): Promise<DefinitionListing> {
  const rows = await db.selectFrom('metafield_definitions').select(['key', 'type', 'created_at']).where('shop', '=', shop).execute();
  const counts = await db
    .selectFrom('metafield_definition_leads')
    .select(['key', (eb) => eb.fn.countAll<number | string | bigint>().as('n')])
    .where('shop', '=', shop)
    .groupBy('key')
    .execute();
  const leads = new Map(counts.map((c) => [c.key, Number(c.n)]));
  const declared = DECLARED_METAFIELDS.map((d) => ({ key: d.key, type: d.type, created_at: null, leads: leads.get(d.key) ?? 0, app: true }));
  // Rows for declared keys are from versions that created them through the API: the declared entry stands for them.
  const custom = rows
    .filter((r) => !STANDARD_KEYS.has(r.key))
    .map((r) => ({ key: r.key, type: r.type, created_at: r.created_at, leads: leads.get(r.key) ?? 0, app: false }))
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.key.localeCompare(b.key));
  return { cap, custom: custom.length, definitions: [...declared, ...custom] };
}
