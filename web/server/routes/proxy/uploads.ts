import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/tables.js';
import * as z from 'zod';
import { MB, UPLOAD_MAX_MB, UPLOAD_MIME_TYPES, UPLOAD_REFERENCE } from '../../../../schema/uploads.js';
import { signedUploadLimits } from '../../core/form-key.js';
import { sha256Hex } from '../../core/ids.js';
import { SNIFF_BYTES, detectFileType, safeFilename } from '../../core/file-type.js';
import { HttpError, badRequest, notFound } from '../../http/errors.js';
import { bodyFormat, headersOf, parseBody, readCapped, unreadIncoming } from '../../http/body.js';
import { type RateCounters, overLimit } from '../../leads/rate-limit.js';
import { type CheckClaim, claimCheck, findUpload, insertUpload, markReady, markRejected, releaseCheck } from '../../leads/uploads.js';
import { type Call, createFile, deleteFiles, readStagedHead, stageUpload } from '../../shopify/files.js';

export interface UploadLimits {
  /** Uploads one address may stage per minute and shop. */
  perIpPerMinute: number;
  /** Uploads one shop may stage per minute, from everyone. */
  perShopPerMinute: number;
  /**
   * Completions (each may read the staged object back) one address may ask per minute and shop, one upload may be
   * asked, and one shop may be asked from everyone. A shopper completes each upload once, and again after a 409 or 503.
   */
  completePerIpPerMinute: number;
  completePerUploadPerMinute: number;
  completePerShopPerMinute: number;
}
export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  perIpPerMinute: 5,
  perShopPerMinute: 60,
  completePerIpPerMinute: 20,
  completePerUploadPerMinute: 10,
  completePerShopPerMinute: 240,
};

export interface UploadDeps {
  db: Kysely<Database>;
  /** The shop's Admin API, or null when the app has no token for it (not installed). */
  admin: (shop: string) => Promise<Call | null>;
  counters: RateCounters;
  limits?: UploadLimits;
  /** How long reading back a staged object may take. */
  fetchTimeoutMs?: number;
  clock?: () => number;
}

type Env = { Variables: { proxy: { shop: string } } };

