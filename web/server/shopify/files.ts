import * as z from 'zod';
import type { AdminResult } from './admin-client.js';
import { FILE_CREATE, FILE_DELETE, STAGED_UPLOADS_CREATE } from './operations.js';

/**
 * The Shopify Files calls behind the contact form's attachments. Each answers as data: `ok`, or why not (`refused`:
 * Shopify's userErrors, a fault of the request; `unavailable`: try again later).
 */
export type Call = <T>(query: string, variables: Record<string, unknown>) => Promise<AdminResult<T>>;
export type FilesOutcome<T> = { ok: true; value: T } | { ok: false; kind: 'refused' | 'unavailable'; detail: string };

const userErrors = z.array(z.object({ message: z.string(), code: z.string().nullish() }));
const stagedPayload = z.object({
  stagedUploadsCreate: z
    .object({
      stagedTargets: z
        .array(z.object({ url: z.string().url(), resourceUrl: z.string().url(), parameters: z.array(z.object({ name: z.string(), value: z.string() })) }))
        .nullish(),
      userErrors,
    })
    .nullable(),
});
const createPayload = z.object({
  fileCreate: z
    .object({
      files: z.array(z.object({ id: z.string(), fileStatus: z.string(), image: z.object({ url: z.string() }).nullish(), url: z.string().nullish() })).nullish(),
      userErrors,
    })
    .nullable(),
});
const deletePayload = z.object({
  fileDelete: z.object({ deletedFileIds: z.array(z.string()).nullish(), userErrors }).nullable(),
});

function notOk(result: Exclude<AdminResult<unknown>, { ok: true }>): FilesOutcome<never> {
  const detail = result.kind === 'throttled' ? 'THROTTLED' : result.detail;
  return { ok: false, kind: result.kind === 'graphql' ? 'refused' : 'unavailable', detail };
}

const refused = (errors: z.infer<typeof userErrors>): FilesOutcome<never> => ({
  ok: false,
  kind: 'refused',
  detail: errors
    .map((e) => `${e.message}${e.code ? ` (${e.code})` : ''}`)
    .join('; ')
    .slice(0, 500),
});

export interface StagedTarget {
  url: string;
  resourceUrl: string;
  parameters: Array<{ name: string; value: string }>;
}

/** A POST target (a signed policy with the declared size), so the storage refuses a body larger than declared. */
export async function stageUpload(call: Call, file: { filename: string; mimeType: string; size: number }): Promise<FilesOutcome<StagedTarget>> {
  const result = await call<unknown>(STAGED_UPLOADS_CREATE, {
    input: [
      {
        filename: file.filename,
        mimeType: file.mimeType,
        fileSize: String(file.size),
        httpMethod: 'POST',
        resource: file.mimeType.startsWith('image/') ? 'IMAGE' : 'FILE',
      },
    ],
  });
  if (!result.ok) return notOk(result);
  const payload = stagedPayload.safeParse(result.data);
  if (!payload.success || !payload.data.stagedUploadsCreate)
    return { ok: false, kind: 'unavailable', detail: 'stagedUploadsCreate answered an unexpected shape' };
  if (payload.data.stagedUploadsCreate.userErrors.length) return refused(payload.data.stagedUploadsCreate.userErrors);
  const target = payload.data.stagedUploadsCreate.stagedTargets?.[0];
  return target ? { ok: true, value: target } : { ok: false, kind: 'unavailable', detail: 'stagedUploadsCreate returned no target' };
}

export async function createFile(
  call: Call,
  file: { resourceUrl: string; filename: string; mimeType: string },
): Promise<FilesOutcome<{ id: string; url: string | null }>> {
  const result = await call<unknown>(FILE_CREATE, {
    files: [{ originalSource: file.resourceUrl, filename: file.filename, contentType: file.mimeType.startsWith('image/') ? 'IMAGE' : 'FILE' }],
  });
  if (!result.ok) return notOk(result);
  const payload = createPayload.safeParse(result.data);
  if (!payload.success || !payload.data.fileCreate) return { ok: false, kind: 'unavailable', detail: 'fileCreate answered an unexpected shape' };
  if (payload.data.fileCreate.userErrors.length) return refused(payload.data.fileCreate.userErrors);
  const created = payload.data.fileCreate.files?.[0];
  if (!created) return { ok: false, kind: 'unavailable', detail: 'fileCreate returned no file' };
  // Shopify processes a file after fileCreate; its URL may come later (null until then).
  return { ok: true, value: { id: created.id, url: created.image?.url ?? created.url ?? null } };
}

/** Deletes files; one Shopify no longer has (FILE_DOES_NOT_EXIST) counts as deleted, which is what was wanted. */
export async function deleteFiles(call: Call, ids: string[]): Promise<FilesOutcome<string[]>> {
  if (!ids.length) return { ok: true, value: [] };
  const result = await call<unknown>(FILE_DELETE, { fileIds: ids });
  if (!result.ok) return notOk(result);
  const payload = deletePayload.safeParse(result.data);
  if (!payload.success || !payload.data.fileDelete) return { ok: false, kind: 'unavailable', detail: 'fileDelete answered an unexpected shape' };
  const errors = payload.data.fileDelete.userErrors;
  if (!errors.length) return { ok: true, value: payload.data.fileDelete.deletedFileIds ?? ids };
  if (errors.every((e) => e.code === 'FILE_DOES_NOT_EXIST')) {
    // fileDelete is atomic: when some are gone, delete the rest on their own.
    const gone = new Set(ids.filter((id) => errors.some((e) => e.message.includes(id))));
    const rest = ids.filter((id) => !gone.has(id));
    if (rest.length === ids.length) return { ok: true, value: ids };
    const again = await deleteFiles(call, rest);
    return again.ok ? { ok: true, value: ids } : again;
  }
  return refused(errors);
}

/**
 * The first bytes of a staged object, read back from its resourceUrl, to check what was really uploaded. A Range
 * request keeps a large file from being downloaded whole; the size comes from Content-Range (or the body).
 */
export async function readStagedHead(url: string, bytes: number, timeoutMs: number): Promise<FilesOutcome<{ head: Uint8Array; size: number | null }>> {
  try {
    const response = await fetch(url, { headers: { range: `bytes=0-${bytes - 1}` }, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    if (response.status === 404) return { ok: false, kind: 'refused', detail: 'nothing was uploaded to the staged target' };
    if (!response.ok) return { ok: false, kind: 'unavailable', detail: `staged object answered ${response.status}` };
    const body = new Uint8Array(await response.arrayBuffer());
    const total = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1];
    return { ok: true, value: { head: body.subarray(0, bytes), size: total ? Number(total) : response.status === 200 ? body.length : null } };
  } catch (error) {
    return { ok: false, kind: 'unavailable', detail: error instanceof Error ? error.name : 'fetch failed' };
  }
}
