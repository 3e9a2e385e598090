import { createCipheriv, createDecipheriv, createHmac, randomFillSync } from 'node:crypto';

/**
 * AES-256-GCM with named keys (node's OpenSSL binding, not our own cipher). The first key encrypts; every listed key
 * decrypts, so a new key can be put first while rows written under the old one are re-encrypted in the background,
 * and the old key removed once none is left: rotation without downtime.
 * Format: `v2:<key id>:<iv>:<tag>:<ciphertext>`, base64 parts.
 */
export interface Keyring {
  currentId: string;
  encrypt(plaintext: string): string;
  decrypt(stored: string): string;
  /** The id of the key a value was written with, or null when it is not ciphertext. */
  keyIdOf(stored: string): string | null;
}

const PREFIX = 'v2:';

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
  for (const entry of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [id, b64] = entry.split(':');
    const key = Buffer.from(b64 ?? '', 'base64');
    if (!id || !/^[A-Za-z0-9_-]{1,16}$/.test(id) || key.length !== 32) throw new Error('each key must be <id>:<32 bytes base64>');
    if (keys.has(id)) throw new Error(`key id ${id} is listed twice`);
    keys.set(id, key);
    currentId ||= id;
  }
  if (!currentId) throw new Error('at least one key is needed');
  const current = keys.get(currentId)!;
  return {
    currentId,
    encrypt(plaintext) {
      const iv = freshIv();
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${PREFIX}${currentId}:${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${ciphertext.toString('base64')}`;
    },
    decrypt(stored) {
      const [version, id, iv, tag, ciphertext] = stored.split(':');
      const key = id ? keys.get(id) : undefined;
      if (version !== 'v2' || !key || !iv || !tag || ciphertext === undefined) throw new Error(`cannot decrypt: unknown format or key ${id ?? ''}`);
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
    },
    keyIdOf(stored) {
      return stored.startsWith(PREFIX) ? (stored.split(':')[1] ?? null) : null;
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
