import { type Expression, type ExpressionBuilder, type Kysely, type SelectQueryBuilder, type Selectable, type SqlBool, sql } from 'kysely';
import { invalid } from '../core/errors.js';
import { everyHash } from '../storage/lookup-keys.js';
import type { LeadCounts, LeadFacets, LeadPage, WorkspaceLead } from '../../../schema/workspace-api.js';
import { readableRow } from '../storage/field-encryption.js';
import { addressColumn, answersColumn, parseJsonColumn, syncWarningsColumn, tagsColumn } from '../storage/json-column.js';
import type { Database, LeadStatus, LeadTermsTable } from '../storage/tables.js';
import { type TermHasher, queryTerms, tagTerm } from './search-terms.js';
import { doiStateOf } from './double-opt-in.js';

export const LEAD_STATUSES = ['pending', 'synced', 'failed', 'no_consent', 'quarantined'] as const satisfies readonly LeadStatus[];

/** The workspace's filters; every one is optional and they combine with AND. */
export interface LeadFilter {
  q?: string | undefined;
  form?: string | undefined;
  /** Inclusive days, YYYY-MM-DD, UTC. */
  from?: string | undefined;
  to?: string | undefined;
  consent?: 'yes' | 'no' | undefined;
  status?: LeadStatus | undefined;
  tag?: string | undefined;
  handled?: 'yes' | 'no' | undefined;
  /** Double opt-in: links still valid, confirmed, or expired unconfirmed. */
  optin?: 'pending' | 'confirmed' | 'expired' | undefined;
  /**
   * `visible`: words and tags match only terms of what a viewer sees unmasked (message words, tags), so a viewer's
   * prefix and suffix searches cannot rebuild a masked name or phone number.
   */
  scope?: 'all' | 'visible' | undefined;
}

export interface ListOptions extends LeadFilter {
  limit: number;
  cursor?: string | undefined;
  sort?: 'newest' | 'oldest' | undefined;
}

const encodeCursor = (createdAt: string, id: string) => Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');

function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'string') return [value[0], value[1]];
  } catch {
    // fall through to the error below
  }
  throw invalid('invalid_cursor');
}

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString();

/** The WHERE clause of a filter's plain columns (search words and tags go through the term index, below). */
function conditions(eb: ExpressionBuilder<Database, 'leads'>, shop: string, filter: LeadFilter, withStatus: boolean): Expression<SqlBool> {
  const all: Array<Expression<SqlBool>> = [eb('leads.shop', '=', shop)];
  if (filter.form) all.push(eb('leads.form_id', '=', filter.form));
  if (filter.from) all.push(eb('leads.created_at', '>=', `${filter.from}T00:00:00.000Z`));
  if (filter.to) all.push(eb('leads.created_at', '<', nextDay(filter.to)));
  if (filter.consent) all.push(eb('leads.email_consent', '=', filter.consent === 'yes' ? 1 : 0));
  if (filter.handled) all.push(eb('leads.handled_at', filter.handled === 'yes' ? 'is not' : 'is', null));
  if (withStatus && filter.status) all.push(eb('leads.status', '=', filter.status));
  if (filter.optin === 'confirmed') all.push(eb('leads.doi_state', '=', 'confirmed'));
  else if (filter.optin) {
    const now = new Date().toISOString();
    all.push(eb('leads.doi_state', '=', 'pending'), eb('leads.doi_expires_at', filter.optin === 'pending' ? '>' : '<=', now));
  }
  return eb.and(all);
}

const PROBE_LIMIT = 2000;
export const COUNT_CAP = 1_000;

/**
 * The hashed terms of a filter, rarest first. Counting each term's index entries (up to a cap) costs a few index
 * reads and lets the rarest term drive the query: a search for "example zephyrine" reads zephyrine's one lead, not
 * example's hundred thousand. Each term is a group of hashes, one per lookup key a lead may be indexed under (one
 * outside a key rotation); a lead's terms are all under one key, so matching any hash of each group is exact.
 */
type TermGroup = string[];

async function plannedTerms(db: Kysely<Database>, shop: string, filter: LeadFilter, hash: TermHasher): Promise<TermGroup[] | null> {
  const plain = [...new Set([...(filter.q ? queryTerms(filter.q) : []), ...(filter.tag ? [tagTerm(filter.tag)] : [])])];
  const terms = plain.map((t) => everyHash(hash, t));
  const visibleOnly = filter.scope === 'visible';
  if (terms.length < 2 && !visibleOnly) return terms;
  const sizes = await Promise.all(
    terms.map(async (term) => {
      const row = await db
        .selectFrom((eb) =>
          eb
            .selectFrom('lead_terms')
            .select('lead_id')
            .where('shop', '=', shop)
            .where('term', 'in', term)
            .$if(visibleOnly, (q) => q.where('visible', '=', 1))
            .limit(PROBE_LIMIT)
            .as('probe'),
        )
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      return { term, n: Number(row.n) };
    }),
  );
  // A word no lead has: nothing can match.
  if (sizes.some((s) => s.n === 0)) return null;
  return sizes.sort((a, b) => a.n - b.n).map((s) => s.term);
}

