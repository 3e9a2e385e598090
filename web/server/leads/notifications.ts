import type { Kysely } from 'kysely';
import { enqueueMail } from '../outbox/mail-queue.js';
import type { Selectable } from 'kysely';
import type { Database, FormMailSettingsTable, NewLead } from '../storage/tables.js';

/**
 * New-lead notifications to the shop's staff, per form (form_mail_settings): one e-mail per recipient and lead, in the
 * shop's staff language, with the lead's summary and a link to it in the workspace. Quarantined leads are not notified.
 */
export const MAX_RECIPIENTS = 5;
export const SUMMARY_CHARS = 500;

export type WorkspaceLink = (shop: string, leadId: string) => string;

/**
 * The forms' mail settings of these shops that ask for something (a notification or an automatic answer): one read that
 * serves both, so a group-commit batch makes one round trip for them instead of two.
 */
export async function activeFormMailSettings(db: Kysely<Database>, shops: readonly string[]): Promise<FormMailSetting[]> {
  if (!shops.length) return [];
  return db
    .selectFrom('form_mail_settings')
    .select(['shop', 'form_id', 'notify_mode', 'notify_to', 'autoreply', 'autoreply_subject', 'autoreply_text'])
    .where('shop', 'in', [...new Set(shops)])
    .where((w) => w.or([w('notify_mode', '=', 'each'), w('autoreply', '=', 1)]))
    .execute();
}

export type FormMailSetting = Pick<
  Selectable<FormMailSettingsTable>,
  'shop' | 'form_id' | 'notify_mode' | 'notify_to' | 'autoreply' | 'autoreply_subject' | 'autoreply_text'
>;

/** `settings`: the shops' settings as activeFormMailSettings read them (read here when not given). */
export async function queueNotifications(
  db: Kysely<Database>,
  leads: readonly NewLead[],
  link: WorkspaceLink,
  clock: () => number,
  given?: readonly FormMailSetting[],
): Promise<number> {
  const notifiable = leads.filter((l) => l.status !== 'quarantined' && l.source === 'contact_form');
  if (!notifiable.length) return 0;
  const shops = [...new Set(notifiable.map((l) => l.shop))];
  const settings = (given ?? (await activeFormMailSettings(db, shops))).filter((s) => s.notify_mode === 'each');
  if (!settings.length) return 0;
  const locales = await db.selectFrom('shops').select(['shop', 'mail_locale']).where('shop', 'in', shops).execute();
  let queued = 0;
  for (const lead of notifiable) {
    const setting = settings.find((s) => s.shop === lead.shop && s.form_id === (lead.form_id ?? ''));
    const recipients = (setting?.notify_to ?? '')
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean)
      .slice(0, MAX_RECIPIENTS);
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
