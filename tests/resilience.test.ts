import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStorage } from '../web/server/storage/database.js';
import { freshDatabaseUrl } from './helpers/databases.js';
import { startAppProcess, startSharedEmulator } from './helpers/process.js';

const lead = (email: string) => ({ email, email_marketing_consent: true, first_name: 'Crash', rendered_at: Date.now() - 10_000 });

async function until(check: () => Promise<boolean>, limitMs: number, what: string): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('crash safety on SQLite', () => {
  it('keeps every acknowledged lead through kill -9 mid-load, and syncs them all once after restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-crash-'));
    const shared = await startSharedEmulator();
    // Pacing is measured by bench/sync.ts; here Shopify's bucket is made roomy so the test is about durability.
    shared.emulator.configure({ bucket: { maximumAvailable: 1_000_000, restoreRate: 1_000_000 } });
    const env = {
      DATABASE_URL: `sqlite:${join(dir, 'crash.sqlite')}`,
      SHOPIFY_ADMIN_API_ORIGIN: shared.origin,
      SYNC_LEASE_MS: '1500',
      SYNC_POLL_MS: '50',
      RATE_LIMIT_PER_SHOP_PER_MINUTE: '100000',
    };
    try {
      const first = await startAppProcess(env);
      const acknowledged: string[] = [];
      let sent = 0;
      const senders = Array.from({ length: 16 }, async () => {
        while (sent < 2000) {
          const email = `crash${sent++}@example.com`;
          try {
            const response = await first.submit(lead(email));
            if (response.status === 202) acknowledged.push(((await response.json()) as { id: string }).id);
          } catch {
            return; // the process is gone
          }
        }
      });
      await until(async () => acknowledged.length >= 150, 30_000, '150 acknowledged leads');
      await first.stop('SIGKILL');
      await Promise.all(senders);
      expect(acknowledged.length).toBeGreaterThanOrEqual(150);

      const second = await startAppProcess(env);
      const storage = await openStorage(env.DATABASE_URL);
      try {
        await until(
          async () => {
            const open = await storage.db.selectFrom('outbox_jobs').select('id').where('state', '!=', 'done').execute();
            return open.length === 0;
          },
          60_000,
          'the outbox to drain',
        );
        const rows = await storage.db.selectFrom('leads').select(['id', 'status', 'email', 'shopify_customer_id']).execute();
        const byId = new Map(rows.map((r) => [r.id, r]));
        const missing = acknowledged.filter((id) => !byId.has(id));
        expect(missing).toEqual([]);
        expect(rows.every((r) => r.status === 'synced')).toBe(true);
        const customers = shared.emulator.shopData('contact-capture-dev.myshopify.com')?.customers;
        expect(customers?.size).toBe(rows.length);
        expect(new Set(rows.map((r) => r.shopify_customer_id)).size).toBe(rows.length);
      } finally {
        await storage.close();
        await second.stop();
      }
    } finally {
      await shared.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('two app processes on one PostgreSQL', () => {
  it('share the work (every lead synced exactly once) and the rate limits', async (ctx) => {
    const database = await freshDatabaseUrl('postgres');
    if (!database) return ctx.skip();
    const shared = await startSharedEmulator();
    shared.emulator.configure({ bucket: { maximumAvailable: 1_000_000, restoreRate: 1_000_000 } });
    const env = {
      DATABASE_URL: database.url,
      SHOPIFY_ADMIN_API_ORIGIN: shared.origin,
      SYNC_POLL_MS: '50',
      RATE_LIMIT_PER_IP_PER_MINUTE: '10',
      RATE_LIMIT_PER_SHOP_PER_MINUTE: '100000',
    };
    const a = await startAppProcess(env);
    const b = await startAppProcess(env);
    const storage = await openStorage(database.url);
    try {
      const results = await Promise.all(
        Array.from({ length: 120 }, (_, i) =>
          (i % 2 ? a : b).submit(lead(`pair${i}@example.com`), { 'x-forwarded-for': `192.0.2.${i % 250}` }).then((r) => r.status),
        ),
      );
      expect(results.every((s) => s === 202)).toBe(true);
      await until(
        async () => (await storage.db.selectFrom('outbox_jobs').select('id').where('state', '!=', 'done').execute()).length === 0,
        60_000,
        'both workers to drain',
      );
      expect(shared.emulator.stats.operations.ContactCaptureCustomerCreate).toBe(120);
      expect(shared.emulator.shopData('contact-capture-dev.myshopify.com')?.customers.size).toBe(120);

      // One shopper's IP, alternating between the two processes: the limit of 10 a minute holds across both.
      const statuses = [];
      for (let i = 0; i < 16; i++) statuses.push((await (i % 2 ? a : b).submit(lead(`limit${i}@example.com`), { 'x-forwarded-for': '203.0.113.99' })).status);
      expect(statuses.filter((s) => s === 202)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(6);
    } finally {
      await storage.close();
      await Promise.all([a.stop(), b.stop()]);
      await shared.close();
      await database.drop();
    }
  }, 120_000);
});
