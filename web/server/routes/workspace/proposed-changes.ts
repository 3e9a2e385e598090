import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import * as z from 'zod';
import { badRequest, conflict, notFound } from '../../http/errors.js';
import { nowIso } from '../../core/ids.js';
import { enqueueSync } from '../../outbox/outbox.js';
import { type ProposedChanges, parseProposedChanges } from '../../shopify/proposed-changes.js';
import type { Database } from '../../storage/tables.js';
import { audit } from './audit.js';
import type { ProposedChangesView } from '../../../../schema/workspace-api.js';
import { type StaffEnv, allow } from './roles.js';

/**
 * Proposed changes: what an unverified submission would have changed on an existing Shopify customer, kept on the
 * lead. Staff with the `work` permission apply them through the correction path (an update_customer job writing to
 * the customer by id), audited by field name, or dismiss them. Viewers learn which fields differ, not the values.
 */
export async function proposedChangesOf(db: Kysely<Database>, shop: string, id: string, unmasked: boolean): Promise<ProposedChangesView | null> {
  const row = await db.selectFrom('leads').select('proposed_changes').where('shop', '=', shop).where('id', '=', id).executeTakeFirst();
  const proposal = parseProposedChanges(row?.proposed_changes);
  if (!proposal?.changes.length) return null;
  const pending = proposal.accepted ? { at: proposal.accepted.at, fields: proposal.accepted.fields } : null;
  if (!unmasked) return { found_at: proposal.found_at, changes: proposal.changes.map((c) => ({ field: c.field })), applying: pending };
  return { found_at: proposal.found_at, changes: proposal.changes, applying: pending };
}

const applyBody = z.object({ fields: z.array(z.string().max(80)).min(1).max(50).optional() }).strict();

export function proposedChangesRoutes(db: Kysely<Database>) {
  const app = new Hono<StaffEnv>();

  app.post('/leads/:id/proposed-changes/apply', allow('work'), async (c) => {
    const parsed = applyBody.safeParse(await c.req.json().catch(() => ({})));
    if (!parsed.success) throw badRequest('invalid_body', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const shop = c.get('session').shop;
    const userId = c.get('staff').userId;
    const id = c.req.param('id');
    const fields = await db.transaction().execute(async (trx) => {
      const lead = await trx
        .selectFrom('leads')
        .select(['proposed_changes', 'status', 'email_consent', 'shopify_customer_id'])
        .where('shop', '=', shop)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!lead) throw notFound('lead_not_found');
      const proposal = parseProposedChanges(lead.proposed_changes);
      if (!proposal?.changes.length || !lead.shopify_customer_id) throw conflict('no_proposed_changes', 'This lead has no changes waiting for the customer.');
      if (lead.status === 'pending') throw conflict('sync_pending', 'The lead is being synced; try again in a moment.');
      // The consent that let the lead reach Shopify at all; without it nothing is written to the customer.
      if (lead.email_consent !== 1) throw conflict('no_consent', 'The shopper did not consent; the lead cannot go to Shopify.');
      const known = new Set(proposal.changes.map((ch) => ch.field));
      const wanted = parsed.data.fields ?? [...known];
      const unknown = wanted.filter((f) => !known.has(f));
      if (unknown.length) throw badRequest('unknown_field', `Not proposed: ${unknown.join(', ')}`);
      const next: ProposedChanges = { ...proposal, accepted: { fields: wanted, at: nowIso(), by: userId } };
      await trx
        .updateTable('leads')
        .set({ proposed_changes: JSON.stringify(next), status: 'pending', sync_error: null })
        .where('id', '=', id)
        .execute();
      await enqueueSync(trx, shop, id, Date.now, 'update_customer');
      return wanted;
    });
    await audit(db, { shop, userId, action: 'edit', leadId: id, detail: { fields, proposed: true, synced: true } });
    return c.json({ id, status: 'pending', fields });
  });

  app.post('/leads/:id/proposed-changes/dismiss', allow('work'), async (c) => {
    const shop = c.get('session').shop;
    const userId = c.get('staff').userId;
    const id = c.req.param('id');
    const lead = await db.selectFrom('leads').select('proposed_changes').where('shop', '=', shop).where('id', '=', id).executeTakeFirst();
    if (!lead) throw notFound('lead_not_found');
    const proposal = parseProposedChanges(lead.proposed_changes);
    if (!proposal?.changes.length) throw conflict('no_proposed_changes', 'This lead has no changes waiting for the customer.');
    if (proposal.accepted) throw conflict('sync_pending', 'These changes are being applied.');
    await db.updateTable('leads').set({ proposed_changes: null }).where('shop', '=', shop).where('id', '=', id).execute();
    await audit(db, { shop, userId, action: 'edit', leadId: id, detail: { fields: proposal.changes.map((ch) => ch.field), proposed: true, dismissed: true } });
    return c.json({ id, dismissed: proposal.changes.length });
  });

  return app;
}
