import { enqueueMail } from '../outbox/mail-queue.js';
import type { Kysely, Selectable } from 'kysely';
import type { Database, FormMailSettingsTable, NewLead } from '../storage/tables.js';
import { DIGEST_MODES, queueDigests } from './digest.js';
import { SUMMARY_CHARS, type WorkspaceLink, recipientsOf } from './mail-recipients.js';

export { MAX_RECIPIENTS, SUMMARY_CHARS, type WorkspaceLink } from './mail-recipients.js';

/**
 * The forms' mail settings of these shops that ask for something (a notification, a digest or an automatic answer): one
 * read that serves both notifications and automatic answers, so a group-commit batch makes one round trip for them.
 */
export async function activeFormMailSettings(db: Kysely<Database>, shops: readonly string[]): Promise<FormMailSetting[]> {
  if (!shops.length) return [];
  return db
    .selectFrom('form_mail_settings')
    .select(['shop', 'form_id', 'notify_mode', 'notify_to', 'autoreply', 'autoreply_subject', 'autoreply_text'])
    .where('shop', 'in', [...new Set(shops)])
    .where((w) => w.or([w('notify_mode', 'in', ['each', ...DIGEST_MODES]), w('autoreply', '=', 1)]))
    .execute();
}

export type FormMailSetting = Pick<
  Selectable<FormMailSettingsTable>,
  'shop' | 'form_id' | 'notify_mode' | 'notify_to' | 'autoreply' | 'autoreply_subject' | 'autoreply_text'
>;

/**
 * New-lead notifications to the shop's staff, per form (form_mail_settings): in mode `each`, one e-mail per recipient
 * and lead, in the shop's staff language, with the lead's summary and a link to it in the workspace; quarantined leads
 * are not notified. In mode `hourly` or `daily` a lead sends nothing by itself: it queues its period's digest
 * (digest.ts), which lists it, or counts it when quarantined. Returns the e-mails queued now.
 * `given`: the shops' settings as activeFormMailSettings read them (read here when not given).
 */
export async function queueNotifications(
  db: Kysely<Database>,
  leads: readonly NewLead[],
  link: WorkspaceLink,
  clock: () => number,
  given?: readonly FormMailSetting[],
): Promise<number> {
  const fromForms = leads.filter((l) => l.source === 'contact_form');
  if (!fromForms.length) return 0;
  const shops = [...new Set(fromForms.map((l) => l.shop))];
  const modes: readonly string[] = ['each', ...DIGEST_MODES];
  const all = (given ?? (await activeFormMailSettings(db, shops))).filter((s) => modes.includes(s.notify_mode));
  if (!all.length) return 0;
  await queueDigests(db, fromForms, all);
  const notifiable = fromForms.filter((l) => l.status !== 'quarantined');
  const settings = all.filter((s) => s.notify_mode === 'each');
  if (!notifiable.length || !settings.length) return 0;
  const locales = await db.selectFrom('shops').select(['shop', 'mail_locale']).where('shop', 'in', shops).execute();
  let queued = 0;
  for (const lead of notifiable) {
    const setting = settings.find((s) => s.shop === lead.shop && s.form_id === (lead.form_id ?? ''));
    const recipients = recipientsOf(setting?.notify_to ?? null);
    if (!recipients.length) continue;
    const name = [lead.first_name, lead.last_name].filter(Boolean).join(' ') || null;
    const created = await enqueueMail(
      db,
      recipients.map((to, i) => ({
        shop: lead.shop,
        leadId: lead.id,
        eventKey: `notify:${lead.id}:${i}`,
        template: 'notify_lead',
        locale: locales.find((l) => l.shop === lead.shop)?.mail_locale ?? 'en',
        to,
        params: {
          form: lead.form_id ?? '',
          name,
          email: lead.email,
          message: lead.message ? lead.message.slice(0, SUMMARY_CHARS) : null,
          link: link(lead.shop, lead.id),
        },
      })),
      clock,
    );
    queued += created.length;
  }
  return queued;
}
