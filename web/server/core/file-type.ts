/**
 * What a file really is, from its first bytes (magic numbers), for the types the contact form accepts. The declared
 * type and the filename's extension are what the sender says; this is what the bytes say. null: none of them.
 */
const SIGNATURES: Array<{ mime: string; test: (b: Uint8Array) => boolean }> = [
  { mime: 'image/jpeg', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { mime: 'image/png', test: (b) => [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((v, i) => b[i] === v) },
  { mime: 'image/gif', test: (b) => ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a' },
  { mime: 'image/webp', test: (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP' },
  { mime: 'application/pdf', test: (b) => ascii(b, 0, 5) === '%PDF-' },
];

/** How many leading bytes detection needs. */
export const SNIFF_BYTES = 16;

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return bytes.length < end ? '' : String.fromCharCode(...bytes.subarray(start, end));
}

export function detectFileType(head: Uint8Array): string | null {
  return SIGNATURES.find((s) => s.test(head))?.mime ?? null;
}

/**
 * A filename safe to hand on: the last path segment only (no `../`, no drive or directory), without control, format
 * or reserved characters, at most 120 characters, never empty or a dot name.
 */
export function safeFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .normalize('NFC')
    // Format characters (bidi overrides such as U+202E, zero-width ones) show a name other than its bytes: dropped.
    .replace(/\p{Cf}/gu, '')
    .replace(/[\u0000-\u001f\u007f<>:"|?*%#]/g, '_')
    .replace(/^\.+/, '')
    .trim()
    .slice(-120);
  return cleaned || 'attachment';
}