type Sort = 'newest' | 'oldest' | undefined;

/**
 * The leads of a filter, newest (or oldest) first. With search terms the query starts from the rarest term's index
 * entries, already in date order, joins each to its lead, and checks the other terms by point lookups; without, it
 * walks the leads' own (shop, created_at) index. Either way nothing is sorted and a page reads about a page of rows.
 */
type Joined = SelectQueryBuilder<Database & { t0: LeadTermsTable }, 'leads' | 't0', object>;

function selectLeads(
  db: Kysely<Database>,
  shop: string,
  filter: LeadFilter,
  terms: TermGroup[],
  sort: Sort,
  cursor: string | undefined,
  withStatus: boolean,
): { query: Joined; order: readonly [string, string]; desc: boolean } {
  const desc = sort !== 'oldest';
  const op = desc ? '<' : '>';
  const [driver, ...others] = terms;
  if (driver === undefined) {
    let query = db.selectFrom('leads').where((eb) => conditions(eb, shop, filter, withStatus));
    if (cursor) {
      const [createdAt, id] = decodeCursor(cursor);
      // A row-value comparison, which both engines answer with one index range (an OR of two ranges they do not).
      query = query.where((w) => w(w.refTuple('leads.created_at', 'leads.id'), op, w.tuple(createdAt, id)));
    }
    // Callers select, group and order on leads.* only, so this query can stand where the joined one does.
    return { query: query, order: ['leads.created_at', 'leads.id'], desc };
  }
  const visibleOnly = filter.scope === 'visible';
  // One hash (no rotation under way) keeps the equality that walks the index in date order.
  let query = db
    .selectFrom('lead_terms as t0')
    .innerJoin('leads', 'leads.id', 't0.lead_id')
    .where('t0.shop', '=', shop)
    .where((eb) => (driver.length === 1 ? eb('t0.term', '=', driver[0]!) : eb('t0.term', 'in', driver)))
    .$if(visibleOnly, (q) => q.where('t0.visible', '=', 1))
    // The joined row is a lead of this shop; conditions() only names the leads table.
    .where((eb) => conditions(eb as unknown as ExpressionBuilder<Database, 'leads'>, shop, filter, withStatus));
  for (const term of others) {
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('lead_terms as tk')
          .select('tk.lead_id')
          .where('tk.shop', '=', shop)
          .where((w) => (term.length === 1 ? w('tk.term', '=', term[0]!) : w('tk.term', 'in', term)))
          .$if(visibleOnly, (q) => q.where('tk.visible', '=', 1))
          .whereRef('tk.created_at', '=', 't0.created_at')
          .whereRef('tk.lead_id', '=', 't0.lead_id'),
      ),
    );
  }
  if (cursor) {
    const [createdAt, id] = decodeCursor(cursor);
    query = query.where((w) => w(w.refTuple('t0.created_at', 't0.lead_id'), op, w.tuple(createdAt, id)));
  }
  return { query, order: ['t0.created_at', 't0.lead_id'], desc };
}

export const LEAD_COLUMNS = [
  'id',
  'created_at',
  'form_id',
  'email',
  'first_name',
  'last_name',
  'phone',
  'message',
  'locale',
  'page',
  'email_consent',
  'status',
  'shopify_customer_id',
  'sync_error',
  'synced_at',
  'logged_in_customer_id',
  'company',
  'birthday',
  'address',
  'answers',
  'tags',
  'sms_consent',
  'whatsapp_consent',
  'handled_at',
  'handled_by',
  'source',
  'order_id',
  'sync_warnings',
  'doi_state',
  'doi_expires_at',
  'doi_confirmed_at',
] as const;

type LeadRow = Pick<Selectable<Database['leads']>, (typeof LEAD_COLUMNS)[number]>;

/**
 * A lead as the API shows it: flags as booleans, JSON columns parsed. A field that could not be decrypted is null and
 * named in `unreadable` (the storage logged where it is), so one damaged value never fails the page it is on.
 */
export function presentLead(r: LeadRow): WorkspaceLead {
  const { doi_state, doi_expires_at, doi_confirmed_at, ...readable } = readableRow(r);
  return {
    ...readable,
    double_opt_in: doiStateOf(doi_state, doi_expires_at, Date.now()),
    double_opt_in_confirmed_at: doi_confirmed_at,
    email_consent: r.email_consent === 1,
    sms_consent: r.sms_consent === 1,
    whatsapp_consent: r.whatsapp_consent === 1,
    address: parseJsonColumn(addressColumn, readable.address),
    answers: parseJsonColumn(answersColumn, readable.answers) ?? [],
    tags: parseJsonColumn(tagsColumn, r.tags) ?? [],
    sync_warnings: parseJsonColumn(syncWarningsColumn, r.sync_warnings) ?? [],
  };
}
export type PresentedLead = WorkspaceLead;

