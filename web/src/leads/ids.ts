import { createHash, randomUUID } from 'node:crypto';

export const newId = (): string => randomUUID();

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A stable JSON text: keys sorted at every level, so the same submission always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const nowIso = (clock: () => number = Date.now): string => new Date(clock()).toISOString();
