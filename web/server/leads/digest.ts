import type { Kysely } from 'kysely';
import * as z from 'zod';
import { enqueueJobs } from '../outbox/outbox.js';
import { enqueueMail } from '../outbox/mail-queue.js';
import { IDS_PER_STATEMENT, batches } from '../storage/batches.js';
import { isPostgres } from '../storage/row-locks.js';
import type { Database, NewLead, OutboxJob } from '../storage/tables.js';
import { MAX_RECIPIENTS, SUMMARY_CHARS, type WorkspaceLink, recipientsOf } from './mail-recipients.js';

/**
 * Digests of a form's new leads (form_mail_settings.notify_mode `hourly` or `daily`): one e-mail per period, form and
 * recipient, listing the form's new leads with their summary and a link to each in the workspace, and counting the
 * quarantined ones (never listed). Periods are UTC hours and UTC days.
 *
 * A lead arriving in a digest form sends nothing by itself: it is marked as waiting for a digest (`leads.digest`
 * 'pending') and queues its period's `mail_digest` job, due when the period is over, keyed (shop, form, mode, period)
 * so every lead of the period, on every instance, names the same one job (outbox_jobs' unique idempotency key). The
 * job is the mail lane's (jobs/mail-worker.ts): it takes the period's leads of the form that no digest took yet, and
 * the form's leads of earlier periods still waiting (marking each with its own key), and queues one `send_mail` per
 * recipient, each with an event key of its own, in one transaction that also completes the job. A lead is taken by one job only, so it is listed once even when the form
 * switched between hourly and daily (two jobs queued for overlapping periods: the first to run takes it), and a lead
 * committed after its period's job ran queues a later job, which takes it. A period without leads sends nothing.
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
 * Marks each lead of a digest form as waiting for a digest and queues the job that will take it, quarantined leads
 * included (the digest counts them). In the intake's transaction: the mark and the job commit with the leads or not at
 * all. `clock`: when the job of a lead's period already ran, the next job due after now takes the lead.
 */
