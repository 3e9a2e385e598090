import type { Kysely, Transaction } from 'kysely';
import { postalAddressJson } from '../../../schema/contact-fields.js';
import { normalizePhone, type Submission } from '../../../schema/submission.js';
import { unprocessable } from '../core/errors.js';
import type { BuyerProof, Database, Lead, LeadSource, LeadStatus, NewLead } from '../storage/tables.js';
import { canonicalJson, newId, nowIso, sha256Hex } from '../core/ids.js';
import { enqueueJobs } from '../outbox/outbox.js';
import { queueConfirmation } from './double-opt-in.js';
import { type OptInLookup, optInSettingsFor } from './opt-in-settings.js';
import { concurrent, settled } from '../storage/concurrent.js';
import { type FormMailSetting, type WorkspaceLink, activeFormMailSettings, queueNotifications } from './notifications.js';
import { queueAutoreplies } from './autoresponder.js';
import { FLOW_TRIGGERS, listeningShops, recordFlowEvents } from '../outbox/flow-events.js';
import { claimUpload } from './uploads.js';
import { DEFAULT_RATE_LIMITS, RateCounters, type RateLimits, WINDOW_MS, overLimit } from './rate-limit.js';

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
  /** Spam verdict from the checks before intake: a quarantined lead is kept but never synced. */
  quarantineReason?: string | null;
  /**
   * For the per-IP limit: a keyed hash of the client's address bucket (proxy/client-ip.ts), never the address; `unknown`
   * when no trusted address was available, which all such requests share as one bucket.
   */
  clientIp: string;
  /** Merchant tags whose signature checked out. */
  tags: string[];
  /** Where the lead came from (default: the storefront contact form). */
  source?: LeadSource;
  /** Purchase answers: the order they belong to and, when known, its customer (GID). */
  orderId?: string | null;
  shopifyCustomerId?: string | null;
  /** Purchase answers: how the buyer was proven, and a claim the worker still checks (storage/tables.ts). */
  buyerProof?: BuyerProof | null;
  buyerClaim?: string | null;
  /** A consenting lead that must never reach Shopify: kept with this reason (status failed), no outbox job. */
  heldReason?: string | null;
  /**
   * What the post asks for (the block's signed setting; the route fails safe to the default when it is unsigned): consent
   * waits for the e-mailed link, valid this many days. The shop's server setting (leads/opt-in-settings.ts) can turn it
   * on where this is null, and then sets the days; nothing in the post turns off what the server asks for.
   */
  doubleOptIn?: { days: number } | null;
  /** A checked upload (leads/uploads.ts) this lead claims in its own transaction, and its Shopify file. */
  attachment?: { uploadId: string; fileId: string } | null;
}

export interface IntakeResult {
  lead: Pick<Lead, 'id' | 'status' | 'created_at'>;
  /** True when this request repeated an earlier one with the same key and body. */
  replayed: boolean;
}

export const CONSENT_SOURCE = 'storefront_contact_form';
type MarketingChannel = 'email' | 'sms' | 'whatsapp';
const MAX_BATCH = 200;

interface Pending {
  row: NewLead;
  /** A per-IP count this request adds to the database in its batch's transaction (rate-limit.ts, claim()). */
  ipCount: {
    key: string;
    window: number;
    delta: number;
    /** The shop's counter, counted once the address's limit let the request through; `shopOver` is its decision. */
    shopKey: string;
    shopOver?: boolean;
  } | null;
  consent: { text: string | null; granted: boolean };
  /** Present when the form offered SMS consent. */
  sms: { text: string | null; granted: boolean } | null;
  /** Double opt-in: the confirmation link to e-mail once the lead is committed (none for a quarantined lead). */
  confirmation: { url: string; expiresAt: string } | null;
  /** A consenting contact-form lead that double opt-in may apply to, and what its post asked for. */
  doi: { requested: { days: number } | null } | null;
  /** Present when the form offered WhatsApp consent (the block had its own wording for it). */
  whatsapp: { text: string | null; granted: boolean } | null;
  uploadId: string | null;
  resolve(result: IntakeResult): void;
  reject(error: unknown): void;
}

