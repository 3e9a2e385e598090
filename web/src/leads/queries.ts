import type { Kysely } from 'kysely';
import { badRequest } from '../http/errors.js';
import type { Database, LeadStatus } from '../storage/tables.js';

export interface ListOptions {
  limit: number;
  cursor?: string | undefined;
  status?: LeadStatus | undefined;
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

/** Newest first, keyset-paginated on (created_at, id) so deep pages cost the same as the first. */
export async function listLeads(db: Kysely<Database>, shop: string, options: ListOptions) {
  let query = db
    .selectFrom('leads')
    .select(['id', 'created_at', 'form_id', 'email', 'first_name', 'last_name', 'phone', 'message', 'locale', 'page', 'email_consent', 'status', 'shopify_customer_id', 'sync_error', 'synced_at', 'logged_in_customer_id', 'company', 'birthday', 'address', 'answers', 'tags', 'sms_consent'])
    .where('shop', '=', shop)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit + 1);
  if (options.status) query = query.where('status', '=', options.status);
  if (options.cursor) {
    const [createdAt, id] = decodeCursor(options.cursor);
    query = query.where((w) => w.or([w('created_at', '<', createdAt), w.and([w('created_at', '=', createdAt), w('id', '<', id)])]));
  }
  const rows = await query.execute();
  const page = rows.slice(0, options.limit);
  const last = page[page.length - 1];
  return {
    leads: page.map((r) => ({
      ...r,
      email_consent: r.email_consent === 1,
      sms_consent: r.sms_consent === 1,
      address: r.address ? (JSON.parse(r.address) as Record<string, string>) : null,
      answers: r.answers ? (JSON.parse(r.answers) as Array<{ key: string; kind: string; value: string }>) : [],
      tags: r.tags ? (JSON.parse(r.tags) as string[]) : [],
    })),
    nextCursor: rows.length > options.limit && last ? encodeCursor(last.created_at, last.id) : null,
  };
}
