import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import * as z from 'zod';
import { MULTI_LINE, SINGLE_LINE } from '../../../../schema/rules.js';
import { badRequest } from '../../http/errors.js';
import { mailProblems, shopSender } from '../../mail/sender.js';
import type { Database } from '../../storage/tables.js';
import type { FormMailSettings, MailSettings, MailSettingsOverview } from '../../../../schema/workspace-api.js';
import { type StaffEnv, can } from './roles.js';
import { nowIso } from '../../core/ids.js';
import { MAX_RECIPIENTS } from '../../leads/notifications.js';
import { audit } from './audit.js';

/** An address's domain: what the audit keeps of a staff address (who may receive the shop's mail), never the address. */
const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/** What changed between two lists of addresses, as domains (sorted, one entry per address). */
function addressChanges(before: readonly string[], after: readonly string[]): { added: string[]; removed: string[] } {
  const norm = (a: string) => a.trim().toLowerCase();
  const was = new Set(before.map(norm));
  const now = new Set(after.map(norm));
  return {
    added: [...now]
      .filter((a) => !was.has(a))
      .map(domainOf)
      .sort(),
    removed: [...was]
      .filter((a) => !now.has(a))
      .map(domainOf)
      .sort(),
  };
}

const senderBody = z.object({
  from: z.email().max(254),
  // A display name goes into the From header: one line, so it cannot start a header of its own.
  fromName: z.string().trim().min(1).max(100).regex(SINGLE_LINE, 'one line, no control characters'),
  /** The language of staff e-mail (notifications). */
  locale: z.enum(['en', 'fr']).optional(),
  /** Reply-To of replies and autoresponders; null clears it (answers go to `from`). */
  replyTo: z.email().max(254).nullable().optional(),
});

/**
 * The shop's e-mail sender and each form's staff mail (owner only, mounted under /settings). GET also says why mail
 * cannot go out (no SMTP_URL on the server, no sender yet), so the workspace can tell the merchant rather than let mail
 * wait unseen. `GET /mail-settings` shows all of it to every role (the workspace's E-mail screen, read-only but for the
 * owner). Every change is audited (who, when, which fields; addresses as their domains only).
 */