/** Makes the signed confirmation link of a lead (core/confirm-link.ts), through the shop's app proxy. */
export type ConfirmLinkMaker = (shop: string, leadId: string, expiresSeconds: number) => string;

export interface IntakeMail {
  confirmLink?: ConfirmLinkMaker | undefined;
  workspaceLink?: WorkspaceLink | undefined;
}

/**
 * Stores each lead, its consent record and (only when the shopper consented and it is not spam) its outbox job in ONE
 * transaction, so a lead is never acknowledged without the job that carries it to Shopify, and never synced without
 * consent. Leads that arrive while a commit is under way are committed together in the next transaction (group
 * commit): each request still answers only after its own rows are durable, and the disk sees one sync per batch.
 */
export class LeadIntake {
  private queue: Pending[] = [];
  /** Batches being written (at most `concurrentBatches`), for flush(). */
  private readonly writing = new Set<Promise<void>>();
  /** A drain is waiting for the check phase to gather its batch: requests arriving meanwhile join it. */
  private gathering = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly lookupHash: (value: string) => string,
    private readonly limits: RateLimits = DEFAULT_RATE_LIMITS,
    private readonly clock: () => number = Date.now,
    /** Shared with the view beacon and flushed by the runtime (rate-limit.ts); a process of its own counts exactly. */
    private readonly counters: RateCounters = new RateCounters(db),
    /**
     * E-mail the intake asks for: double opt-in links (without one, consent stays single opt-in) and the workspace link
     * of staff notifications (without one, none are sent).
     */
    private readonly mail: IntakeMail = {},
    /**
     * How many batches may be written at once. SQLite has one connection, so 1 (a second batch would only wait for it,
     * and batches would be smaller). On PostgreSQL a batch is several round trips to the server, and while one batch
     * waits on them the next can be written on another pooled connection: with one at a time, intake was capped by the
     * round trips' latency with the server's and the app's cores half idle.
     */
    private readonly concurrentBatches = 1,
  ) {}

  accept(input: IntakeInput): Promise<IntakeResult> {
    const { submission, shop } = input;
    const source = input.source ?? 'contact_form';
    // Shopper submissions count against the rate limits, in arrival order; answers Shopify delivers with an order do
    // not. Requests without a trusted address share one bucket under the per-IP limit: exempting them let every
    // client past the limit whenever the proxy header was missing or misconfigured.
    let ipCount: Pending['ipCount'] = null;
    if (source === 'contact_form') {
      // The per-shop count is kept in memory (merged every second); an address's first request here too, and its
      // later ones are counted in the database with the lead (exact across processes but for their unflushed firsts).
      // The shop counts only the posts its address's limit lets through, else one address alone would spend every
      // shopper's allowance: an address's first post is counted against the shop here, a later one by its batch once
      // the address's count is known (overIpLimit); here the shop's count is only looked at.
      const now = this.clock();
      const shopKey = `shop:${shop}`;
      const ipKey = `ip:${shop}:${input.clientIp}`;
      const claim = this.counters.claim(ipKey, now, this.concurrentBatches > 1);
      const over =
        claim.delta === 0
          ? 1 > this.limits.perIpPerMinute || !this.counters.admits([[shopKey, this.limits.perShopPerMinute]], now)
          : this.counters.known(shopKey, now) >= this.limits.perShopPerMinute;
      if (over) {
        // A refused request still counts against its address.
        if (claim.delta) this.counters.release(ipKey, claim.window, claim.delta);
        return Promise.reject(tooMany(now));
      }
      if (claim.delta) ipCount = { key: ipKey, window: claim.window, delta: claim.delta, shopKey };
    }
    // A retry repeats the body but may carry a new single-use Turnstile token: the token is not part of its identity.
    const { idempotency_key: _key, 'cf-turnstile-response': _token, ...content } = submission;
    const bodyHash = sha256Hex(canonicalJson({ ...content, logged_in_customer_id: input.loggedInCustomerId }));
    const key =
      input.idempotencyKey === null ? `server-${newId()}` : input.keyFromCachedPage ? `${input.idempotencyKey}.${bodyHash.slice(0, 16)}` : input.idempotencyKey;
    const consented = submission.email_marketing_consent === true;
    const status: LeadStatus = input.quarantineReason ? 'quarantined' : !consented ? 'no_consent' : input.heldReason ? 'failed' : 'pending';
    const now = nowIso(this.clock);
    const phone = submission.phone ? normalizePhone(submission.phone) : null;
    const row: NewLead = {
      id: newId(),
      shop,
      form_id: submission.form_id ?? null,
      created_at: now,
      email: submission.email,
      first_name: submission.first_name ?? null,
      last_name: submission.last_name ?? null,
      phone,
      message: submission.message ?? null,
      locale: input.locale,
      page: submission.page ?? null,
      logged_in_customer_id: input.loggedInCustomerId,
      email_consent: consented ? 1 : 0,
      status,
      shopify_customer_id: input.shopifyCustomerId ?? null,
      sync_error: input.quarantineReason ?? (consented ? input.heldReason : null) ?? null,
      synced_at: null,
      idempotency_key: key,
      body_hash: bodyHash,
      company: submission.company ?? null,
      birthday: submission.birthday ?? null,
      address: postalAddressJson(submission),
      answers: submission.custom.length
        ? JSON.stringify(
            submission.custom
              .filter((c) => submission.answers[c.key])
              .map((c) => ({ key: c.key, kind: c.kind, value: submission.answers[c.key], ...(c.held ? { held: c.held } : {}) })),
          )
        : null,
      tags: input.tags.length ? JSON.stringify(input.tags) : null,
      sms_consent: submission.sms_marketing_consent ? 1 : 0,
      whatsapp_consent: submission.whatsapp_marketing_consent ? 1 : 0,
      source,
      order_id: input.orderId ?? null,
      buyer_proof: input.buyerProof ?? null,
      buyer_claim: input.buyerClaim ?? null,
      email_hash: submission.email ? this.lookupHash(submission.email) : null,
      phone_hash: phone ? this.lookupHash(phone) : null,
      attachment_file_id: input.attachment?.fileId ?? null,
    };
    // Whether it waits for a confirmation is decided in the batch's transaction, with the shop's setting (writeBatch).
    const doi: Pending['doi'] =
      consented && this.mail.confirmLink && source === 'contact_form' && (status === 'pending' || status === 'quarantined')
        ? { requested: input.doubleOptIn ?? null }
        : null;
    return new Promise<IntakeResult>((resolve, reject) => {
      this.queue.push({
        row,
        ipCount,
        confirmation: null,
        doi,
        consent: { text: submission.consent_text ?? null, granted: consented },
        sms:
          submission.sms_consent_text !== undefined || submission.sms_marketing_consent !== undefined
            ? { text: submission.sms_consent_text ?? null, granted: submission.sms_marketing_consent === true }
            : null,
        whatsapp:
          submission.whatsapp_consent_text !== undefined || submission.whatsapp_marketing_consent !== undefined
            ? { text: submission.whatsapp_consent_text ?? null, granted: submission.whatsapp_marketing_consent === true }
            : null,
        uploadId: input.attachment?.uploadId ?? null,
        resolve,
        reject,
      });
      this.startDrain();
    });
  }

  /** Resolves once everything accepted so far is committed (graceful shutdown). */
  async flush(): Promise<void> {
    while (this.writing.size) await Promise.all(this.writing);
  }

  private startDrain(): void {
    if (this.gathering || this.writing.size >= this.concurrentBatches) return;
    this.gathering = true;
    const run: Promise<void> = this.drain().finally(() => {
      this.writing.delete(run);
      // Requests queued after this drain's last look are taken by another drain, or a new one.
      if (this.queue.length) this.startDrain();
    });
    this.writing.add(run);
  }

  private async drain(): Promise<void> {
    // A transaction started at once would hold one request: wait for the event loop's check phase, by which time every
    // request whose bytes have arrived has joined the batch.
    await new Promise((resolve) => setImmediate(resolve));
    this.gathering = false;
    while (this.queue.length) {
      const batch = this.queue.splice(0, MAX_BATCH);
      // Another batch may be written meanwhile (concurrentBatches): the requests that arrive during this commit start it.
      if (this.queue.length) this.startDrain();
      await this.commit(batch);
    }
  }

  /**
   * Commits a batch. When the database refuses it, the refusal belongs to one row (or an outage to all): the batch is
   * split in halves and each committed on its own, down to single rows, so one bad row costs about 2·log2(n) extra
   * transactions and fails alone while every other request of its batch is acknowledged.
   */
  private async commit(batch: Pending[], attempt = 1, careful = false): Promise<void> {
    let results: Array<IntakeResult | Error>;
    try {
      const now = this.clock();
      results = await this.db.transaction().execute((trx) => writeBatch(trx, batch, this.limits, this.counters, now, this.mail, careful));
    } catch (error) {
      // Written as all new, and some were not: written again, waiting for the insert's answer (not the request's fault).
      if (error instanceof NotAllNew) return this.commit(batch, attempt, true);
      // Batches written at once on PostgreSQL can wait on each other's rows (the same idempotency key or counter in
      // both); the server then aborts one of them, which is nobody's fault: it is written again as it was.
      if (isTransient(error) && attempt < 5) return this.commit(batch, attempt + 1);
      if (batch.length === 1) {
        batch[0]!.reject(refusalOf(error));
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await this.commit(batch.slice(0, half));
      await this.commit(batch.slice(half));
      return;
    }
    batch.forEach((item, i) => {
      const result = results[i]!;
      if (result instanceof Error) item.reject(result);
      else item.resolve(result);
    });
  }
}