/** One page, keyset-paginated on (created_at, id) so deep pages cost the same as the first. */
export async function listLeads(db: Kysely<Database>, shop: string, options: ListOptions, hash: TermHasher): Promise<LeadPage> {
  const terms = await plannedTerms(db, shop, options, hash);
  if (terms === null) return { leads: [], nextCursor: null };
  const { query, order, desc } = selectLeads(db, shop, options, terms, options.sort, options.cursor, true);
  const rows = await query
    .select(LEAD_COLUMNS.map((c) => `leads.${c}` as const))
    .orderBy(sql.ref(order[0]), desc ? 'desc' : 'asc')
    .orderBy(sql.ref(order[1]), desc ? 'desc' : 'asc')
    .limit(options.limit + 1)
    .execute();
  const page = rows.slice(0, options.limit);
  const last = page[page.length - 1];
  return {
    leads: page.map(presentLead),
    nextCursor: rows.length > options.limit && last ? encodeCursor(last.created_at, last.id) : null,
  };
}

/** Every lead of a filter, a batch at a time (exports): memory stays at one batch whatever the total. */
export async function* eachLead(db: Kysely<Database>, shop: string, filter: LeadFilter & { sort?: 'newest' | 'oldest' }, hash: TermHasher, batch = 500) {
  let cursor: string | null | undefined;
  do {
    const page = await listLeads(db, shop, { ...filter, limit: batch, cursor: cursor ?? undefined }, hash);
    yield page.leads;
    cursor = page.nextCursor;
  } while (cursor);
}

/** Counts per status for the filter (ignoring its status), so the UI shows totals and the status tabs at once. */
export async function countLeads(db: Kysely<Database>, shop: string, filter: LeadFilter, hash: TermHasher): Promise<LeadCounts> {
  const byStatus = Object.fromEntries(LEAD_STATUSES.map((s) => [s, 0])) as Record<LeadStatus, number>;
  const terms = await plannedTerms(db, shop, filter, hash);
  let capped = false;
  if (terms !== null && terms.length === 0) {
    // Without search words the leads' own indexes count quickly, whatever the total.
    const { query } = selectLeads(db, shop, filter, terms, undefined, undefined, false);
    const rows = await query
      .select((eb) => ['leads.status', eb.fn.countAll<number | string>().as('n')])
      .groupBy('leads.status')
      .execute();
    for (const r of rows) byStatus[r.status] = Number(r.n);
  } else if (terms !== null) {
    // A search for a word most leads hold would join every one of them to count: counting stops at COUNT_CAP and
    // the page says "more than".
    const { query } = selectLeads(db, shop, filter, terms, undefined, undefined, false);
    const rows = await db
      .selectFrom(
        query
          .select('leads.status')
          .limit(COUNT_CAP + 1)
          .as('hits'),
      )
      .select((eb) => ['hits.status', eb.fn.countAll<number | string>().as('n')])
      .groupBy('hits.status')
      .execute();
    for (const r of rows) byStatus[r.status] = Number(r.n);
    capped = rows.reduce((sum, r) => sum + Number(r.n), 0) > COUNT_CAP;
  }
  const total = filter.status ? byStatus[filter.status] : Object.values(byStatus).reduce((a, b) => a + b, 0);
  return { total, byStatus, capped };
}

/**
 * The shop's forms and tags, for the filter menus. Tags are not personal data and are stored in the clear. `since`:
 * only leads created after it (what a cached answer lacks; the `leads_shop_created` index reads just those).
 */
export async function leadFacets(db: Kysely<Database>, shop: string, since?: string): Promise<LeadFacets> {
  const forms = await db
    .selectFrom('leads')
    .select('form_id')
    .distinct()
    .where('shop', '=', shop)
    .$if(since !== undefined, (qb) => qb.where('created_at', '>', since!))
    .where('form_id', 'is not', null)
    .orderBy('form_id')
    .limit(100)
    .execute();
  const tagRows = await db
    .selectFrom('leads')
    .select('tags')
    .distinct()
    .where('shop', '=', shop)
    .$if(since !== undefined, (qb) => qb.where('created_at', '>', since!))
    .where('tags', 'is not', null)
    .limit(500)
    .execute();
  const tags = new Set<string>();
  for (const r of tagRows) for (const t of parseJsonColumn(tagsColumn, r.tags) ?? []) tags.add(t);
  return { forms: forms.map((f) => f.form_id as string), tags: [...tags].sort().slice(0, 200) };
}
