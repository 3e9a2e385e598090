import type { Kysely } from 'kysely';
import type { OptInSetting, OptInSettings } from '../../../schema/workspace-api.js';
import { nowIso } from '../core/ids.js';
import type { Database } from '../storage/tables.js';
import { DOI_DEFAULT_DAYS } from './double-opt-in.js';

/**
 * The shop's double opt-in setting, stored on the server. The block's setting travels in the post, and a post is
 * anyone's to write: a signed `doi:0` captured before the merchant turned double opt-in on stays valid forever. So the
 * server's row is what decides; the block can only add double opt-in where this row does not ask for it.
 */
export const ALL_FORMS = '*';

export const DEFAULT_OPT_IN: OptInSetting = { requireDoubleOptIn: false, linkDays: DOI_DEFAULT_DAYS, keepContact: false };

type Row = { form_id: string; require_doi: number; link_days: number; keep_contact: number };

const settingOf = (row: Row): OptInSetting => ({ requireDoubleOptIn: row.require_doi === 1, linkDays: row.link_days, keepContact: row.keep_contact === 1 });

/** A form's own row if it has one, else the shop's row for all forms, else the default (off). */
function effective(rows: readonly Row[], formId: string | null): OptInSetting {
  const own = formId !== null ? rows.find((r) => r.form_id === formId) : undefined;
  const all = rows.find((r) => r.form_id === ALL_FORMS);
  const row = own ?? all;
  return row ? settingOf(row) : DEFAULT_OPT_IN;
}

export type OptInLookup = (shop: string, formId: string | null) => OptInSetting;

/**
 * The settings that apply to each (shop, form) of a batch, in one query: `of(shop, form)` answers from it. Read in the
 * intake's own transaction, so a setting saved before a lead commits applies to it.
 */
export async function optInSettingsFor(db: Kysely<Database>, wanted: readonly { shop: string; formId: string | null }[]): Promise<OptInLookup> {
  const shops = [...new Set(wanted.map((w) => w.shop))];
  const forms = [...new Set([ALL_FORMS, ...wanted.flatMap((w) => (w.formId !== null ? [w.formId] : []))])];
  const rows = shops.length
    ? await db
        .selectFrom('opt_in_settings')
        .select(['shop', 'form_id', 'require_doi', 'link_days', 'keep_contact'])
        .where('shop', 'in', shops)
        .where('form_id', 'in', forms)
        .execute()
    : [];
  return (shop, formId) =>
    effective(
      rows.filter((r) => r.shop === shop),
      formId,
    );
}

export async function readOptInSettings(db: Kysely<Database>, shop: string): Promise<OptInSettings> {
  const rows = await db
    .selectFrom('opt_in_settings')
    .select(['form_id', 'require_doi', 'link_days', 'keep_contact'])
    .where('shop', '=', shop)
    .orderBy('form_id')
    .execute();
  return {
    all: effective(rows, null),
    forms: rows.filter((r) => r.form_id !== ALL_FORMS).map((r) => ({ form: r.form_id, ...settingOf(r) })),
  };
}

export async function writeOptInSetting(
  db: Kysely<Database>,
  shop: string,
  formId: string,
  setting: OptInSetting | null,
  clock: () => number = Date.now,
): Promise<void> {
  if (setting === null) {
    await db.deleteFrom('opt_in_settings').where('shop', '=', shop).where('form_id', '=', formId).execute();
    return;
  }
  const values = {
    require_doi: setting.requireDoubleOptIn ? 1 : 0,
    link_days: setting.linkDays,
    keep_contact: setting.keepContact ? 1 : 0,
    updated_at: nowIso(clock),
  };
  await db
    .insertInto('opt_in_settings')
    .values({ shop, form_id: formId, ...values })
    .onConflict((oc) => oc.columns(['shop', 'form_id']).doUpdateSet(values))
    .execute();
}