/**
 * A value the database itself refuses (PostgreSQL's class 22, data exception: a byte it cannot store, a value out of
 * range) is the request's own data, so it is answered as such; anything else stays an error (500: a bug or an outage).
 */
function refusalOf(error: unknown): unknown {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  if (typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code)) return unprocessable('unstorable_value', 'A value in this request cannot be stored.');
  return error;
}

/** PostgreSQL's deadlock_detected and serialization_failure: the transaction did nothing and may simply run again. */
function isTransient(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return code === '40P01' || code === '40001';
}

const tooMany = (now: number) => overLimit(now, 'Too many submissions; try again later.');

/**
 * Adds the batch's per-IP counts that must be exact (an address seen before by this process) to their rows, in the
 * same transaction as the leads, counts the shop for the requests the per-IP limit lets through, and returns, per
 * request, whether it is over either limit.
 */
async function overIpLimit(trx: Kysely<Database>, batch: Pending[], limits: RateLimits, counters: RateCounters): Promise<boolean[]> {
  const wanted = new Map<string, { key: string; window: number; count: number }>();
  for (const { ipCount } of batch) {
    if (!ipCount) continue;
    const id = `${ipCount.window}|${ipCount.key}`;
    const row = wanted.get(id);
    if (row) row.count += ipCount.delta;
    else wanted.set(id, { key: ipCount.key, window: ipCount.window, count: ipCount.delta });
  }
  if (!wanted.size) return batch.map(() => false);
  const rows = await trx
    .insertInto('rate_counters')
    // In one order in every batch, so that two batches written at once never wait on each other's rows in a cycle.
    .values([...wanted.values()].sort(byKeyThenWindow))
    .onConflict((oc) => oc.columns(['key', 'window']).doUpdateSet((eb) => ({ count: eb('rate_counters.count', '+', eb.ref('excluded.count')) })))
    .returning(['key', 'window', 'count'])
    .execute();
  // The first requests of the batch take what is left of each window; the rest are over.
  const used = new Map<string, number>();
  for (const r of rows) {
    const id = `${r.window}|${r.key}`;
    used.set(id, Number(r.count) - (wanted.get(id)?.count ?? 0));
    counters.learn(r.key, Number(r.window), Number(r.count));
  }
  return batch.map(({ ipCount }) => {
    if (!ipCount) return false;
    const id = `${ipCount.window}|${ipCount.key}`;
    const count = (used.get(id) ?? 0) + ipCount.delta;
    used.set(id, count);
    if (count > limits.perIpPerMinute) return true;
    // Counted against the shop once, though a refused batch is written again (split or retried).
    ipCount.shopOver ??= !counters.admits([[ipCount.shopKey, limits.perShopPerMinute]], ipCount.window * WINDOW_MS);
    return ipCount.shopOver;
  });
}

