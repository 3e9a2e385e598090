import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { reencryptBatch } from '../web/src/privacy/key-rotation.js';
import { jsonPost, startTestApp } from './helpers/runtime.js';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const OLD = `old:${key(1)}`;
const NEW = `new:${key(2)}`;
const PERSON = { email: 'rotate.me@example.com', first_name: 'Rosalind', last_name: 'Quartermaine', phone: '+33611998877', message: 'A private note', company: 'Rosalind & Co' };

/** The database file as an attacker with a copy of it would read it: no plugin, no keys. */
function rawLeads(file: string): Array<Record<string, unknown>> {
  const db = new SQLite(file, { readonly: true });
  try {
    return db.prepare('select * from leads').all() as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
}

describe('personal data at rest', () => {
  it('is encrypted in the database file, and survives a key rotation without downtime', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-keys-'));
    const file = join(dir, 'keys.sqlite');
    try {
      const first = (await startTestApp('sqlite', { DATABASE_URL: `sqlite:${file}`, ENCRYPTION_KEYS: OLD }))!;
      expect((await first.proxy('/submit', jsonPost({ ...PERSON, email_marketing_consent: true, rendered_at: Date.now() - 10_000 }))).status).toBe(202);
      await first.close();
      const raw = JSON.stringify(rawLeads(file));
      for (const value of Object.values(PERSON)) expect(raw).not.toContain(value);
      expect(rawLeads(file)[0]?.email).toMatch(/^v2:old:/);

      // Rotation: the new key goes first, the old one stays listed; reads work at once, writes use the new key.
      const second = (await startTestApp('sqlite', { DATABASE_URL: `sqlite:${file}`, ENCRYPTION_KEYS: `${NEW},${OLD}` }))!;
      const { leads } = (await (await second.runtime.app.request('/api/leads', { headers: { authorization: `Bearer ${await second.sessionToken()}` } })).json()) as { leads: Array<{ email: string; company: string }> };
      expect(leads[0]).toMatchObject({ email: PERSON.email, company: PERSON.company });
      expect(await reencryptBatch(second.runtime.storage.db, second.runtime.config.keyring, second.runtime.lookupHash)).toBe(1);
      expect(await reencryptBatch(second.runtime.storage.db, second.runtime.config.keyring, second.runtime.lookupHash)).toBe(0);
      await second.close();
      expect(rawLeads(file).every((row) => String(row.email).startsWith('v2:new:') && String(row.message).startsWith('v2:new:'))).toBe(true);

      // The old key removed: everything still reads, and lookups by email still find the shopper.
      const third = (await startTestApp('sqlite', { DATABASE_URL: `sqlite:${file}`, ENCRYPTION_KEYS: NEW }))!;
      const row = await third.runtime.storage.db.selectFrom('leads').select(['first_name', 'phone']).where('email_hash', '=', third.runtime.lookupHash('ROTATE.ME@example.com ')).executeTakeFirstOrThrow();
      expect(row).toEqual({ first_name: PERSON.first_name, phone: PERSON.phone });
      await third.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
