import type { Kysely } from 'kysely';
import { METAFIELDS } from '../../../schema/fields.js';
import { PURCHASE_QUESTIONS } from '../../../schema/purchase-questions.js';
import { nowIso } from '../core/ids.js';
import { answersColumn, parseJsonColumn } from '../storage/json-column.js';
import type { DefinitionListing } from '../../../schema/workspace-api.js';
import type { Database, Lead } from '../storage/tables.js';
import type { AdminClient } from './admin-client.js';
import { type Call, type ConsentProof, type SyncOutcome, defineMetafields, metafieldsOf } from './lead-sync.js';

/** Every metafield the app itself names: the contact form's and the purchase questions catalogue's. */
export const STANDARD_DEFINITIONS = [
  ...new Map([...Object.values(METAFIELDS), ...PURCHASE_QUESTIONS.map((f) => f.metafield)].map((m) => [m.key, { key: m.key, type: m.type }])).values(),
];
const STANDARD_KEYS: ReadonlySet<string> = new Set(STANDARD_DEFINITIONS.map((d) => d.key));

/** The default of MAX_CUSTOM_DEFINITIONS_PER_SHOP. */
export const DEFAULT_MAX_CUSTOM_DEFINITIONS = 20;

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
export async function ensureDefinitions(
  db: Kysely<Database>,
  shop: string,
  call: Call,
  fields: Array<{ key: string; type: string }>,
): Promise<SyncOutcome | null> {
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

/**
 * Before a lead's writes: its custom keys that the shop has no definition for are defined while the shop has fewer
 * than `cap` custom definitions made by the app (its own keys are not counted and always defined). A key past the cap
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

/** The definitions the app made in a shop, with how many leads used each; the app's own keys first. */
export async function listDefinitions(db: Kysely<Database>, shop: string, cap: number): Promise<DefinitionListing> {
  const rows = await db.selectFrom('metafield_definitions').select(['key', 'type', 'created_at']).where('shop', '=', shop).execute();
  const counts = await db
    .selectFrom('metafield_definition_leads')
    .select(['key', (eb) => eb.fn.countAll<number | string | bigint>().as('n')])
    .where('shop', '=', shop)
    .groupBy('key')
    .execute();
  const leads = new Map(counts.map((c) => [c.key, Number(c.n)]));
  const definitions = rows
    .map((r) => ({ key: r.key, type: r.type, created_at: r.created_at, leads: leads.get(r.key) ?? 0, app: STANDARD_KEYS.has(r.key) }))
    .sort((a, b) => Number(b.app) - Number(a.app) || a.created_at.localeCompare(b.created_at) || a.key.localeCompare(b.key));
  return { cap, custom: definitions.filter((d) => !d.app).length, definitions };
}