/**
 * Double opt-in of each consenting contact-form lead of the batch: on where the shop's setting requires it (with its
 * link validity), else where the post asked for it. Computed afresh on every attempt, since a refused batch is split
 * and written again.
 */
function applyDoubleOptIn(batch: Pending[], settingOf: OptInLookup | null, mail: IntakeMail, now: number): void {
  if (!settingOf || !mail.confirmLink) return;
  for (const b of batch) {
    if (!b.doi) continue;
    const setting = settingOf(b.row.shop, b.row.form_id ?? null);
    const days = setting.requireDoubleOptIn ? setting.linkDays : b.doi.requested?.days;
    if (!days) {
      b.row.doi_state = null;
      b.row.doi_expires_at = null;
      b.row.doi_keep_contact = 0;
      b.confirmation = null;
      continue;
    }
    const expires = Math.floor((now + days * 86_400_000) / 1000);
    b.row.doi_state = 'pending';
    b.row.doi_expires_at = new Date(expires * 1000).toISOString();
    b.row.doi_keep_contact = setting.keepContact ? 1 : 0;
    // A quarantined lead gets no e-mail: spam must not make the shop mail addresses it typed (release sends it).
    b.confirmation = b.row.status === 'pending' ? { url: mail.confirmLink(b.row.shop, b.row.id, expires), expiresAt: b.row.doi_expires_at } : null;
  }
}

