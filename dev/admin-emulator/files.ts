import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EmuFile, ShopData } from './store.js';

/**
 * Shopify Files as the app uses them: stagedUploadsCreate hands out a POST target (url + form parameters, as Shopify's
 * cloud-storage targets do), the browser posts the bytes there, fileCreate turns the staged object into a file of the
 * shop, fileDelete removes it. Shapes and userErrors follow the 2026-10 schema (StagedUploadsCreatePayload,
 * FileCreatePayload, FileDeletePayload, FilesUserError with FilesErrorCode).
 */
type Input = Record<string, unknown>;
type UserError = { field: string[] | null; message: string; code?: string | null };
/** A string input as given; anything else (absent, or not a string) as the fallback. */
const text = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);

/** How long a staged target accepts an upload (Shopify's targets expire; the exact time is not documented). */
export const STAGED_TTL_MS = 60 * 60 * 1000;
const STAGED_PATH = '/__emulator/staged-uploads';
const FILES_PATH = '/__emulator/files';

export interface FilesContext {
  /** The origin the emulator answers on, for the URLs it hands out. */
  origin: string;
  /** Signs staged-upload policies, so a target cannot be forged or its size limit changed. */
  secret: string;
  now: () => number;
}

export function newFilesSecret(): string {
  return randomBytes(32).toString('hex');
}

const sign = (secret: string, policy: string) => createHmac('sha256', secret).update(policy).digest('hex');

export function stagedUploadsCreate(data: ShopData, ctx: FilesContext, args: { input: Input[] }) {
  const errors: UserError[] = [];
  const targets = args.input.map((input, i) => {
    const filename = text(input.filename);
    const mimeType = text(input.mimeType);
    const resource = text(input.resource);
    const fileSize = input.fileSize === undefined || input.fileSize === null ? null : Number(input.fileSize);
    const method = text(input.httpMethod, 'PUT');
    if (!filename.trim()) errors.push({ field: ['input', String(i), 'filename'], message: 'Filename is required' });
    if (!mimeType.trim()) errors.push({ field: ['input', String(i), 'mimeType'], message: 'Mime type is required' });
    if ((resource === 'FILE' || resource === 'IMAGE') && method === 'POST' && fileSize === null)
      errors.push({ field: ['input', String(i), 'fileSize'], message: 'File size is required for POST uploads' });
    return { filename, mimeType, resource, fileSize, method };
  });
  if (errors.length) return { stagedTargets: null, userErrors: errors };
  return {
    stagedTargets: targets.map((t) => {
      const key = `tmp/${data.shop.split('.')[0]}/${randomBytes(12).toString('hex')}/${encodeURIComponent(t.filename)}`;
      const expiresAt = ctx.now() + STAGED_TTL_MS;
      const maxBytes = t.fileSize ?? 20 * 1024 * 1024;
      data.staged.set(key, { key, filename: t.filename, mimeType: t.mimeType, maxBytes, bytes: null, expiresAt });
      const policy = Buffer.from(JSON.stringify({ key, maxBytes, expiresAt, shop: data.shop })).toString('base64');
      return {
        __typename: 'StagedMediaUploadTarget',
        url: `${ctx.origin}${STAGED_PATH}`,
        resourceUrl: `${ctx.origin}${STAGED_PATH}/${key}`,
        parameters: [
          { name: 'Content-Type', value: t.mimeType },
          { name: 'key', value: key },
          { name: 'policy', value: policy },
          { name: 'x-goog-signature', value: sign(ctx.secret, policy) },
        ],
      };
    }),
    userErrors: [],
  };
}

export type StagedPostResult = { status: 204 } | { status: 400 | 403 | 404; code: string; message: string };

/**
 * A multipart POST to the staged target, checked as a signed-policy target checks it: the policy's signature, its
 * expiry, the key it names, and the file's length against the declared size (content-length-range).
 */
export function acceptStagedPost(shops: Iterable<ShopData>, ctx: FilesContext, form: FormData): StagedPostResult {
  const policy = form.get('policy');
  const signature = form.get('x-goog-signature');
  const key = form.get('key');
  const file = form.get('file');
  if (typeof policy !== 'string' || typeof signature !== 'string' || typeof key !== 'string')
    return { status: 400, code: 'InvalidPolicyDocument', message: 'policy, signature and key are required' };
  const expected = Buffer.from(sign(ctx.secret, policy), 'hex');
  const given = /^[0-9a-f]{64}$/.test(signature) ? Buffer.from(signature, 'hex') : null;
  if (!given || !timingSafeEqual(expected, given)) return { status: 403, code: 'SignatureDoesNotMatch', message: 'The policy signature does not match' };
  const parsed = JSON.parse(Buffer.from(policy, 'base64').toString('utf8')) as { key: string; maxBytes: number; expiresAt: number; shop: string };
  if (parsed.key !== key) return { status: 403, code: 'AccessDenied', message: 'The key is not the one the policy allows' };
  if (parsed.expiresAt < ctx.now()) return { status: 403, code: 'ExpiredToken', message: 'The policy has expired' };
  if (!(file instanceof Blob)) return { status: 400, code: 'InvalidArgument', message: 'The file field is missing' };
  for (const shop of shops) {
    const staged = shop.staged.get(key);
    if (!staged || shop.shop !== parsed.shop) continue;
    if (file.size > parsed.maxBytes) return { status: 400, code: 'EntityTooLarge', message: 'Your proposed upload exceeds the maximum allowed size' };
    return { status: 204 };
  }
  return { status: 404, code: 'NoSuchKey', message: 'The staged target does not exist' };
}

