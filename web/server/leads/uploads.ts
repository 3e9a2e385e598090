import type { Kysely } from 'kysely';
import { conflict } from '../core/errors.js';
import { nowIso } from '../core/ids.js';
import type { Database, UploadsTable } from '../storage/tables.js';

/**
 * A shopper's attachment, from its staged target to the one lead that claims it. An upload never completes a
 * submission on its own: it is claimed by a lead in the lead's own transaction (intake.ts), and one no lead claimed
 * within UPLOAD_CLAIM_WINDOW_MS is doomed, like an erased lead's, and its Shopify file deleted by the worker.
 */
export type Upload = UploadsTable;

/** How long an upload may wait for its submission (the form's fill time after attaching, with a margin). */
export const UPLOAD_CLAIM_WINDOW_MS = 60 * 60 * 1000;

export async function insertUpload(
  db: Kysely<Database>,
  upload: Pick<Upload, 'id' | 'shop' | 'form_id' | 'filename' | 'declared_mime' | 'declared_size' | 'resource_url'>,
  clock: () => number = Date.now,
): Promise<void> {
  const now = nowIso(clock);
  await db
    .insertInto('uploads')
    .values({ ...upload, status: 'staged', detected_mime: null, file_id: null, file_url: null, lead_id: null, reason: null, created_at: now, updated_at: now })
    .execute();
}

/** The shop's upload by its reference; another shop's reference is as unknown as one never issued. */
export async function findUpload(db: Kysely<Database>, shop: string, id: string): Promise<Upload | undefined> {
  return db.selectFrom('uploads').selectAll().where('id', '=', id).where('shop', '=', shop).executeTakeFirst();
}

/**
 * How long a completion may hold an upload (`checking`): reading the staged object back (10 s at most) and Shopify's
 * fileCreate, with a wide margin. A claim older than this belongs to a request that died; another may take it over.
 */
export const UPLOAD_CHECK_TIMEOUT_MS = 2 * 60 * 1000;

/** A completion's hold on an upload: the stamp it set, which its later writes require to be still there. */
export interface CheckClaim {
  id: string;
  claimedAt: string;
  /** The upload as the claim left it. */
  upload: Upload;
}

/**
 * Staged -> checking, for the one completion that will read the bytes back and make the Shopify file: without it,
 * completions racing on one upload each asked Shopify for a file. A `checking` row whose claim timed out is taken over.
 * Null when the upload is not the shop's, not staged, or held by another completion.
 */
export async function claimCheck(db: Kysely<Database>, shop: string, id: string, clock: () => number = Date.now): Promise<CheckClaim | null> {
  const claimedAt = nowIso(clock);
  const stale = new Date(clock() - UPLOAD_CHECK_TIMEOUT_MS).toISOString();
  const upload = await db
    .updateTable('uploads')
    .set({ status: 'checking', updated_at: claimedAt })
    .where('id', '=', id)
    .where('shop', '=', shop)
    .where((eb) => eb.or([eb('status', '=', 'staged'), eb.and([eb('status', '=', 'checking'), eb('updated_at', '<', stale)])]))
    .returningAll()
    .executeTakeFirst();
  return upload ? { id, claimedAt, upload } : null;
}

/** Gives a claimed upload back (checking -> staged) when it could not be checked now: the shopper may try again. */
export async function releaseCheck(db: Kysely<Database>, claim: CheckClaim, clock: () => number = Date.now): Promise<void> {
  await db
    .updateTable('uploads')
    .set({ status: 'staged', updated_at: nowIso(clock) })
    .where('id', '=', claim.id)
    .where('status', '=', 'checking')
    .where('updated_at', '=', claim.claimedAt)
    .execute();
}

