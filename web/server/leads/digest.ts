import type { Kysely } from 'kysely';
import * as z from 'zod';
import { enqueueJobs } from '../outbox/outbox.js';
import { enqueueMail } from '../outbox/mail-queue.js';
import type { Database, NewLead, OutboxJob } from '../storage/tables.js';
import { MAX_RECIPIENTS, SUMMARY_CHARS, type WorkspaceLink, recipientsOf } from './mail-recipients.js';

/**
 * Digests of a form's new leads (form_mail_settings.notify_mode `hourly` or `daily`): one e-mail per period, form and
 * recipient, listing the period's leads with their summary and a link to each in the workspace, and counting the
 * quarantined ones (never listed). Periods are UTC hours and UTC days.
 *
 * A lead arriving in a digest form sends nothing by itself: it queues its period's `mail_digest` job, due when the
 * period is over, keyed (shop, form, mode, period) so every lead of the period, on every instance, names the same one
 * job (outbox_jobs' unique idempotency key). The job is the mail lane's (jobs/mail-worker.ts): it reads the period's
 * leads and queues one `send_mail` per recipient, each with an event key of its own, in one transaction that also
 * completes the job. A period without leads has no job and sends nothing.
 *
 * The queued mail holds the leads' ids and links only: their names, addresses and messages are read when the mail is
 * sent (`expandDigest`), so a lead erased meanwhile is not in it and no copy of its data outlives it.
 */
export const DIGEST_MODES = ['hourly', 'daily'] as const;
export type DigestMode = (typeof DIGEST_MODES)[number];
export const isDigestMode = (mode: string): mode is DigestMode => (DIGEST_MODES as readonly string[]).includes(mode);

const PERIOD_MS: Record<DigestMode, number> = { hourly: 3_600_000, daily: 86_400_000 };

/**
 * How long a digest waits after its period for leads still being committed (intake's group-commit batches keep their
 * lead's own time, which may be a moment before the batch commits).
 */
export const DIGEST_GRACE_MS = 60_000;

/** Leads listed in one digest; more are counted ("and 12 more") and found in the workspace. */
export const DIGEST_MAX_LISTED = 50;

export interface DigestPeriod {
  mode: DigestMode;
  /** ISO, inclusive. */
  start: string;
  /** ISO, exclusive. */
  end: string;
}

/** The UTC hour or day that holds `atMs`. */
export function digestPeriod(mode: DigestMode, atMs: number): DigestPeriod {
  const length = PERIOD_MS[mode];
  const start = Math.floor(atMs / length) * length;
  return { mode, start: new Date(start).toISOString(), end: new Date(start + length).toISOString() };
}

/** The job's idempotency key; also what it reads back to know its form and period. */
export const digestKey = (form: string, period: DigestPeriod): string => `digest:${period.mode}:${period.start}:${form}`;

const KEY = /^digest:(hourly|daily):(\d{4}-\d{2}-\d{2}T\d{2}:00:00\.000Z):([A-Za-z0-9_-]{0,64})$/;

export function parseDigestKey(key: string | null): { form: string; period: DigestPeriod } | null {
  const match = KEY.exec(key ?? '');
  if (!match) return null;
  const mode = match[1] as DigestMode;
  const period = digestPeriod(mode, Date.parse(match[2]!));
  return period.start === match[2] ? { form: match[3]!, period } : null;
}

/**
 * Queues the period's digest job for each lead of a digest form, quarantined ones included (the digest counts them).
 * In the intake's transaction: the job commits with the leads or not at all.
 */
export async function queueDigests(
  db: Kysely<Database>,
  leads: readonly NewLead[],
  settings: ReadonlyArray<{ shop: string; form_id: string; notify_mode: string }>,
): Promise<number> {
  const jobs = new Map<string, { shop: string; key: string; runAfter: string }>();
  for (const lead of leads) {
    const setting = settings.find((s) => s.shop === lead.shop && s.form_id === (lead.form_id ?? ''));
    if (!setting || !isDigestMode(setting.notify_mode)) continue;
    const period = digestPeriod(setting.notify_mode, Date.parse(lead.created_at));
    const key = digestKey(setting.form_id, period);
    jobs.set(`${lead.shop}\n${key}`, { shop: lead.shop, key, runAfter: new Date(Date.parse(period.end) + DIGEST_GRACE_MS).toISOString() });
  }
  await enqueueJobs(
    db,
    [...jobs.values()].map((j) => ({ shop: j.shop, leadId: null, kind: 'mail_digest' as const, idempotencyKey: j.key, runAfter: j.runAfter })),
  );
  return jobs.size;
}

