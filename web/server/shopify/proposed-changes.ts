import * as z from 'zod';
import { parseJsonColumn } from '../storage/json-column.js';

/**
 * What an unverified submission would have changed on a customer who already existed (names, phone, default address,
 * metafield values it may not overwrite), kept on the lead (encrypted column `proposed_changes`) until staff apply
 * it. `current` is the customer's value when the sync compared them, `proposed` the lead's.
 */
const field = z.string().regex(/^(first_name|last_name|phone|address|metafield:[A-Za-z0-9_-]{1,64})$/);

const proposedChangesSchema = z.object({
  customer_id: z.string(),
  found_at: z.string(),
  changes: z.array(z.object({ field, current: z.string().nullable(), proposed: z.string() })),
  /** Set by staff applying them; the next update_customer job writes these fields and clears them. */
  accepted: z
    .object({ fields: z.array(field), at: z.string(), by: z.string() })
    .nullable()
    .optional(),
});

export type ProposedChanges = z.infer<typeof proposedChangesSchema>;
export type ProposedField = ProposedChanges['changes'][number]['field'];

/** The column's value, or null when there is none or it cannot be read (never a reason to fail a job or a page). */
export function parseProposedChanges(json: string | null | undefined): ProposedChanges | null {
  return parseJsonColumn(proposedChangesSchema, json);
}

/** A field Shopify refused while the rest of the lead synced: shown to staff with Shopify's reason. */
export type { SyncWarning } from '../../../schema/workspace-api.js';
