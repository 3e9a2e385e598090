import { type Kysely, sql } from 'kysely';
import type { DayFigures, FormInsight, Insights } from '../../../schema/workspace-api.js';
import type { Database } from '../storage/tables.js';

/**
 * Per form and per day: views (the block's beacon), submissions, consents and spam held back. Views are counters
 * (shop, form, day), never who looked; the rest is counted from the leads themselves.
 */
export async function recordView(db: Kysely<Database>, shop: string, formId: string, now = new Date()): Promise<void> {
  await db
    .insertInto('form_views')
    .values({ shop, form_id: formId, day: now.toISOString().slice(0, 10), count: 1 })
    .onConflict((oc) => oc.columns(['shop', 'form_id', 'day']).doUpdateSet((eb) => ({ count: eb('form_views.count', '+', 1) })))
    .execute();
}

export type { DayFigures, FormInsight } from '../../../schema/workspace-api.js';

function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`) && out.length < 400; t += 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

export async function insights(db: Kysely<Database>, shop: string, range: { from: string; to: string }): Promise<Insights> {
  const end = new Date(Date.parse(`${range.to}T00:00:00Z`) + 86_400_000).toISOString();
  const day = sql<string>`substr(created_at, 1, 10)`;
  const leadRows = await db
    .selectFrom('leads')
    .select((eb) => [
      eb.fn.coalesce('form_id', sql<string>`''`).as('form'),
      day.as('day'),
      eb.fn.countAll<number | string>().as('total'),
      eb.fn.sum<number | string>(sql`case when status = 'quarantined' then 1 else 0 end`).as('spam'),
      eb.fn.sum<number | string>(sql`case when status <> 'quarantined' and email_consent = 1 then 1 else 0 end`).as('consented'),
    ])
    .where('shop', '=', shop)
    .where('created_at', '>=', `${range.from}T00:00:00.000Z`)
    .where('created_at', '<', end)
    .groupBy([sql`coalesce(form_id, '')`, day])
    .execute();
  const doiRows = await db
    .selectFrom('leads')
    .select((eb) => [
      eb.fn.coalesce('form_id', sql<string>`''`).as('form'),
      eb.fn.countAll<number | string>().as('requested'),
      eb.fn.sum<number | string>(sql`case when doi_state = 'confirmed' then 1 else 0 end`).as('confirmed'),
    ])
    .where('shop', '=', shop)
    .where('doi_state', 'is not', null)
    .where('status', '<>', 'quarantined')
    .where('created_at', '>=', `${range.from}T00:00:00.000Z`)
    .where('created_at', '<', end)
    .groupBy(sql`coalesce(form_id, '')`)
    .execute();
  const doi = new Map(doiRows.map((r) => [r.form, { requested: Number(r.requested), confirmed: Number(r.confirmed) }]));
  const viewRows = await db
    .selectFrom('form_views')
    .select(['form_id', 'day', 'count'])
    .where('shop', '=', shop)
    .where('day', '>=', range.from)
    .where('day', '<=', range.to)
    .execute();

  const days = daysBetween(range.from, range.to);
  const forms = new Map<string, Map<string, DayFigures>>();
  const cell = (form: string, d: string): DayFigures => {
    let byDay = forms.get(form);
    if (!byDay) forms.set(form, (byDay = new Map(days.map((x) => [x, { day: x, views: 0, submissions: 0, consented: 0, spam: 0 }]))));
    let figures = byDay.get(d);
    if (!figures) byDay.set(d, (figures = { day: d, views: 0, submissions: 0, consented: 0, spam: 0 }));
    return figures;
  };
  for (const r of leadRows) {
    const f = cell(r.form, r.day);
    f.spam += Number(r.spam);
    f.submissions += Number(r.total) - Number(r.spam);
    f.consented += Number(r.consented);
  }
  for (const r of viewRows) cell(r.form_id, r.day).views += Number(r.count);

  const result: FormInsight[] = [...forms].map(([form, byDay]) => {
    const list = [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
    const sum = (k: keyof Omit<DayFigures, 'day'>) => list.reduce((n, d) => n + d[k], 0);
    const views = sum('views');
    const submissions = sum('submissions');
    const consented = sum('consented');
    return {
      form,
      views,
      submissions,
      consented,
      spam: sum('spam'),
      conversionRate: views ? submissions / views : null,
      consentRate: submissions ? consented / submissions : null,
      ...(doi.has(form)
        ? {
            doiRequested: doi.get(form)!.requested,
            doiConfirmed: doi.get(form)!.confirmed,
            confirmationRate: doi.get(form)!.requested ? doi.get(form)!.confirmed / doi.get(form)!.requested : null,
          }
        : {}),
      days: list,
    };
  });
  return { from: range.from, to: range.to, forms: result.sort((a, b) => b.submissions - a.submissions) };
}