/**
 * A form shows the same consent wording to every shopper, so its hash is remembered (a few hundred wordings at most;
 * the map is emptied should it ever hold more).
 */
const consentHashes = new Map<string, string>();
function consentTextHash(text: string): string {
  let hash = consentHashes.get(text);
  if (hash === undefined) {
    if (consentHashes.size >= 1_000) consentHashes.clear();
    hash = sha256Hex(text);
    consentHashes.set(text, hash);
  }
  return hash;
}

const byKeyThenWindow = (a: { key: string; window: number }, b: { key: string; window: number }) =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : a.window - b.window;
const byIdempotencyKey = (a: NewLead, b: NewLead) =>
  a.shop < b.shop ? -1 : a.shop > b.shop ? 1 : a.idempotency_key < b.idempotency_key ? -1 : a.idempotency_key > b.idempotency_key ? 1 : 0;

/**
 * What a consent record proves. The contact form asks for email marketing consent; purchase questions ask to
 * keep the answers on the customer's profile (marketing consent at checkout is Shopify's own box).
 */
function consentOrigin(source: LeadSource, channel: MarketingChannel): { channel: MarketingChannel | 'profile'; source: string } {
  if (source === 'contact_form') return { channel, source: CONSENT_SOURCE };
  return { channel: channel === 'email' ? 'profile' : channel, source: `${source}_fields` };
}