/** Checking -> ready once its bytes checked out and Shopify made the file; false when the claim was lost meanwhile. */
export async function markReady(
  db: Kysely<Database>,
  claim: CheckClaim,
  file: { detectedMime: string; fileId: string; fileUrl: string | null },
  clock: () => number = Date.now,
): Promise<boolean> {
  const result = await db
    .updateTable('uploads')
    .set({ status: 'ready', detected_mime: file.detectedMime, file_id: file.fileId, file_url: file.fileUrl, updated_at: nowIso(clock) })
    .where('id', '=', claim.id)
    .where('status', '=', 'checking')
    .where('updated_at', '=', claim.claimedAt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function markRejected(db: Kysely<Database>, claim: CheckClaim, reason: string, clock: () => number = Date.now): Promise<void> {
  await db
    .updateTable('uploads')
    .set({ status: 'rejected', reason, updated_at: nowIso(clock) })
    .where('id', '=', claim.id)
    .where('status', '=', 'checking')
    .where('updated_at', '=', claim.claimedAt)
    .execute();
}

/**
 * Ties a ready upload to its lead, inside the lead's transaction. One upload goes to one lead: a second submission
 * naming it (a replay with another body, or a race) fails alone with `upload_already_used`, and its batch goes on.
 * Only a lead of the form the upload was staged for may claim it (the submit route says so first, with its reason).
 */
export async function claimUpload(db: Kysely<Database>, shop: string, id: string, lead: { id: string; formId: string | null }): Promise<void> {
  if (lead.formId === null) throw conflict('attachment_other_form', 'The attachment was uploaded for another form.');
  const result = await db
    .updateTable('uploads')
    .set({ lead_id: lead.id })
    .where('id', '=', id)
    .where('shop', '=', shop)
    .where('form_id', '=', lead.formId)
    .where('status', '=', 'ready')
    .where('lead_id', 'is', null)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw conflict('upload_already_used', 'This attachment belongs to another submission.');
}

/** The erased leads' uploads wait for the worker to delete their Shopify files (fileDelete). Run it in the erasure's transaction. */
export async function doomLeadUploads(db: Kysely<Database>, leadIds: string[], clock: () => number = Date.now): Promise<void> {
  if (!leadIds.length) return;
  await db
    .updateTable('uploads')
    .set({ status: 'doomed', lead_id: null, updated_at: nowIso(clock) })
    .where('lead_id', 'in', leadIds)
    .execute();
}

/** Uploads no submission claimed in time are doomed; rejected ones (never made a file) are simply forgotten. */
export async function doomAbandonedUploads(db: Kysely<Database>, clock: () => number = Date.now): Promise<number> {
  const before = new Date(clock() - UPLOAD_CLAIM_WINDOW_MS).toISOString();
  const doomed = await db
    .updateTable('uploads')
    .set({ status: 'doomed', updated_at: nowIso(clock) })
    .where('status', 'in', ['staged', 'checking', 'ready'])
    .where('lead_id', 'is', null)
    .where('created_at', '<', before)
    .executeTakeFirst();
  await db.deleteFrom('uploads').where('status', '=', 'rejected').where('created_at', '<', before).execute();
  return Number(doomed.numUpdatedRows);
}

export async function doomedUploads(db: Kysely<Database>, limit = 50): Promise<Array<Pick<Upload, 'id' | 'shop' | 'file_id'>>> {
  return db.selectFrom('uploads').select(['id', 'shop', 'file_id']).where('status', '=', 'doomed').orderBy('updated_at').limit(limit).execute();
}

export async function forgetUploads(db: Kysely<Database>, ids: string[]): Promise<void> {
  if (ids.length) await db.deleteFrom('uploads').where('id', 'in', ids).where('status', '=', 'doomed').execute();
}

/** What a lead's attachment is, for the workspace and data-request packages. */
export async function leadAttachments(
  db: Kysely<Database>,
  leadIds: string[],
): Promise<Array<Pick<Upload, 'lead_id' | 'filename' | 'detected_mime' | 'declared_size' | 'file_id' | 'file_url' | 'created_at'>>> {
  if (!leadIds.length) return [];
  return db
    .selectFrom('uploads')
    .select(['lead_id', 'filename', 'detected_mime', 'declared_size', 'file_id', 'file_url', 'created_at'])
    .where('lead_id', 'in', leadIds)
    .where('status', '=', 'ready')
    .execute();
}
