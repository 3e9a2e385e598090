import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startAppProcess } from './helpers/process.js';
import { jsonPost, startTestApp } from './helpers/runtime.js';

describe('operations', () => {
  it('logs every outcome without a trace of the personal data that went through', async () => {
    let text = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        text += chunk.toString();
        done();
      },
    });
    const t = (await startTestApp('sqlite', {}, pino({ level: 'debug' }, sink)))!;
    try {
      const personal = {
        email: 'zebulon.quixote@example.com',
        first_name: 'Zebulon',
        last_name: 'Quixote',
        phone: '+33699887766',
        message: 'My secret: blue-giraffe-42',
      };
      await t.proxy('/submit', jsonPost({ ...personal, email_marketing_consent: true, rendered_at: Date.now() - 10_000 }));
      // A second shopper with the same phone: Shopify refuses the phone (TAKEN); the lead syncs without it, logged as such.
      await t.proxy('/submit', jsonPost({ ...personal, email: 'other.quixote@example.com', email_marketing_consent: true, rendered_at: Date.now() - 10_000 }));
      await t.proxy('/submit', jsonPost({ ...personal, email: 'bad' }));
      await t.runtime.worker.drain();
      expect(text).toContain('lead synced');
      expect(text).toContain('lead synced with warnings');
      for (const value of [...Object.values(personal), 'other.quixote@example.com', '33699887766']) expect(text).not.toContain(value);
    } finally {
      await t.close();
    }
  });

  it('exposes intake outcomes, queue depth and age, sync outcomes and Shopify cost at /metrics', async () => {
    const t = (await startTestApp('sqlite'))!;
    try {
      await t.proxy('/submit', jsonPost({ email: 'm1@example.com', email_marketing_consent: true, rendered_at: Date.now() - 10_000 }));
      await t.proxy('/submit', jsonPost({ email: 'm2@example.com', email_marketing_consent: true, rendered_at: Date.now() - 10_000 }));
      await t.proxy('/submit', jsonPost({ email: 'nope' }));
      let metrics = await (await t.runtime.app.request('/metrics')).text();
      expect(metrics).toMatch(/contact_capture_intake_total\{outcome="202"\} 2/);
      expect(metrics).toMatch(/contact_capture_intake_total\{outcome="422"\} 1/);
      expect(metrics).toMatch(/contact_capture_outbox_pending\{shop="contact-capture-dev.myshopify.com"\} 2/);
      expect(metrics).toMatch(/contact_capture_outbox_oldest_age_seconds\{shop="contact-capture-dev.myshopify.com"\} \d/);
      await t.runtime.worker.drain();
      metrics = await (await t.runtime.app.request('/metrics')).text();
      expect(metrics).toMatch(/contact_capture_sync_total\{outcome="synced"\} 2/);
      // 2 leads × (the customer lookup with its marketing states, 6 points since SMS and WhatsApp consent are read on
      // CustomerPhoneNumber, + 4 mutations: customerCreate, metafieldsSet, consent, tagsAdd, 10 points each); no
      // metafield definition is created, the app's own being declared in shopify.app.toml.
      expect(metrics).toMatch(/contact_capture_shopify_cost_points_total 92/);
      expect(metrics).not.toMatch(/contact_capture_outbox_pending\{/);
    } finally {
      await t.close();
    }
  });

  it('shuts down on SIGTERM without losing an acknowledged lead or leaving a job claimed', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { openStorage } = await import('../web/server/storage/database.js');
    const dir = mkdtempSync(join(tmpdir(), 'cc-term-'));
    const url = `sqlite:${join(dir, 'term.sqlite')}`;
    try {
      const app = await startAppProcess({ DATABASE_URL: url, RATE_LIMIT_PER_SHOP_PER_MINUTE: '100000' });
      const ids = await Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          const response = await app.submit({ email: `term${i}@example.com`, email_marketing_consent: true, rendered_at: Date.now() - 10_000 });
          return ((await response.json()) as { id: string }).id;
        }),
      );
      await app.stop('SIGTERM');
      expect(app.child.exitCode).toBe(0);
      const storage = await openStorage(url);
      try {
        const leads = await storage.db.selectFrom('leads').select('id').execute();
        expect(new Set(leads.map((l) => l.id))).toEqual(new Set(ids));
        const claimed = await storage.db.selectFrom('outbox_jobs').select('id').where('state', '=', 'pending').where('lease_until', 'is not', null).execute();
        expect(claimed).toEqual([]);
      } finally {
        await storage.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