async function writeBatch(
  trx: Transaction<Database>,
  all: Pending[],
  limits: RateLimits,
  counters: RateCounters,
  now: number,
  mail: IntakeMail = {},
  careful = false,
): Promise<Array<IntakeResult | Error>> {
  // Statements that need nothing from each other are issued together (storage/concurrent.ts): a batch makes three
  // messages to the SQLite thread (COMMIT included) where it made seven, and four round trips to PostgreSQL (BEGIN and
  // COMMIT included) where it made eight.
  const db = await concurrent(trx);
  // The settings are read for every request of the batch, a superset of those that will need them (some may be over
  // the per-IP limit, or replays): each answer is per shop and form, so the extra rows change nothing.
  const candidates = mail.confirmLink ? all.filter((b) => b.doi) : [];
  const fromForms = all.filter((b) => b.row.source === 'contact_form');
  const [over, settingOf, settings, listening] = await settled(
    overIpLimit(db, all, limits, counters),
    candidates.length
      ? optInSettingsFor(
          db,
          candidates.map((b) => ({ shop: b.row.shop, formId: b.row.form_id ?? null })),
        )
      : Promise.resolve(null),
    // One read of the forms' mail settings for both the staff notifications and the automatic answers. Quarantined
    // leads count too: a digest counts them (leads/digest.ts).
    activeFormMailSettings(
      db,
      fromForms.map((b) => b.row.shop),
    ),
    // "Lead captured" is owed to shops whose Flow listens, for every lead but spam (oweLeadCaptured).
    listeningShops(
      db,
      FLOW_TRIGGERS.leadCaptured,
      all.filter((b) => b.row.status !== 'quarantined').map((b) => b.row.shop),
    ),
  );
  const batch = all.filter((_, i) => !over[i]);
  applyDoubleOptIn(batch, settingOf, mail, now);
  const inserted = new Set<string>();
  if (batch.length) {
    const insert = db
      .insertInto('leads')
      // Sorted by key for the same reason as the counters above: a key another batch is writing waits for it in order.
      .values(batch.map((b) => b.row).sort(byIdempotencyKey))
      .onConflict((oc) => oc.columns(['shop', 'idempotency_key']).doNothing())
      .returning('id')
      .execute();
    // A batch rarely holds a key used before, so what the leads' insert entails is issued with it, as if every lead were
    // new: one round trip for both. When some were not, this attempt is abandoned (rolled back) and the batch written
    // again the careful way, which waits for the insert's answer (commit() below).
    const entailed = careful ? null : writeEntailed(db, batch, settings, listening, mail, now);
    const [rows, rest] = await Promise.allSettled([insert, entailed]);
    if (rows.status === 'rejected') throw rows.reason;
    for (const r of rows.value) inserted.add(r.id);
    if (entailed && inserted.size < batch.length) throw new NotAllNew();
    if (rest.status === 'rejected') throw rest.reason;
    if (careful)
      await writeEntailed(
        db,
        batch.filter((b) => inserted.has(b.row.id)),
        settings,
        listening,
        mail,
        now,
      );
  }
  // The key was used before (or earlier in this batch): the same body is a replay, another body a conflict.
  const earlier = await settled(
    ...all.map((b, i) =>
      over[i] || inserted.has(b.row.id)
        ? Promise.resolve(undefined)
        : db
            .selectFrom('leads')
            .select(['id', 'status', 'created_at', 'body_hash'])
            .where('shop', '=', b.row.shop)
            .where('idempotency_key', '=', b.row.idempotency_key)
            .executeTakeFirst(),
    ),
  );
  return all.map((b, i): IntakeResult | Error => {
    if (over[i]) return tooMany(now);
    if (inserted.has(b.row.id)) return { lead: { id: b.row.id, status: b.row.status, created_at: b.row.created_at }, replayed: false };
    const found = earlier[i];
    if (!found) return new Error('idempotency conflict without an earlier lead');
    if (found.body_hash !== b.row.body_hash) return unprocessable('idempotency_key_reused', 'This idempotency key was already used with a different body.');
    return { lead: { id: found.id, status: found.status, created_at: found.created_at }, replayed: true };
  });
}

/** Thrown when a batch written as all new held a key used before: it is written again, carefully (LeadIntake.commit). */
class NotAllNew extends Error {
  override readonly name = 'NotAllNew';
}

/**
 * What committed leads entail, in their batch's transaction: consent records, an upload's claim, the e-mails, the sync
 * jobs and the Flow events; issued together (storage/concurrent.ts).
 */