/** The extensions each accepted type may carry: a file named `.pdf` declared as an image is refused before staging. */
const EXTENSIONS: Record<string, readonly string[]> = {
  'image/jpeg': ['jpg', 'jpeg'],
  'image/png': ['png'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
  'application/pdf': ['pdf'],
};

const stageRequest = z.object({
  filename: z.string().min(1).max(255),
  mime_type: z.string().max(100),
  size: z.number().int().positive(),
  /** The form's id and its signed attachment settings (`<types>:<MB>`), as the block rendered them. */
  form_id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional(),
  limits: z.string().max(32).optional(),
  limits_sig: z.string().max(128).optional(),
});

const unsupported = (reason: string, detail: string) => new HttpError(415, reason, detail);
const tooMany = (now: number) => overLimit(now, 'Too many uploads; try again later.');
const inProgress = () => new HttpError(409, 'upload_in_progress', 'This upload is being checked; try again in a moment.', {}, { 'retry-after': '2' });

/**
 * The contact form's attachments, through the signed app proxy (routes.ts verified the shop already):
 * `POST /uploads` checks the declared type, extension and size and asks Shopify for a staged target;
 * `POST /uploads/:ref/complete` reads the uploaded bytes back, checks what they really are, and makes the Shopify file.
 * The submission then names the reference (`attachment`), and intake ties it to the lead.
 */
export function uploadRoutes(deps: UploadDeps, ipBucket: (headers: Pick<Headers, 'get'>) => { bucket: string }, formKeyOf: (shop: string) => string) {
  const app = new Hono<Env>();
  const limits = deps.limits ?? DEFAULT_UPLOAD_LIMITS;
  const clock = deps.clock ?? Date.now;

  const adminOf = async (shop: string): Promise<Call> => {
    const call = await deps.admin(shop);
    if (!call) throw new HttpError(503, 'shop_not_installed', 'The app cannot reach this shop right now.', {}, { 'retry-after': '60' });
    return call;
  };
  const shopifyFailed = (kind: 'refused' | 'unavailable') =>
    kind === 'unavailable'
      ? new HttpError(503, 'shopify_unavailable', 'Shopify did not answer; try again.', {}, { 'retry-after': '5' })
      : new HttpError(422, 'shopify_refused', 'Shopify refused this file.');

  app.post('/', async (c) => {
    const { shop } = c.get('proxy');
    const headers = headersOf(c.req.raw, c.env);
    const format = bodyFormat(headers.get('content-type'));
    if (format !== 'json') throw unsupported('unsupported_media_type', 'Send application/json.');
    const body = parseBody(format, await readCapped(c.req.raw, 4096, unreadIncoming(c.env)));
    const parsed = stageRequest.safeParse(body.fields);
    if (!parsed.success) throw badRequest('invalid_upload_request', 'filename, mime_type and size (bytes) are required.');
    // Only a form whose block offers a file field, and signed its settings with the shop's form key, may stage files
    // in the shop's Files, and only within what the merchant set: a request without that signature (none, changed,
    // another form's) is refused outright, before anything is counted, staged or written.
    const formId = parsed.data.form_id;
    const allowed = signedUploadLimits(formKeyOf(shop), formId, parsed.data.limits, parsed.data.limits_sig);
    if (!allowed || !formId) throw new HttpError(403, 'attachments_not_enabled', "This form does not accept attachments, or its settings are not the block's.");
    const { mime_type: mimeType, size } = parsed.data;
    if (!UPLOAD_MIME_TYPES.includes(mimeType)) throw unsupported('unsupported_type', 'Images (JPEG, PNG, GIF, WebP) and PDF only.');
    const filename = safeFilename(parsed.data.filename);
    const extension = /\.([A-Za-z0-9]{1,8})$/.exec(filename)?.[1]?.toLowerCase();
    if (!extension || !EXTENSIONS[mimeType]!.includes(extension)) throw unsupported('extension_mismatch', 'The file name does not match its type.');
    if (size > UPLOAD_MAX_MB * MB) throw new HttpError(413, 'too_large', `Files up to ${UPLOAD_MAX_MB} MB.`);
    if (!allowed.types.includes(mimeType)) throw unsupported('type_not_allowed', 'This form does not accept this type of file.');
    if (size > allowed.maxBytes) throw new HttpError(413, 'too_large', `This form accepts files up to ${allowed.maxBytes / MB} MB.`);

    // Counted before Shopify is asked: a refused request still counts against its address. The shop counts only the
    // requests its addresses' limit lets through, else one address alone would use up every shopper's allowance.
    const now = clock();
    const { bucket } = ipBucket(headers);
    const admitted = deps.counters.admits(
      [
        [`upload:ip:${shop}:${bucket}`, limits.perIpPerMinute],
        [`upload:shop:${shop}`, limits.perShopPerMinute],
      ],
      now,
    );
    if (!admitted) throw tooMany(now);

    const staged = await stageUpload(await adminOf(shop), { filename, mimeType, size });
    if (!staged.ok) throw shopifyFailed(staged.kind);
    const id = randomBytes(32).toString('base64url');
    await insertUpload(
      deps.db,
      { id, shop, form_id: formId, filename, declared_mime: mimeType, declared_size: size, resource_url: staged.value.resourceUrl },
      clock,
    );
    return c.json({ upload: id, url: staged.value.url, parameters: staged.value.parameters }, 201);
  });

  app.post('/:ref/complete', async (c) => {
    const { shop } = c.get('proxy');
    const ref = c.req.param('ref');
    if (!UPLOAD_REFERENCE.test(ref)) throw badRequest('invalid_upload', 'Not an upload reference.');
    // Each completion may read the database and fetch the staged object (up to fetchTimeoutMs): counted per address,
    // per upload, then per shop, the shop only for what the narrower limits let through.
    const now = clock();
    const { bucket } = ipBucket(headersOf(c.req.raw, c.env));
    const admitted = deps.counters.admits(
      [
        [`upload-complete:ip:${shop}:${bucket}`, limits.completePerIpPerMinute],
        [`upload-complete:ref:${sha256Hex(ref).slice(0, 32)}`, limits.completePerUploadPerMinute],
        [`upload-complete:shop:${shop}`, limits.completePerShopPerMinute],
      ],
      now,
    );
    if (!admitted) throw tooMany(now);

    // One completion checks the upload and makes its file; the others answer from the row.
    const claim = await claimCheck(deps.db, shop, ref, clock);
    if (!claim) {
      const upload = await findUpload(deps.db, shop, ref);
      if (!upload || upload.status === 'doomed') throw notFound('upload_not_found');
      if (upload.status === 'ready') return c.json({ upload: ref, status: 'ready' });
      if (upload.status === 'rejected') throw unsupported(upload.reason ?? 'rejected', 'This file was refused.');
      throw inProgress();
    }
    try {
      return c.json(await check(shop, claim));
    } catch (error) {
      // Not checked to the end (not uploaded yet, a storage or Shopify outage, a bug): the shopper may try again.
      await releaseCheck(deps.db, claim, clock);
      throw error;
    }
  });

  /** Reads the claimed upload's first bytes back, checks what they are, and makes the Shopify file. */
  async function check(shop: string, claim: CheckClaim): Promise<{ upload: string; status: 'ready' }> {
    const { upload } = claim;
    const read = await readStagedHead(upload.resource_url, SNIFF_BYTES, deps.fetchTimeoutMs ?? 10_000);
    if (!read.ok) {
      if (read.kind === 'refused') throw new HttpError(409, 'not_uploaded', 'Upload the file to its target first.');
      throw new HttpError(503, 'staged_unavailable', 'The upload could not be checked; try again.', {}, { 'retry-after': '5' });
    }
    const detected = detectFileType(read.value.head);
    if (detected === null || detected !== upload.declared_mime) {
      // Nothing was made in the shop's Files; the staged object expires with its target.
      await markRejected(deps.db, claim, 'type_mismatch', clock);
      throw unsupported('type_mismatch', 'The file is not what its name and type say.');
    }
    if (read.value.size !== null && read.value.size > upload.declared_size) {
      await markRejected(deps.db, claim, 'too_large', clock);
      throw new HttpError(413, 'too_large', 'The file is larger than declared.');
    }
    const call = await adminOf(shop);
    const file = await createFile(call, { resourceUrl: upload.resource_url, filename: upload.filename, mimeType: detected });
    if (!file.ok) {
      if (file.kind === 'refused') await markRejected(deps.db, claim, 'shopify_refused', clock);
      throw shopifyFailed(file.kind);
    }
    if (!(await markReady(deps.db, claim, { detectedMime: detected, fileId: file.value.id, fileUrl: file.value.url }, clock))) {
      // The claim timed out and another completion took the upload over: its file is the upload's, this one goes.
      await deleteFiles(call, [file.value.id]);
      const now = await findUpload(deps.db, shop, claim.id);
      if (now?.status !== 'ready') throw inProgress();
    }
    return { upload: claim.id, status: 'ready' };
  }

  return app;
}
