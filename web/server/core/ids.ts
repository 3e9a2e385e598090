import * as nodeCrypto from 'node:crypto';
import { createHash, randomFillSync } from 'node:crypto';

const pool = Buffer.alloc(16 * 256);
let poolOffset = pool.length;

/**
 * UUID version 7 (RFC 9562): a millisecond timestamp, then randomness. Ids sort by creation time, so new rows land
 * at the end of the primary-key B-tree instead of on a random page: far fewer pages written per commit.
 */
export function newId(now = Date.now()): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const o = poolOffset;
  poolOffset += 16;
  // Written straight from the pool (no Buffer per id): three ids per lead made this a visible part of intake's time.
  pool.writeUIntBE(now, o, 6);
  pool[o + 6] = (pool[o + 6]! & 0x0f) | 0x70;
  pool[o + 8] = (pool[o + 8]! & 0x3f) | 0x80;
  let id = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) id += '-';
    id += HEX[pool[o + i]!]!;
  }
  return id;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Node's one-shot `crypto.hash` (20.12 and later) skips the Hash object createHash builds: intake hashes every body and
 * consent text. Older Nodes (the engines field allows 20.10) take createHash; both are OpenSSL's SHA-256.
 */
const oneShot = (nodeCrypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
export const sha256Hex: (text: string) => string = oneShot
  ? (text) => oneShot('sha256', text, 'hex')
  : (text) => createHash('sha256').update(text).digest('hex');

/**
 * A stable JSON text: keys sorted at every level, so the same submission always hashes the same. Stored body hashes
 * depend on every byte of it (an idempotent retry compares them), so it must never change; written as loops rather
 * than entries/filter/sort/map chains, which made it a visible part of intake's time (ids.test.ts holds it to the
 * earlier definition, quirks included: an array's undefined is empty, an object's function-valued key reads `undefined`).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i) out += ',';
      out += canonicalJson(value[i]) ?? '';
    }
    return `${out}]`;
  }
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object).sort();
    let out = '{';
    for (const key of keys) {
      const v = object[key];
      if (v === undefined) continue;
      if (out.length > 1) out += ',';
      out += `${JSON.stringify(key)}:${canonicalJson(v)}`;
    }
    return `${out}}`;
  }
  return JSON.stringify(value);
}

export const nowIso = (clock: () => number = Date.now): string => new Date(clock()).toISOString();
