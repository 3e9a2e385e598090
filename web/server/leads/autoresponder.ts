import type { Kysely } from 'kysely';
import { enqueueMail } from '../outbox/mail-queue.js';
import type { Database, NewLead } from '../storage/tables.js';
import { type FormMailSetting, activeFormMailSettings } from './notifications.js';

/**
 * The form's automatic answer to the shopper (form_mail_settings.autoreply): the merchant's subject and text, or the
 * app's default in the shopper's language. Never for quarantined leads, and at most once per address, shop and UTC
 * day: the event key is the address's keyed hash (leads.email_hash, never the address) and the day, so the mail
 * queue's unique (shop, event_key) refuses a second one, across instances.
 */
/** `given`: the shops' settings as activeFormMailSettings (notifications.ts) read them (read here when not given). */
export async function queueAutoreplies(
  db: Kysely<Database>,
  leads: readonly NewLead[],
  clock: () => number,
  given?: readonly FormMailSetting[],
): Promise<number> {
  const eligible = leads.filter((l) => l.status !== 'quarantined' && l.source === 'contact_form');
  if (!eligible.length) return 0;
  const shops = [...new Set(eligible.map((l) => l.shop))];
  const settings = (given ?? (await activeFormMailSettings(db, shops))).filter((s) => s.autoreply === 1);
  if (!settings.length) return 0;
  const day = new Date(clock()).toISOString().slice(0, 10);
  let queued = 0;
  for (const lead of eligible) {
    const hash = lead.email_hash;
    if (!hash) continue;
    const setting = settings.find((s) => s.shop === lead.shop && s.form_id === (lead.form_id ?? ''));
    if (!setting) continue;
    const created = await enqueueMail(
      db,
      [
        {
          shop: lead.shop,
          leadId: lead.id,
          eventKey: `autoreply:${hash}:${day}`,
          template: 'autoreply',
          locale: lead.locale,
          to: lead.email,
          params: { name: lead.first_name ?? null, subject: setting.autoreply_subject, text: setting.autoreply_text },
        },
      ],
      clock,
    );
    queued += created.length;
  }
  return queued;
}