export function mailSettingsRoutes(db: Kysely<Database>, smtpConfigured: boolean) {
  const app = new Hono<StaffEnv>();
  const current = async (shop: string): Promise<MailSettings> => {
    const sender = await shopSender(db, shop);
    const row = await db
      .selectFrom('shops')
      .select(['mail_from', 'mail_from_name', 'mail_reply_to', 'mail_locale'])
      .where('shop', '=', shop)
      .executeTakeFirst();
    return {
      from: row?.mail_from ?? null,
      fromName: row?.mail_from_name ?? null,
      replyTo: row?.mail_reply_to ?? null,
      locale: row?.mail_locale === 'fr' ? 'fr' : 'en',
      problems: mailProblems(smtpConfigured, sender),
    };
  };
  // Staff notifications of one form: who gets an e-mail for each new lead (quarantined leads excepted).
  const formId = z.string().regex(/^[A-Za-z0-9_-]{0,64}$/);
  const formBody = z
    .object({
      notifyTo: z.array(z.email().max(254)).max(MAX_RECIPIENTS).optional(),
      mode: z.enum(['off', 'each', 'hourly', 'daily']).optional(),
      // The shopper's automatic answer; empty subject or text = the app's default in the shopper's language.
      autoreply: z
        .object({
          enabled: z.boolean(),
          subject: z.string().trim().max(200).regex(SINGLE_LINE, 'one line, no control characters').nullable(),
          text: z.string().trim().max(5000).regex(MULTI_LINE, 'no control characters').nullable(),
        })
        .optional(),
    })
    .refine((b) => b.notifyTo !== undefined || b.mode !== undefined || b.autoreply !== undefined, 'nothing to change');
  const view = (form: string, row: FormRow | undefined): FormMailSettings => ({
    form,
    notifyTo: row?.notify_to ? row.notify_to.split(',') : [],
    mode: row?.notify_mode ?? 'off',
    autoreply: { enabled: row?.autoreply === 1, subject: row?.autoreply_subject ?? null, text: row?.autoreply_text ?? null },
  });
  const readForm = (shop: string, form: string) =>
    db
      .selectFrom('form_mail_settings')
      .select(['notify_to', 'notify_mode', 'autoreply', 'autoreply_subject', 'autoreply_text'])
      .where('shop', '=', shop)
      .where('form_id', '=', form)
      .executeTakeFirst();
  type FormRow = NonNullable<Awaited<ReturnType<typeof readForm>>>;
  app.get('/settings/forms/:form/mail', async (c) => {
    const form = formId.safeParse(c.req.param('form'));
    if (!form.success) throw badRequest('invalid_form_id', 'form ids are up to 64 letters, digits, _ or -');
    return c.json(view(form.data, await readForm(c.get('session').shop, form.data)));
  });
  app.put('/settings/forms/:form/mail', async (c) => {
    const form = formId.safeParse(c.req.param('form'));
    if (!form.success) throw badRequest('invalid_form_id', 'form ids are up to 64 letters, digits, _ or -');
    const parsed = formBody.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) throw badRequest('invalid_notifications', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const shop = c.get('session').shop;
    const { notifyTo, mode, autoreply } = parsed.data;
    const before = view(form.data, await readForm(shop, form.data));
    // Only what the request names changes: notifications and the autoresponder are set apart.
    const changes = {
      ...(notifyTo !== undefined ? { notify_to: notifyTo.join(',') || null } : {}),
      ...(mode !== undefined ? { notify_mode: mode } : {}),
      ...(autoreply ? { autoreply: autoreply.enabled ? 1 : 0, autoreply_subject: autoreply.subject || null, autoreply_text: autoreply.text || null } : {}),
      updated_at: nowIso(),
    };
    await db
      .insertInto('form_mail_settings')
      .values({ shop, form_id: form.data, notify_to: null, notify_mode: 'off', ...changes })
      .onConflict((oc) => oc.columns(['shop', 'form_id']).doUpdateSet(changes))
      .execute();
    const after = view(form.data, await readForm(shop, form.data));
    const fields = [
      ...(before.notifyTo.join(',') !== after.notifyTo.join(',') ? ['notifyTo'] : []),
      ...(before.mode !== after.mode ? ['mode'] : []),
      ...(JSON.stringify(before.autoreply) !== JSON.stringify(after.autoreply) ? ['autoreply'] : []),
    ];
    if (fields.length)
      await audit(db, {
        shop,
        userId: c.get('staff').userId,
        action: 'mail_settings',
        detail: {
          form: form.data,
          fields,
          ...(fields.includes('notifyTo') ? { recipients: after.notifyTo.length, ...addressChanges(before.notifyTo, after.notifyTo) } : {}),
          ...(fields.includes('mode') ? { mode: after.mode } : {}),
          ...(fields.includes('autoreply') ? { autoreply: after.autoreply.enabled } : {}),
        },
      });
    return c.json(after);
  });

  app.get('/settings/mail', async (c) => c.json(await current(c.get('session').shop)));
  app.put('/settings/mail', async (c) => {
    const parsed = senderBody.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) throw badRequest('invalid_sender', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const shop = c.get('session').shop;
    const before = await current(shop);
    await db
      .updateTable('shops')
      .set({
        mail_from: parsed.data.from,
        mail_from_name: parsed.data.fromName,
        ...(parsed.data.locale ? { mail_locale: parsed.data.locale } : {}),
        ...(parsed.data.replyTo !== undefined ? { mail_reply_to: parsed.data.replyTo } : {}),
      })
      .where('shop', '=', shop)
      .execute();
    const after = await current(shop);
    const fields = (['from', 'fromName', 'replyTo', 'locale'] as const).filter((f) => (before[f] ?? null) !== (after[f] ?? null));
    if (fields.length)
      await audit(db, {
        shop,
        userId: c.get('staff').userId,
        action: 'mail_sender',
        detail: {
          fields,
          ...(fields.includes('from') ? { from: after.from ? domainOf(after.from) : null } : {}),
          ...(fields.includes('replyTo') ? { replyTo: after.replyTo ? domainOf(after.replyTo) : null } : {}),
          ...(fields.includes('locale') ? { locale: after.locale } : {}),
        },
      });
    return c.json(after);
  });

  // Everything the E-mail screen shows, to every role: who gets which mail is no shopper's data; only the owner edits.
  app.get('/mail-settings', async (c) => {
    const shop = c.get('session').shop;
    const settings = await db
      .selectFrom('form_mail_settings')
      .select(['form_id', 'notify_to', 'notify_mode', 'autoreply', 'autoreply_subject', 'autoreply_text'])
      .where('shop', '=', shop)
      .execute();
    // The forms the shop has: configured, shown on the storefront (form_views), or with leads. The most viewed and the
    // most used first, and quarantined leads left out: anyone can post a form id, and ids a sender made up must not
    // push the shop's real forms out of the list.
    const viewed = await db
      .selectFrom('form_views')
      .select('form_id')
      .where('shop', '=', shop)
      .groupBy('form_id')
      .orderBy((eb) => eb.fn.sum('count'), 'desc')
      .limit(100)
      .execute();
    const withLeads = await db
      .selectFrom('leads')
      .select('form_id')
      .where('shop', '=', shop)
      .where('source', '=', 'contact_form')
      .where('status', '!=', 'quarantined')
      .where('form_id', 'is not', null)
      .groupBy('form_id')
      .orderBy((eb) => eb.fn.countAll(), 'desc')
      .limit(100)
      .execute();
    const ids = [...new Set([...settings.map((s) => s.form_id), ...viewed.map((v) => v.form_id), ...withLeads.map((l) => l.form_id ?? '')])]
      .filter((id) => formId.safeParse(id).success)
      .sort();
    const overview: MailSettingsOverview = {
      sender: await current(shop),
      forms: ids.map((id) =>
        view(
          id,
          settings.find((s) => s.form_id === id),
        ),
      ),
      canEdit: can(c.get('staff').role, 'privacy'),
    };
    return c.json(overview);
  });
  return app;
}
