import type { Expression, ExpressionBuilder, Kysely, SelectQueryBuilder, Selectable, SqlBool } from 'kysely';
import { badRequest } from '../http/errors.js';
import type { Database, LeadStatus } from '../storage/tables.js';
import { type TermHasher, queryTerms, tagTerm } from './search-terms.js';

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
  throw badRequest('invalid_cursor');
}

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString();

/**
 * The WHERE clause of a filter. Search words and the tag go through the term index (the columns are encrypted): a
 * lead matches when it holds every term.
 */
function conditions(eb: ExpressionBuilder<Database, 'leads'>, shop: string, filter: LeadFilter, hash: TermHasher, withStatus: boolean): Expression<SqlBool> {
  const all: Array<Expression<SqlBool>> = [eb('leads.shop', '=', shop)];
  const terms = [...(filter.q ? queryTerms(filter.q) : []), ...(filter.tag ? [tagTerm(filter.tag)] : [])];
  for (const term of terms) {
    all.push(eb('leads.id', 'in', eb.selectFrom('lead_terms').select('lead_terms.lead_id').where('lead_terms.shop', '=', shop).where('lead_terms.term', '=', hash(term))));
  }
  if (filter.form) all.push(eb('leads.form_id', '=', filter.form));
  if (filter.from) all.push(eb('leads.created_at', '>=', `${filter.from}T00:00:00.000Z`));
  if (filter.to) all.push(eb('leads.created_at', '<', nextDay(filter.to)));
  if (filter.consent) all.push(eb('leads.email_consent', '=', filter.consent === 'yes' ? 1 : 0));
  if (filter.handled) all.push(eb('leads.handled_at', filter.handled === 'yes' ? 'is not' : 'is', null));
  if (withStatus && filter.status) all.push(eb('leads.status', '=', filter.status));
  return eb.and(all);
}

export const LEAD_COLUMNS = [
  'id', 'created_at', 'form_id', 'email', 'first_name', 'last_name', 'phone', 'message', 'locale', 'page', 'email_consent', 'status',
  'shopify_customer_id', 'sync_error', 'synced_at', 'logged_in_customer_id', 'company', 'birthday', 'address', 'answers', 'tags', 'sms_consent',
  'handled_at', 'handled_by',
] as const;

type LeadRow = Pick<Selectable<Database['leads']>, (typeof LEAD_COLUMNS)[number]>;

export interface LeadAddress {
  address1?: string;
  address2?: string;
  city?: string;
  province?: string;
  zip?: string;
  country?: string;
}

/** A lead as the API shows it: flags as booleans, JSON columns parsed. */
export function presentLead(r: LeadRow) {
  return {
    ...r,
    email_consent: r.email_consent === 1,
    sms_consent: r.sms_consent === 1,
    address: r.address ? (JSON.parse(r.address) as LeadAddress) : null,
    answers: r.answers ? (JSON.parse(r.answers) as Array<{ key: string; kind: string; value: string }>) : [],
    tags: r.tags ? (JSON.parse(r.tags) as string[]) : [],
  };
}
export type PresentedLead = ReturnType<typeof presentLead>;

function filtered(db: Kysely<Database>, shop: string, options: ListOptions, hash: TermHasher): SelectQueryBuilder<Database, 'leads', LeadRow> {
  const desc = options.sort !== 'oldest';
  let query = db
    .selectFrom('leads')
    .select(LEAD_COLUMNS)
    .where((eb) => conditions(eb, shop, options, hash, true))
    .orderBy('created_at', desc ? 'desc' : 'asc')
    .orderBy('id', desc ? 'desc' : 'asc');
  if (options.cursor) {
    const [createdAt, id] = decodeCursor(options.cursor);
    const op = desc ? '<' : '>';
    query = query.where((w) => w.or([w('created_at', op, createdAt), w.and([w('created_at', '=', createdAt), w('id', op, id)])]));
  }
  return query;
}

/** One page, keyset-paginated on (created_at, id) so deep pages cost the same as the first. */
export async function listLeads(db: Kysely<Database>, shop: string, options: ListOptions, hash: TermHasher) {
  const rows = await filtered(db, shop, options, hash).limit(options.limit + 1).execute();
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
export async function countLeads(db: Kysely<Database>, shop: string, filter: LeadFilter, hash: TermHasher) {
  const rows = await db
    .selectFrom('leads')
    .select((eb) => ['status', eb.fn.countAll<number | string>().as('n')])
    .where((eb) => conditions(eb, shop, filter, hash, false))
    .groupBy('status')
    .execute();
  const byStatus = Object.fromEntries(LEAD_STATUSES.map((s) => [s, 0])) as Record<LeadStatus, number>;
  for (const r of rows) byStatus[r.status] = Number(r.n);
  const total = filter.status ? byStatus[filter.status] : Object.values(byStatus).reduce((a, b) => a + b, 0);
  return { total, byStatus };
}

/** The shop's forms and tags, for the filter menus. Tags are not personal data and are stored in the clear. */
export async function leadFacets(db: Kysely<Database>, shop: string) {
  const forms = await db.selectFrom('leads').select('form_id').distinct().where('shop', '=', shop).where('form_id', 'is not', null).orderBy('form_id').limit(100).execute();
  const tagRows = await db.selectFrom('leads').select('tags').distinct().where('shop', '=', shop).where('tags', 'is not', null).limit(500).execute();
  const tags = new Set<string>();
  for (const r of tagRows) for (const t of JSON.parse(r.tags ?? '[]') as string[]) tags.add(t);
  return { forms: forms.map((f) => f.form_id as string), tags: [...tags].sort().slice(0, 200) };
}