/** Stores the bytes once acceptStagedPost said yes (the caller reads the blob asynchronously). */
export function storeStaged(shops: Iterable<ShopData>, key: string, bytes: Buffer): void {
  for (const shop of shops) {
    const staged = shop.staged.get(key);
    if (staged) staged.bytes = bytes;
  }
}

export function stagedObject(shops: Iterable<ShopData>, key: string): { bytes: Buffer; mimeType: string } | null {
  for (const shop of shops) {
    const staged = shop.staged.get(key);
    if (staged?.bytes) return { bytes: staged.bytes, mimeType: staged.mimeType };
  }
  return null;
}

export function fileBytes(shops: Iterable<ShopData>, legacyId: number): EmuFile | null {
  for (const shop of shops) for (const f of shop.files.values()) if (f.legacyId === legacyId) return f;
  return null;
}

const fileUrl = (ctx: FilesContext, f: EmuFile) => `${ctx.origin}${FILES_PATH}/${f.legacyId}/${encodeURIComponent(f.filename)}`;

/** A file as the schema's File interface reads it: MediaImage for images, GenericFile for anything else. */
export function fileView(ctx: FilesContext, f: EmuFile) {
  const common = {
    id: f.id,
    alt: f.alt,
    createdAt: f.createdAt,
    updatedAt: f.createdAt,
    // Shopify processes a new file asynchronously (UPLOADED, PROCESSING, READY); the emulator is done at once.
    fileStatus: 'READY',
    fileErrors: [],
    mimeType: f.mimeType,
  };
  const url = fileUrl(ctx, f);
  if (f.contentType === 'IMAGE') {
    const image = { __typename: 'Image', id: `gid://shopify/ImageSource/${f.legacyId}`, url, altText: f.alt, width: null, height: null };
    return {
      __typename: 'MediaImage',
      ...common,
      image,
      status: 'READY',
      mediaContentType: 'IMAGE',
      mediaErrors: [],
      mediaWarnings: [],
      originalSource: { url, fileSize: f.bytes.length },
      preview: { image, status: 'READY' },
    };
  }
  return { __typename: 'GenericFile', ...common, originalFileSize: f.bytes.length, url, preview: null };
}

export function fileCreate(data: ShopData, ctx: FilesContext, args: { files: Input[] }) {
  const errors: UserError[] = [];
  const planned = args.files.map((input, i) => {
    const source = text(input.originalSource);
    const prefix = `${ctx.origin}${STAGED_PATH}/`;
    const key = source.startsWith(prefix) ? source.slice(prefix.length) : null;
    const staged = key ? data.staged.get(key) : undefined;
    // Shopify fetches any URL asynchronously and fails the file later; the app only ever sends its staged uploads, so
    // anything else is refused up front here.
    if (!staged?.bytes) {
      errors.push({
        field: ['files', String(i), 'originalSource'],
        message: 'The originalSource is not an uploaded staged file of this shop.',
        code: 'INVALID',
      });
      return null;
    }
    const filename = typeof input.filename === 'string' && input.filename ? input.filename : staged.filename;
    const alt = typeof input.alt === 'string' ? input.alt : null;
    if (alt && alt.length > 512)
      errors.push({ field: ['files', String(i), 'alt'], message: 'Alt value exceeds 512 characters.', code: 'ALT_VALUE_LIMIT_EXCEEDED' });
    const contentType = input.contentType === 'IMAGE' || (input.contentType === undefined && staged.mimeType.startsWith('image/')) ? 'IMAGE' : 'FILE';
    if (input.contentType !== undefined && input.contentType !== 'IMAGE' && input.contentType !== 'FILE')
      errors.push({ field: ['files', String(i), 'contentType'], message: 'The emulator stores images and generic files only.', code: 'INVALID' });
    return { key: staged.key, bytes: staged.bytes, filename, alt, contentType, mimeType: staged.mimeType } as const;
  });
  if (errors.length) return { files: null, userErrors: errors };
  const created = planned.map((p) => {
    const gid = data.newGid(p!.contentType === 'IMAGE' ? 'MediaImage' : 'GenericFile');
    const file: EmuFile = {
      id: gid.gid,
      legacyId: gid.legacyId,
      filename: p!.filename,
      alt: p!.alt,
      contentType: p!.contentType,
      mimeType: p!.mimeType,
      bytes: p!.bytes,
      createdAt: new Date(ctx.now()).toISOString(),
    };
    data.files.set(file.id, file);
    data.staged.delete(p!.key);
    return fileView(ctx, file);
  });
  return { files: created, userErrors: [] };
}

export function fileDelete(data: ShopData, args: { fileIds: string[] }) {
  const missing = args.fileIds.filter((id) => !data.files.has(id));
  if (missing.length) {
    return {
      deletedFileIds: null,
      userErrors: missing.map((id) => ({ field: ['fileIds'], message: `File id ${id} does not exist.`, code: 'FILE_DOES_NOT_EXIST' })),
    };
  }
  for (const id of args.fileIds) data.files.delete(id);
  return { deletedFileIds: args.fileIds, userErrors: [] };
}

/** The files the `files` query lists (`query: "id:<n>"` narrows to one); the caller pages them as a connection. */
export function filesQuery(data: ShopData, ctx: FilesContext, args: { first?: number; last?: number; query?: string }) {
  const id = /(?:^|\s)id:(\d+)/.exec(args.query ?? '')?.[1];
  const all = [...data.files.values()].filter((f) => !id || String(f.legacyId) === id).map((f) => fileView(ctx, f));
  return { files: all, first: args.first ?? args.last ?? null };
}

export const STAGED_ROUTE = STAGED_PATH;
export const FILES_ROUTE = FILES_PATH;
