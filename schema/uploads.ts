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
