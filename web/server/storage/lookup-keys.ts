import { createHmac } from 'node:crypto';

/**
 * Keys of the app's keyed hashes: equality lookups on encrypted columns (email_hash, phone_hash), search terms
 * (lead_terms) and rate counters. They used to derive from the app's client secret, which merchants may rotate in
 * the Partner dashboard: every stored hash then stopped matching (erasure by email reported "done" and left the lead;
 * search found nothing). They now come from `LOOKUP_KEYS`, named keys like `ENCRYPTION_KEYS`: the first one hashes
 * everything written; every listed key (and, until the background rehash has rewritten the last row, the old
 * secret-derived key, `legacy`) is tried when matching, so a new key can be put first while rows are rehashed, and
 * the old one removed once the rehash reports nothing left.
 */

/** A keyed hash under the current key; `all` gives the same value's hash under every key a stored row may use. */
export type KeyedHash = ((value: string) => string) & { readonly all?: (value: string) => string[] };

export interface LookupKeys {
  currentId: string;
  /** Every key id a stored hash may be under, current first (`legacy` while secret-derived rows may remain). */
  ids(): string[];
  /** Normalised email or phone -> hex; `all` for matching. */
  lookup: KeyedHash;
  /** Search term -> 16 characters; `all` for matching. */
  term: KeyedHash;
  /** Rate-counter keys hold this instead of the client's address (counters live an hour at most: current key only). */
  counter: (value: string) => string;
  /** Called once the rehash reports no row left under the secret-derived key: matching stops trying it. */
  retireLegacy(): void;
}

export const LEGACY_KEY_ID = 'legacy';

export function parseLookupKeys(spec: string): Array<{ id: string; key: Buffer }> {
  const keys: Array<{ id: string; key: Buffer }> = [];
  for (const entry of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [id, b64, ...rest] = entry.split(':');
    const key = Buffer.from(b64 ?? '', 'base64');
    if (!id || rest.length || !/^[A-Za-z0-9_-]{1,16}$/.test(id) || id === LEGACY_KEY_ID || key.length < 32) {
      throw new Error('each key must be <id>:<at least 32 bytes base64>');
    }
    if (keys.some((k) => k.id === id)) throw new Error(`key id ${id} is listed twice`);
    keys.push({ id, key });
  }
  if (!keys.length) throw new Error('at least one key is needed');
  return keys;
}

const lookupOf = (key: Buffer) => (value: string) => createHmac('sha256', key).update(value.trim().toLowerCase()).digest('hex');
// 96 bits: collisions among a shop's few million terms are negligible, and the index stays compact.
const termOf = (key: Buffer) => (term: string) => createHmac('sha256', key).update(term).digest('base64url').slice(0, 16);

/** The key every hash used before LOOKUP_KEYS existed: derived from the app secret, with these labels. */
export const legacyLookupKey = (appSecret: string) => createHmac('sha256', appSecret).update('contact-capture lookup hash v1').digest();
export const legacyTermKey = (appSecret: string) => createHmac('sha256', appSecret).update('contact-capture search terms v1').digest();

export function lookupKeyring(spec: string, appSecret: string): LookupKeys {
  const keys = parseLookupKeys(spec);
  // One listed key per purpose, so a leaked term table says nothing about the lookup hashes and the reverse.
  const derive = (key: Buffer, label: string) => createHmac('sha256', key).update(label).digest();
  const lookups = keys.map((k) => lookupOf(derive(k.key, 'contact-capture lookup hash v2')));
  const terms = keys.map((k) => termOf(derive(k.key, 'contact-capture search terms v2')));
  const legacyLookup = lookupOf(legacyLookupKey(appSecret));
  const legacyTerm = termOf(legacyTermKey(appSecret));
  const counterKey = derive(keys[0]!.key, 'contact-capture rate counter v1');
  let legacy = true;
  const keyed = (hashers: Array<(v: string) => string>, old: (v: string) => string): KeyedHash => {
    const current = hashers[0]!;
    const all = (value: string) => [...new Set([...hashers.map((h) => h(value)), ...(legacy ? [old(value)] : [])])];
    return Object.assign((value: string) => current(value), { all });
  };
  return {
    currentId: keys[0]!.id,
    ids: () => [...keys.map((k) => k.id), ...(legacy ? [LEGACY_KEY_ID] : [])],
    lookup: keyed(lookups, legacyLookup),
    term: keyed(terms, legacyTerm),
    counter: (value) => createHmac('sha256', counterKey).update(value).digest('base64url').slice(0, 22),
    retireLegacy() {
      legacy = false;
    },
  };
}

/** Every hash of a value a stored row may hold: the hasher's `all` when it has one, else its single hash. */
export const everyHash = (hash: KeyedHash, value: string): string[] => hash.all?.(value) ?? [hash(value)];
