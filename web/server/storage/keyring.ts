import { createCipheriv, createDecipheriv, createHmac, randomFillSync } from 'node:crypto';

/**
 * AES-256-GCM with named keys (node's OpenSSL binding, not our own cipher). The first key encrypts; every listed key
 * decrypts, so a new key can be put first while rows written under the old one are re-encrypted in the background,
 * and the old key removed once none is left: rotation without downtime.
 * Format: `v3:<key id>:<iv>:<tag>:<ciphertext>`, base64 parts, with the value's context (table|column|row id) as
 * additional data, so a ciphertext copied to another row or column does not open. `v2:` (no additional data) is the
 * format written before binding: it still opens, and the background re-encryption rewrites it as v3.
 */
export interface Keyring {
  currentId: string;
  /** How every value written now begins; a stored value that does not is re-encrypted in the background. */
  currentPrefix: string;
  encrypt(plaintext: string, context?: string): string;
  /** Throws an Undecryptable (its message never holds any part of the value). */
  decrypt(stored: string, context?: string): string;
  /** The id of the key a value was written with, or null when it is not ciphertext. */
  keyIdOf(stored: string): string | null;
}

/** Why a stored value does not open; the message is one of these words, never built from the value. */
export class Undecryptable extends Error {
  override readonly name = 'Undecryptable';
  constructor(readonly reason: 'format' | 'unknown_key' | 'authentication') {
    super(`cannot decrypt: ${reason}`);
  }
}

const VERSIONS: readonly string[] = ['v2', 'v3'];
const CURRENT = 'v3';
const KEY_ID = /^[A-Za-z0-9_-]{1,16}$/;

// Nine fields per lead need nine IVs: drawn from a pool refilled by the CSPRNG, not one system call each.
const ivPool = Buffer.alloc(12 * 1024);
let ivOffset = ivPool.length;
function freshIv(): Buffer {
  if (ivOffset === ivPool.length) {
    randomFillSync(ivPool);
    ivOffset = 0;
  }
  const iv = Buffer.from(ivPool.subarray(ivOffset, ivOffset + 12));
  ivOffset += 12;
  return iv;
}

export function parseKeyring(spec: string): Keyring {
  const keys = new Map<string, Buffer>();
  let currentId = '';
  for (const entry of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [id, b64] = entry.split(':');
    const key = Buffer.from(b64 ?? '', 'base64');
    if (!id || !KEY_ID.test(id) || key.length !== 32) throw new Error('each key must be <id>:<32 bytes base64>');
    if (keys.has(id)) throw new Error(`key id ${id} is listed twice`);
    keys.set(id, key);
    currentId ||= id;
  }
  if (!currentId) throw new Error('at least one key is needed');
  const current = keys.get(currentId)!;
  return {
    currentId,
    currentPrefix: `${CURRENT}:${currentId}:`,
    encrypt(plaintext, context = '') {
      const iv = freshIv();
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${CURRENT}:${currentId}:${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${ciphertext.toString('base64')}`;
    },
    decrypt(stored, context = '') {
      const parts = stored.split(':');
      const [version, id, iv, tag, ciphertext] = parts;
      if (parts.length !== 5 || !version || !VERSIONS.includes(version) || !iv || !tag || ciphertext === undefined) throw new Undecryptable('format');
      const key = id ? keys.get(id) : undefined;
      if (!key) throw new Undecryptable('unknown_key');
      const ivBytes = Buffer.from(iv, 'base64');
      const tagBytes = Buffer.from(tag, 'base64');
      if (ivBytes.length !== 12 || tagBytes.length !== 16) throw new Undecryptable('format');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, ivBytes);
        // v2 was written without additional data: it opens anywhere until the re-encryption binds it.
        if (version === CURRENT) decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(tagBytes);
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
      } catch {
        throw new Undecryptable('authentication');
      }
    },
    keyIdOf(stored) {
      const [version, id] = stored.split(':', 2);
      return version && VERSIONS.includes(version) && id && KEY_ID.test(id) ? id : null;
    },
  };
}

/**
 * Equality lookups on encrypted columns (erase by email or phone) go through a keyed hash of the normalised value.
 * The hash key is derived from the app secret, not from the data keys, so data-key rotation does not change it.
 */
export function lookupHasher(appSecret: string): (value: string) => string {
  const key = createHmac('sha256', appSecret).update('contact-capture lookup hash v1').digest();
  return (value) => createHmac('sha256', key).update(value.trim().toLowerCase()).digest('hex');
}
