import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import * as z from 'zod';
import { badRequest } from '../../http/errors.js';
import { DOI_MAX_DAYS } from '../../leads/double-opt-in.js';
import { ALL_FORMS, readOptInSettings, writeOptInSetting } from '../../leads/opt-in-settings.js';
import type { Database } from '../../storage/tables.js';
import { audit } from './audit.js';
import type { StaffEnv } from './roles.js';

// The form ids the block posts (`form_name` or the block id, handleized, at most 64 characters); '*' = every form.
const form = z.union([z.literal(ALL_FORMS), z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'form ids are 1-64 letters, digits, _ or -')]).default(ALL_FORMS);
const setting = z.strictObject({
  form,
  requireDoubleOptIn: z.boolean(),
  linkDays: z.int().min(1).max(DOI_MAX_DAYS),
  keepContact: z.boolean(),
});
const clear = z.strictObject({ form, clear: z.literal(true) });

/**
 * The shop's double opt-in (owner only, mounted under /settings like the mail settings): for every form and per form.
 * Intake enforces it whatever a post says (leads/intake.ts). Each change is in the audit log, with the values (they
 * are settings, not personal data).
 */
export function optInSettingsRoutes(db: Kysely<Database>) {
  const app = new Hono<StaffEnv>();
  app.get('/settings/opt-in', async (c) => c.json(await readOptInSettings(db, c.get('session').shop)));
  app.put('/settings/opt-in', async (c) => {
    const body: unknown = await c.req.json().catch(() => null);
    const parsed = z.union([clear, setting]).safeParse(body);
    if (!parsed.success) {
      // The union's own message names neither branch's problem: report the setting's, which is what most posts mean.
      const issues = (body && typeof body === 'object' && 'clear' in body ? clear : setting).safeParse(body).error?.issues ?? parsed.error.issues;
      throw badRequest('invalid_opt_in_settings', issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    }
    const { shop } = c.get('session');
    const data = parsed.data;
    if ('clear' in data) {
      if (data.form === ALL_FORMS) throw badRequest('invalid_opt_in_settings', 'form: the setting for all forms cannot be cleared, only changed');
      await writeOptInSetting(db, shop, data.form, null);
    } else {
      await writeOptInSetting(db, shop, data.form, { requireDoubleOptIn: data.requireDoubleOptIn, linkDays: data.linkDays, keepContact: data.keepContact });
    }
    const { form: formId, ...values } = data;
    await audit(db, { shop, userId: c.get('staff').userId, action: 'opt_in_settings', detail: { form: formId, ...values } });
    return c.json(await readOptInSettings(db, shop));
  });
  return app;
}
