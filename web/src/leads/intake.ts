import type { Kysely } from 'kysely';
import { normalizePhone, type Submission } from '../../../schema/submission.js';
import { HttpError } from '../http/errors.js';
import type { Database, Lead, LeadStatus } from '../storage/tables.js';
import { canonicalJson, newId, nowIso, sha256Hex } from './ids.js';

export interface IntakeInput {
  /** From the verified proxy query, never from the body. */
  shop: string;
  loggedInCustomerId: string | null;
  submission: Submission;
  /** From the Idempotency-Key header or the form's hidden field; null when the client sent none. */
  idempotencyKey: string | null;
  /**
   * A key rendered by Liquid in a no-JS form can repeat across shoppers when Shopify serves a cached page. Such keys
   * dedupe only identical bodies (a double click); a different body under the same key is another shopper's lead.
   */
  keyFromCachedPage?: boolean;
  locale: string;
}

export interface IntakeResult {
  lead: Pick<Lead, 'id' | 'status' | 'created_at'>;
  /** True when this request repeated an earlier one with the same key and body. */
  replayed: boolean;
}

export const CONSENT_SOURCE = 'storefront_contact_form';

/**
 * Stores a lead, its consent record and (only when the shopper consented) its outbox job in ONE transaction, so a
 * lead is never acknowledged without the job that will carry it to Shopify, and never synced without consent.
 */
export async function acceptLead(db: Kysely<Database>, input: IntakeInput, clock: () => number = Date.now): Promise<IntakeResult> {
  const { submission, shop } = input;
  const { idempotency_key: _ignored, ...content } = submission;
  const bodyHash = sha256Hex(canonicalJson({ ...content, logged_in_customer_id: input.loggedInCustomerId }));
  const key = input.idempotencyKey === null ? `server-${newId()}` : input.keyFromCachedPage ? `${input.idempotencyKey}.${bodyHash.slice(0, 16)}` : input.idempotencyKey;

  const earlier = await findByKey(db, shop, key);
  if (earlier) return replay(earlier, bodyHash);

  const consented = submission.email_marketing_consent === true;
  const status: LeadStatus = consented ? 'pending' : 'no_consent';
  const now = nowIso(clock);
  const id = newId();
  try {
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('leads')
        .values({
          id,
          shop,
          form_id: submission.form_id ?? null,
          created_at: now,
          email: submission.email,
          first_name: submission.first_name ?? null,
          last_name: submission.last_name ?? null,
          phone: submission.phone ? normalizePhone(submission.phone) : null,
          message: submission.message ?? null,
          locale: input.locale,
          page: submission.page ?? null,
          logged_in_customer_id: input.loggedInCustomerId,
          email_consent: consented ? 1 : 0,
          status,
          shopify_customer_id: null,
          sync_error: null,
          synced_at: null,
          idempotency_key: key,
          body_hash: bodyHash,
        })
        .execute();
      // A refusal is recorded too: it proves the box was offered unticked and left so.
      await trx
        .insertInto('consent_records')
        .values({
          id: newId(),
          shop,
          lead_id: id,
          channel: 'email',
          granted: consented ? 1 : 0,
          text: submission.consent_text ?? null,
          text_sha256: submission.consent_text ? sha256Hex(submission.consent_text) : null,
          locale: input.locale,
          page: submission.page ?? null,
          source: CONSENT_SOURCE,
          opt_in_level: 'SINGLE_OPT_IN',
          recorded_at: now,
        })
        .execute();
      if (consented) {
        await trx
          .insertInto('outbox_jobs')
          .values({
            id: newId(),
            shop,
            lead_id: id,
            kind: 'sync_lead',
            state: 'pending',
            run_after: now,
            lease_until: null,
            last_error: null,
            created_at: now,
            updated_at: now,
          })
          .execute();
      }
    });
  } catch (error) {
    // Two concurrent requests with one key: the unique index lets exactly one in; the other answers as a replay.
    const winner = await findByKey(db, shop, key);
    if (winner) return replay(winner, bodyHash);
    throw error;
  }
  return { lead: { id, status, created_at: now }, replayed: false };
}

function findByKey(db: Kysely<Database>, shop: string, key: string) {
  return db
    .selectFrom('leads')
    .select(['id', 'status', 'created_at', 'body_hash'])
    .where('shop', '=', shop)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}

function replay(earlier: Pick<Lead, 'id' | 'status' | 'created_at' | 'body_hash'>, bodyHash: string): IntakeResult {
  if (earlier.body_hash !== bodyHash) {
    throw new HttpError(422, 'idempotency_key_reused', 'This idempotency key was already used with a different body.');
  }
  const { body_hash: _hash, ...lead } = earlier;
  return { lead, replayed: true };
}