export async function queueDigests(
  db: Kysely<Database>,
  leads: readonly NewLead[],
  settings: ReadonlyArray<{ shop: string; form_id: string; notify_mode: string }>,
  clock: () => number = Date.now,
): Promise<number> {
  const waiting: Array<{ lead: NewLead; form: string; mode: DigestMode }> = [];
  for (const lead of leads) {
    const setting = settings.find((s) => s.shop === lead.shop && s.form_id === (lead.form_id ?? ''));
    if (setting && isDigestMode(setting.notify_mode)) waiting.push({ lead, form: setting.form_id, mode: setting.notify_mode });
  }
  if (!waiting.length) return 0;
  const forms = [...new Map(waiting.map((w) => [`${w.lead.shop}\n${w.form}`, { shop: w.lead.shop, form: w.form }])).values()];
  // PostgreSQL: a digest being put together holds its form's settings row FOR UPDATE (composeDigest). This share lock
  // makes it wait until these leads are committed, then take them; or makes this wait until it is done, and then the
  // job found done below sends these leads to a later one. SQLite writes one transaction at a time.
  if (isPostgres(db))
    await db
      .selectFrom('form_mail_settings')
      .select('form_id')
      .where((w) => w.or(forms.map((f) => w.and([w('shop', '=', f.shop), w('form_id', '=', f.form)]))))
      .orderBy('shop')
      .orderBy('form_id')
      .forShare()
      .execute();
  const ids = waiting.map((w) => w.lead.id);
  for (const slice of batches(ids, IDS_PER_STATEMENT))
    await db.updateTable('leads').set({ digest: 'pending' }).where('id', 'in', slice).where('digest', 'is', null).execute();

  const jobs = new Map<string, { shop: string; key: string; runAfter: string }>();
  let todo = waiting.map((w) => ({ shop: w.lead.shop, form: w.form, period: digestPeriod(w.mode, Date.parse(w.lead.created_at)) }));
  while (todo.length) {
    const keys = [...new Set(todo.map((t) => digestKey(t.form, t.period)))];
    const ran = await db
      .selectFrom('outbox_jobs')
      .select(['shop', 'idempotency_key'])
      .where('shop', 'in', [...new Set(todo.map((t) => t.shop))])
      .where('idempotency_key', 'in', keys)
      .where('state', '!=', 'pending')
      .execute();
    const done = new Set(ran.map((r) => `${r.shop}\n${r.idempotency_key ?? ''}`));
    const later: typeof todo = [];
    for (const t of todo) {
      const key = digestKey(t.form, t.period);
      // Committed after its period's digest was put together (a slow commit, a lead's own time a moment before its
      // batch's): the next digest takes it, as it takes every lead of the form still waiting.
      if (done.has(`${t.shop}\n${key}`)) later.push({ ...t, period: digestPeriod(t.period.mode, Math.max(clock(), Date.parse(t.period.end))) });
      else jobs.set(`${t.shop}\n${key}`, { shop: t.shop, key, runAfter: new Date(Date.parse(t.period.end) + DIGEST_GRACE_MS).toISOString() });
    }
    todo = later;
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
 * The work of a `mail_digest` job, in the caller's transaction (which also completes the job): takes the period's leads
 * of the form that no digest took yet, and the form's leads of earlier periods still waiting for a digest, and queues
 * one mail per recipient listing them. Returns how many mails it queued: none when it takes no lead (an empty period,
 * or one whose leads an overlapping digest took), when
 * the form no longer sends digests (its mode changed to `off` or `each`: the leads it takes are then dropped), or when
 * it has no recipients; none again when a retry or a second worker finds them taken or the mails queued already.
 */
export async function composeDigest(db: Kysely<Database>, job: OutboxJob, link: WorkspaceLink, clock: () => number): Promise<number> {
  const parsed = parseDigestKey(job.idempotency_key);
  if (!parsed) throw new DigestJobInvalid('the digest job names no form and period');
  const { form, period } = parsed;
  // FOR UPDATE on PostgreSQL: waits for the intake transactions queueing leads of this form (queueDigests) to commit.
  const setting = await db
    .selectFrom('form_mail_settings')
    .select(['notify_to', 'notify_mode'])
    .where('shop', '=', job.shop)
    .where('form_id', '=', form)
    .$if(isPostgres(db), (q) => q.forUpdate())
    .executeTakeFirst();
  // Taken whatever is sent: a lead is this digest's, listed or not, and no other digest's. First the period's leads no
  // digest took yet (those sent before the form's digest was on too: a digest lists its period's leads)...
  const key = job.idempotency_key!;
  const ofPeriod = await db
    .updateTable('leads')
    .set({ digest: key })
    .where('shop', '=', job.shop)
    .$if(form === '', (q) => q.where((w) => w.or([w('form_id', 'is', null), w('form_id', '=', '')])))
    .$if(form !== '', (q) => q.where('form_id', '=', form))
    .where('source', '=', 'contact_form')
    .where('created_at', '>=', period.start)
    .where('created_at', '<', period.end)
    .where((w) => w.or([w('digest', 'is', null), w('digest', '=', 'pending')]))
    .returning(['id', 'status', 'created_at'])
    .execute();
  // ...then those of earlier periods still waiting: committed after their own period's digest, or left to this one by a
  // switch from daily to hourly.
  const earlier = await db
    .updateTable('leads')
    .set({ digest: key })
    .where('shop', '=', job.shop)
    .$if(form === '', (q) => q.where((w) => w.or([w('form_id', 'is', null), w('form_id', '=', '')])))
    .$if(form !== '', (q) => q.where('form_id', '=', form))
    .where('digest', '=', 'pending')
    .where('created_at', '<', period.start)
    .returning(['id', 'status', 'created_at'])
    .execute();
  const taken = [...earlier, ...ofPeriod];
  if (!setting || !isDigestMode(setting.notify_mode)) return 0;
  const recipients = recipientsOf(setting.notify_to);
  if (!recipients.length || !taken.length) return 0;
  const leads = taken.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const listed = leads.filter((l) => l.status !== 'quarantined');
  // Leads of earlier periods (a late commit, a switch from daily to hourly) widen the period the mail names.
  const start = digestPeriod(period.mode, Date.parse(leads[0]!.created_at)).start;
  const params: StoredDigestParams = {
    form,
    mode: period.mode,
    start: start < period.start ? start : period.start,
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
