import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reencryptBatch } from '../web/server/privacy/key-rotation.js';
import { ENGINES } from './helpers/databases.js';
import { type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const OLD = `old:${key(1)}`;
const NEW = `new:${key(2)}`;
const PERSON = {
  email: 'rotate.me@example.com',
  first_name: 'Rosalind',
  last_name: 'Quartermaine',
  phone: '+33611998877',
  message: 'A private note',
  company: 'Rosalind & Co',
};

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
      expect(rawLeads(file)[0]?.email).toMatch(/^v3:old:/);

      // Rotation: the new key goes first, the old one stays listed; reads work at once, writes use the new key.
      const second = (await startTestApp('sqlite', { DATABASE_URL: `sqlite:${file}`, ENCRYPTION_KEYS: `${NEW},${OLD}` }))!;
      const { leads } = (await (
        await second.runtime.app.request('/api/leads', { headers: { authorization: `Bearer ${await second.sessionToken()}` } })
      ).json()) as { leads: Array<{ email: string; company: string }> };
      expect(leads[0]).toMatchObject({ email: PERSON.email, company: PERSON.company });
      expect(await reencryptBatch(second.runtime.storage.db, second.runtime.config.keyring, second.runtime.lookupHash)).toBe(1);
      expect(await reencryptBatch(second.runtime.storage.db, second.runtime.config.keyring, second.runtime.lookupHash)).toBe(0);
      await second.close();
      expect(rawLeads(file).every((row) => String(row.email).startsWith('v3:new:') && String(row.message).startsWith('v3:new:'))).toBe(true);

      // The old key removed: everything still reads, and lookups by email still find the shopper.
      const third = (await startTestApp('sqlite', { DATABASE_URL: `sqlite:${file}`, ENCRYPTION_KEYS: NEW }))!;
      const row = await third.runtime.storage.db
        .selectFrom('leads')
        .select(['first_name', 'phone'])
        .where('email_hash', '=', third.runtime.lookupHash('ROTATE.ME@example.com '))
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ first_name: PERSON.first_name, phone: PERSON.phone });
      await third.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A value as the app wrote it before rows were bound (format v2: AES-256-GCM without additional data). */
function legacyCiphertext(id: string, keyBytes: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyBytes, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `v2:${id}:${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${body.toString('base64')}`;
}

describe.each(ENGINES)('a ciphertext bound to its table, column and row on %s', (engine) => {
  let t: TestApp | null;
  let token = '';
  beforeAll(async () => {
    t = await startTestApp(engine, { ENCRYPTION_KEYS: `k1:${key(3)}`, SYNC_WORKER: 'off' });
    if (t) token = await t.sessionToken();
  });
  afterAll(async () => t?.close());

  const submit = async (body: Record<string, unknown>) =>
    ((await (await t!.proxy('/submit', jsonPost({ ...body, rendered_at: Date.now() - 10_000 }))).json()) as { id: string }).id;
  const raw = async (id: string, column: 'email' | 'first_name' | 'message') =>
    (await sql<{ v: string }>`select ${sql.ref(column)} as v from leads where id = ${id}`.execute(t!.runtime.storage.db)).rows[0]?.v ?? '';
  const detail = async (id: string) => {
    const response = await t!.runtime.app.request(`/api/leads/${id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { lead: Record<string, unknown> }).lead;
  };

  it('does not open when copied to another row or another column', async (ctx) => {
    if (!t) return ctx.skip();
    const alice = await submit({ email: 'alice@example.com', first_name: 'Alice', message: 'from alice' });
    const bob = await submit({ email: 'bob@example.com', first_name: 'Bob', message: 'from bob' });
    expect(await raw(alice, 'email')).toMatch(/^v3:k1:/);
    const db = t.runtime.storage.db;
    // Alice's name onto Bob's row, and Bob's own message into his name: both must refuse to open.
    await sql`update leads set first_name = ${await raw(alice, 'first_name')}, email = ${await raw(bob, 'message')} where id = ${bob}`.execute(db);
    expect(await detail(bob)).toMatchObject({ first_name: null, email: null, message: 'from bob', unreadable: ['email', 'first_name'] });
    expect(await detail(alice)).toMatchObject({ first_name: 'Alice', email: 'alice@example.com' });
  });

  it('still opens values written before binding, and the background re-encryption binds them', async (ctx) => {
    if (!t) return ctx.skip();
    const id = await submit({ email: 'legacy@example.com', first_name: 'Léa', message: 'old times' });
    const db = t.runtime.storage.db;
    const keyBytes = Buffer.alloc(32, 3);
    await sql`update leads set first_name = ${legacyCiphertext('k1', keyBytes, 'Léa')}, email = ${legacyCiphertext('k1', keyBytes, 'legacy@example.com')} where id = ${id}`.execute(
      db,
    );
    expect(await detail(id)).toMatchObject({ first_name: 'Léa', email: 'legacy@example.com' });
    while ((await reencryptBatch(db, t.runtime.config.keyring, t.runtime.lookupHash)) > 0);
    expect(await raw(id, 'first_name')).toMatch(/^v3:k1:/);
    expect(await raw(id, 'email')).toMatch(/^v3:k1:/);
    expect(await detail(id)).toMatchObject({ first_name: 'Léa', email: 'legacy@example.com' });
  });
});

describe.each(ENGINES)('writes of encrypted columns name their rows on %s', (engine) => {
  let t: TestApp | null;
  beforeAll(async () => {
    t = await startTestApp(engine, { SYNC_WORKER: 'off' });
  });
  afterAll(async () => t?.close());

  it('binds one text set on several rows to each row, in one statement, and refuses a write that names no row', async (ctx) => {
    if (!t) return ctx.skip();
    const db = t.runtime.storage.db;
    const ids: string[] = [];
    for (const email of ['one@example.com', 'two@example.com']) {
      ids.push(((await (await t.proxy('/submit', jsonPost({ email, first_name: 'Before', rendered_at: Date.now() - 10_000 }))).json()) as { id: string }).id);
    }
    await db.updateTable('leads').set({ first_name: 'Camille' }).where('id', 'in', ids).execute();
    const rows = await db
      .selectFrom('leads')
      .select(['id', 'first_name', sql<string>`first_name`.as('raw')])
      .where('id', 'in', ids)
      .execute();
    expect(rows.map((r) => r.first_name)).toEqual(['Camille', 'Camille']);
    expect(rows[0]!.raw).not.toBe(rows[1]!.raw);
    await expect(db.updateTable('leads').set({ first_name: 'Nobody' }).where('email_hash', '=', 'x').execute()).rejects.toThrow(/without naming its rows/);
    await expect(
      db
        .insertInto('lead_notes')
        .values({ shop: 's', lead_id: ids[0]!, author: 'a', body: 'no id', created_at: 'now' } as never)
        .execute(),
    ).rejects.toThrow(/without its row id/);
  });
});
