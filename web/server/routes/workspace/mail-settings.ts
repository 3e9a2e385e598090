import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import * as z from 'zod';
import { SINGLE_LINE } from '../../../../schema/rules.js';
import { badRequest } from '../../http/errors.js';
import { mailProblems, shopSender } from '../../mail/sender.js';
import type { Database } from '../../storage/tables.js';
import type { MailSettings } from '../../../../schema/workspace-api.js';
import type { StaffEnv } from './roles.js';

const senderBody = z.object({
  from: z.email().max(254),
  // A display name goes into the From header: one line, so it cannot start a header of its own.
  fromName: z.string().trim().min(1).max(100).regex(SINGLE_LINE, 'one line, no control characters'),
});

/**
 * The shop's e-mail sender (owner only, mounted under /settings). GET also says why mail cannot go out (no SMTP_URL on
 * the server, no sender yet), so the workspace can tell the merchant rather than let mail wait unseen.
 */
export function mailSettingsRoutes(db: Kysely<Database>, smtpConfigured: boolean) {
  const app = new Hono<StaffEnv>();
  const current = async (shop: string): Promise<MailSettings> => {
    const sender = await shopSender(db, shop);
    const row = await db.selectFrom('shops').select(['mail_from', 'mail_from_name']).where('shop', '=', shop).executeTakeFirst();
    return { from: row?.mail_from ?? null, fromName: row?.mail_from_name ?? null, problems: mailProblems(smtpConfigured, sender) };
  };
  app.get('/settings/mail', async (c) => c.json(await current(c.get('session').shop)));
  app.put('/settings/mail', async (c) => {
    const parsed = senderBody.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) throw badRequest('invalid_sender', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const shop = c.get('session').shop;
    await db.updateTable('shops').set({ mail_from: parsed.data.from, mail_from_name: parsed.data.fromName }).where('shop', '=', shop).execute();
    return c.json(await current(shop));
  });
  return app;
}
