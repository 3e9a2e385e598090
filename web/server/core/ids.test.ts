import { describe, expect, it } from 'vitest';
import { canonicalJson, newId } from './ids.js';

/** canonicalJson as first written: stored body hashes were computed with it, so the current one must agree byte for byte. */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A deterministic generator of JSON-like values, with the odd members a parsed body or a caller may hold. */
function* values(seed: number): Generator<unknown> {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const strings = ['', 'a', 'é', 'z', 'Z', '10', '2', '\u2028', '"quoted"', 'emoji 🙂', '__proto__x', 'b\u0000c'];
  const make = (depth: number): unknown => {
    const r = next();
    if (depth > 3 || r < 0.3)
      return [null, true, false, 0, -1.5, 1e21, Number.NaN, 'x', strings[Math.floor(next() * strings.length)], undefined][Math.floor(next() * 10)];
    if (r < 0.6) return Array.from({ length: Math.floor(next() * 4) }, () => make(depth + 1));
    const object: Record<string, unknown> = {};
    for (let i = Math.floor(next() * 6); i > 0; i--) object[strings[Math.floor(next() * strings.length)]! + String(Math.floor(next() * 3))] = make(depth + 1);
    return object;
  };
  for (;;) yield make(0);
}

describe('canonicalJson', () => {
  it('writes exactly what the first definition wrote, for thousands of values', () => {
    const generator = values(7);
    for (let i = 0; i < 5_000; i++) {
      const value = generator.next().value;
      expect(canonicalJson(value)).toBe(reference(value));
    }
  });

  it("keeps the first definition's quirks: undefined in arrays, functions, dates, numeric keys", () => {
    const odd = { b: [1, undefined, () => 1], a: () => 1, d: new Date(0), 10: 'ten', 2: 'two', c: { y: undefined, x: null } };
    expect(canonicalJson(odd)).toBe(reference(odd));
  });
});

describe('newId', () => {
  it('is a version 7 UUID whose first 48 bits are the time, distinct each call', () => {
    const ids = new Set(Array.from({ length: 1_000 }, () => newId(0x0123456789ab)));
    expect(ids.size).toBe(1_000);
    for (const id of ids) expect(id).toMatch(/^01234567-89ab-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
