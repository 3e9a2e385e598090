import { createHmac } from 'node:crypto';
import { type KeyedHash, legacyTermKey } from '../storage/lookup-keys.js';

/**
 * Full-text search over encrypted columns. The values are ciphertext, so the database cannot match them; instead each
 * lead gets a set of keyed hashes ("terms") of its normalised words, written with the lead. A search hashes the
 * words typed and intersects the leads holding every one. The hash key comes from LOOKUP_KEYS (storage/lookup-keys.ts),
 * so a leaked table does not reveal words without the key, and rotating data keys or the app secret changes nothing.
 *
 * What is indexed, chosen for what staff type and for size (about 40 terms a lead):
 * - name, email and company words: every prefix from 3 letters, so "pier" finds Pierre as you type (words are
 *   cut at 16 letters, in the index and in queries alike);
 * - phone: every trailing run of 4+ digits, so "06 12 34 56 78", "612345678" or "5678" find +33612345678;
 * - message words: whole words only (prefixes of long texts would multiply the index by ten);
 * - tags: exact, under their own namespace, for the tag filter.
 * A term is marked `visible` when it comes from what a viewer sees unmasked (message words, tags): a viewer's search
 * matches only those, so prefix and suffix searches cannot rebuild a masked name or phone number.
 */
export type TermHasher = KeyedHash;

/** The hasher of terms written before LOOKUP_KEYS (keyed from the app secret); benchmarks still seed with it. */
export function termHasher(appSecret: string): TermHasher {
  const key = legacyTermKey(appSecret);
  return (term) => createHmac('sha256', key).update(term).digest('base64url').slice(0, 16);
}

const MIN_PREFIX = 3;
const MAX_PREFIX = 16;
const MAX_MESSAGE_WORDS = 80;

/** Lower case, accents folded (é → e, ß stays), so "Élodie" and "elodie" meet. */
export function normalise(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

export function words(text: string): string[] {
  return normalise(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

function prefixes(word: string, into: Set<string>): void {
  into.add(word);
  for (let n = MIN_PREFIX; n <= Math.min(word.length - 1, MAX_PREFIX); n++) into.add(word.slice(0, n));
}

function phoneSuffixes(phone: string, into: Set<string>): void {
  const digits = phone.replace(/\D/g, '');
  for (let n = 4; n <= digits.length; n++) into.add(digits.slice(-n));
}

export interface Searchable {
  first_name?: string | null | undefined;
  last_name?: string | null | undefined;
  email?: string | null | undefined;
  company?: string | null | undefined;
  phone?: string | null | undefined;
  message?: string | null | undefined;
  tags?: readonly string[] | undefined;
}

export const tagTerm = (tag: string) => `tag:${normalise(tag.trim())}`;

/** The plain terms of one lead (hash them before storing), each with whether a viewer may match it. */
export function termsOf(lead: Searchable): Map<string, boolean> {
  const masked = new Set<string>();
  for (const value of [lead.first_name, lead.last_name, lead.company]) if (value) for (const w of words(value)) prefixes(w, masked);
  if (lead.email) for (const w of words(lead.email)) prefixes(w, masked);
  if (lead.phone) phoneSuffixes(lead.phone, masked);
  const visible = new Set<string>();
  if (lead.message) {
    const distinct = [...new Set(words(lead.message).filter((w) => w.length > 1))].slice(0, MAX_MESSAGE_WORDS);
    // A long word is found by its whole self or by the longest prefix a query keeps (see queryTerms).
    for (const w of distinct) visible.add(w.length > MAX_PREFIX ? w.slice(0, MAX_PREFIX) : w);
  }
  for (const tag of lead.tags ?? []) visible.add(tagTerm(tag));
  const terms = new Map<string, boolean>();
  for (const t of masked) terms.set(t, false);
  // A word both in the name and in the message is visible: the message shows it anyway.
  for (const t of visible) terms.set(t, true);
  return terms;
}

/**
 * The terms a query must all match. A word typed is looked up as is (it is itself a prefix, a whole word or an
 * email); digits lose their leading zeros and separators, so a national number finds its international form.
 */
export function queryTerms(query: string): string[] {
  const trimmed = query.trim();
  if (!trimmed) return [];
  if (/^[+\d][\d\s().-]{3,}$/.test(trimmed)) {
    const digits = trimmed.replace(/\D/g, '').replace(/^0+/, '');
    return digits.length >= 4 ? [digits] : [];
  }
  // An email typed whole or in part is its words: "pierre.dupont@exa" is pierre, dupont, exa.
  return [...new Set(words(trimmed).map((w) => (w.length > MAX_PREFIX ? w.slice(0, MAX_PREFIX) : w)))].slice(0, 8);
}

export interface TermRow {
  shop: string;
  term: string;
  /** The lead's, so a term's leads come out of the index newest first (see leads/queries.ts). */
  created_at: string;
  lead_id: string;
  /** 1 when a viewer's search may match it (see termsOf). */
  visible: number;
}

export function termRows(hash: TermHasher, lead: Searchable & { id: string; shop: string; created_at: string }): TermRow[] {
  return [...termsOf(lead)].map(([t, visible]) => ({
    shop: lead.shop,
    term: hash(t),
    created_at: lead.created_at,
    lead_id: lead.id,
    visible: visible ? 1 : 0,
  }));
}