/** What a digest mail holds while queued: ids, links and counts, no personal data. */
export const storedDigestParams = z.object({
  form: z.string(),
  mode: z.enum(DIGEST_MODES),
  start: z.iso.datetime(),
  end: z.iso.datetime(),
  leads: z.array(z.object({ id: z.string(), link: z.url() })),
  more: z.number().int().min(0),
  quarantined: z.number().int().min(0),
});
export type StoredDigestParams = z.infer<typeof storedDigestParams>;

export class DigestJobInvalid extends Error {
  override readonly name = 'DigestJobInvalid';
}

/**
 * The work of a `mail_digest` job, in the caller's transaction (which also completes the job): reads the period's
 * leads of the form and queues one mail per recipient. Returns how many mails it queued: none when the period has no
 * leads, when the form no longer sends digests (its mode changed to `off` or `each`), or when it has no recipients;
 * none again when a retry or a second worker finds them queued already (mail_messages' unique event key).
 */
export async function composeDigest(db: Kysely<Database>, job: OutboxJob, link: WorkspaceLink, clock: () => number): Promise<number> {
  const parsed = parseDigestKey(job.idempotency_key);
  if (!parsed) throw new DigestJobInvalid('the digest job names no form and period');
  const { form, period } = parsed;
  const setting = await db
    .selectFrom('form_mail_settings')
    .select(['notify_to', 'notify_mode'])
    .where('shop', '=', job.shop)
    .where('form_id', '=', form)
    .executeTakeFirst();
  if (!setting || !isDigestMode(setting.notify_mode)) return 0;
  const recipients = recipientsOf(setting.notify_to);
  if (!recipients.length) return 0;
  const leads = await db
    .selectFrom('leads')
    .select(['id', 'status'])
    .where('shop', '=', job.shop)
    .$if(form === '', (q) => q.where((w) => w.or([w('form_id', 'is', null), w('form_id', '=', '')])))
    .$if(form !== '', (q) => q.where('form_id', '=', form))
    .where('source', '=', 'contact_form')
    .where('created_at', '>=', period.start)
    .where('created_at', '<', period.end)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  if (!leads.length) return 0;
  const listed = leads.filter((l) => l.status !== 'quarantined');
  const params: StoredDigestParams = {
    form,
    mode: period.mode,
    start: period.start,
    end: period.end,
    leads: listed.slice(0, DIGEST_MAX_LISTED).map((l) => ({ id: l.id, link: link(job.shop, l.id) })),
    more: Math.max(0, listed.length - DIGEST_MAX_LISTED),
    quarantined: leads.length - listed.length,
  };
  const shop = await db.selectFrom('shops').select('mail_locale').where('shop', '=', job.shop).executeTakeFirst();
  const created = await enqueueMail(
    db,
    recipients.slice(0, MAX_RECIPIENTS).map((to, i) => ({
      shop: job.shop,
      leadId: null,
      eventKey: `${job.idempotency_key!}:${i}`,
      template: 'digest',
      locale: shop?.mail_locale ?? 'en',
      to,
      params,
    })),
    clock,
  );
  return created.length;
}

/**
 * A queued digest's values as its template renders them (mail/templates.ts `digest`): each listed lead's name,
 * address and message read now. A lead erased since is left out; one quarantined since is counted, not listed.
 */
export async function expandDigest(db: Kysely<Database>, shop: string, raw: unknown): Promise<unknown> {
  const parsed = storedDigestParams.safeParse(raw);
  // Left to the template to refuse (TemplateError: the mail fails with a reason) rather than guessed at here.
  if (!parsed.success) return raw;
  const stored = parsed.data;
  const ids = stored.leads.map((l) => l.id);
  const rows = ids.length
    ? await db
        .selectFrom('leads')
        .select(['id', 'status', 'first_name', 'last_name', 'email', 'message'])
        .where('shop', '=', shop)
        .where('id', 'in', ids)
        .execute()
    : [];
  const text = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);
  let quarantined = stored.quarantined;
  const leads = [];
  for (const entry of stored.leads) {
    const row = rows.find((r) => r.id === entry.id);
    if (!row) continue;
    if (row.status === 'quarantined') {
      quarantined++;
      continue;
    }
    const message = text(row.message);
    leads.push({
      name: [text(row.first_name), text(row.last_name)].filter(Boolean).join(' ') || null,
      email: text(row.email) ?? '',
      message: message ? message.slice(0, SUMMARY_CHARS) : null,
      link: entry.link,
    });
  }
  return { form: stored.form, mode: stored.mode, start: stored.start, end: stored.end, leads, more: stored.more, quarantined };
}
