/**
 * The contact form's file field, defined once for the block (its `accept` setting), the widget and the server: which
 * types a merchant may accept, and the size limits. The server accepts at most this; the block's setting narrows it.
 */
export const UPLOAD_TYPES = {
  images: ['image/jpeg', 'image/png', 'image/gif', 'image/webp'],
  pdf: ['application/pdf'],
} as const;
export type UploadKind = keyof typeof UPLOAD_TYPES;
export const UPLOAD_MIME_TYPES: readonly string[] = [...UPLOAD_TYPES.images, ...UPLOAD_TYPES.pdf];

/** The block's default size limit, and the most any setting (or any request) may ask for. */
export const UPLOAD_DEFAULT_MAX_MB = 10;
export const UPLOAD_MAX_MB = 20;
export const MB = 1024 * 1024;

/** The reference the browser holds to an upload it staged: 32 random bytes, base64url. */
export const UPLOAD_REFERENCE = /^[A-Za-z0-9_-]{43}$/;

/** The block's `file_accept` choices and the types each lets through. */
export const UPLOAD_ACCEPT = {
  images: UPLOAD_TYPES.images,
  pdf: UPLOAD_TYPES.pdf,
  images_pdf: [...UPLOAD_TYPES.images, ...UPLOAD_TYPES.pdf],
} as const satisfies Record<string, readonly string[]>;
export type UploadAccept = keyof typeof UPLOAD_ACCEPT;

export interface UploadLimits {
  types: readonly string[];
  maxBytes: number;
}

/**
 * The block's attachment settings as it signs them, `<file_accept>:<file_max_mb>` (e.g. `pdf:2`), parsed; null when
 * malformed or out of range.
 */
export function parseUploadLimits(value: string): UploadLimits | null {
  const match = /^(images|pdf|images_pdf):(\d{1,2})$/.exec(value);
  if (!match) return null;
  const mb = Number(match[2]);
  if (mb < 1 || mb > UPLOAD_MAX_MB) return null;
  return { types: UPLOAD_ACCEPT[match[1] as UploadAccept], maxBytes: mb * MB };
}