function writeEntailed(
  db: Kysely<Database>,
  fresh: Pending[],
  settings: readonly FormMailSetting[],
  listening: ReadonlySet<string>,
  mail: IntakeMail,
  now: number,
): Promise<unknown> {
  if (!fresh.length) return Promise.resolve();
  // A refusal is recorded too: it proves the box was offered unticked and left so.
  const record = (b: Pending, channel: MarketingChannel, consent: { text: string | null; granted: boolean }) => ({
    id: newId(),
    shop: b.row.shop,
    lead_id: b.row.id,
    ...consentOrigin(b.row.source ?? 'contact_form', channel),
    granted: consent.granted ? 1 : 0,
    text: consent.text,
    text_sha256: consent.text ? consentTextHash(consent.text) : null,
    locale: b.row.locale,
    page: b.row.page ?? null,
    // Double opt-in: agreed on the form, not yet confirmed; the confirmation adds its own CONFIRMED_OPT_IN record.
    opt_in_level: channel === 'email' && b.row.doi_state === 'pending' ? 'PENDING_CONFIRMATION' : 'SINGLE_OPT_IN',
    recorded_at: b.row.created_at,
  });
  // A lead waiting for its confirmation reaches Shopify only when the shop keeps the contact (without marketing consent).
  const queued = fresh.filter((b) => b.row.status === 'pending' && (b.row.doi_state !== 'pending' || b.row.doi_keep_contact === 1));
  const freshForms = fresh.filter((b) => b.row.source === 'contact_form');
  return settled(
    // A claim that fails throws: the batch is split and retried, and only the lead naming a used upload fails (409).
    (async () => {
      for (const b of fresh) if (b.uploadId) await claimUpload(db, b.row.shop, b.uploadId, { id: b.row.id, formId: b.row.form_id ?? null });
    })(),
    db
      .insertInto('consent_records')
      .values(
        fresh.flatMap((b) => [
          record(b, 'email', b.consent),
          ...(b.sms ? [record(b, 'sms', b.sms)] : []),
          ...(b.whatsapp ? [record(b, 'whatsapp', b.whatsapp)] : []),
        ]),
      )
      .execute(),
    // The e-mails, in this order as before: a confirmation counts the ones queued before it for the same address.
    (async () => {
      for (const b of fresh) {
        if (!b.confirmation) continue;
        await queueConfirmation(
          db,
          {
            shop: b.row.shop,
            leadId: b.row.id,
            email: b.row.email,
            emailHash: b.row.email_hash ?? null,
            name: b.row.first_name ?? null,
            locale: b.row.locale,
            url: b.confirmation.url,
            expiresAt: b.confirmation.expiresAt,
          },
          () => now,
        );
      }
      const forForms = settings.filter((s) => freshForms.some((b) => b.row.shop === s.shop));
      if (mail.workspaceLink)
        await queueNotifications(
          db,
          fresh.map((b) => b.row),
          mail.workspaceLink,
          () => now,
          forForms,
        );
      await queueAutoreplies(
        db,
        fresh.map((b) => b.row),
        () => now,
        forForms,
      );
    })(),
    // One INSERT for the batch; the worker is woken once the batch commits (outbox/outbox.ts).
    enqueueJobs(
      db,
      queued.map((b) => ({ shop: b.row.shop, leadId: b.row.id, kind: 'sync_lead' as const, at: b.row.created_at })),
    ),
    oweLeadCaptured(db, fresh, listening),
  );
}

/**
 * "Lead captured" is owed to shops whose Flow listens (`listening`, read with the batch's settings), for every lead
 * but spam. A lead on its way to Shopify sends it when its sync ends, so the trigger carries the customer; any other
 * lead sends it at once.
 */
async function oweLeadCaptured(db: Kysely<Database>, fresh: Pending[], listening: ReadonlySet<string>): Promise<void> {
  if (!listening.size) return;
  const owed = fresh
    .filter((b) => b.row.status !== 'quarantined' && listening.has(b.row.shop))
    .map((b) => ({
      shop: b.row.shop,
      leadId: b.row.id,
      handle: FLOW_TRIGGERS.leadCaptured,
      eventKey: b.row.id,
      at: b.row.created_at,
      pending: b.row.status === 'pending',
    }));
  await recordFlowEvents(
    db,
    owed.filter((e) => e.pending),
    false,
  );
  await recordFlowEvents(
    db,
    owed.filter((e) => !e.pending),
    true,
  );
}
