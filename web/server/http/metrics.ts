import { createHash, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Database } from '../storage/tables.js';
import { bearerToken } from './bearer.js';

/** Prometheus metrics. One registry per app instance, so tests and several apps in one process do not collide. */
export function createMetrics(db: Kysely<Database>) {
  const registry = new Registry();
  const intake = new Counter({
    name: 'contact_capture_intake_total',
    help: 'Submissions by outcome (HTTP status class and reason)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const sync = new Counter({ name: 'contact_capture_sync_total', help: 'Sync job outcomes', labelNames: ['outcome'], registers: [registry] });
  const mail = new Counter({ name: 'contact_capture_mail_total', help: 'E-mail job outcomes', labelNames: ['outcome'], registers: [registry] });
  const shopifyCost = new Counter({
    name: 'contact_capture_shopify_cost_points_total',
    help: 'Admin API cost points charged by Shopify',
    registers: [registry],
  });
  new Gauge({
    name: 'contact_capture_outbox_pending',
    help: 'Outbox jobs waiting, per shop',
    labelNames: ['shop'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db
        .selectFrom('outbox_jobs')
        .select(['shop', db.fn.countAll<number>().as('n')])
        .where('state', '=', 'pending')
        // A digest waits for the end of its period by design (leads/digest.ts): not a backlog until it is due.
        .where((w) => w.or([w('kind', '!=', 'mail_digest'), w('run_after', '<=', new Date().toISOString())]))
        .groupBy('shop')
        .execute();
      for (const row of rows) this.set({ shop: row.shop }, Number(row.n));
    },
  });
  new Gauge({
    name: 'contact_capture_outbox_oldest_age_seconds',
    help: 'Age of the oldest pending outbox job, per shop',
    labelNames: ['shop'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db
        .selectFrom('outbox_jobs')
        .select(['shop', db.fn.min('created_at').as('oldest')])
        .where('state', '=', 'pending')
        // A digest waits for the end of its period by design (leads/digest.ts): not a backlog until it is due.
        .where((w) => w.or([w('kind', '!=', 'mail_digest'), w('run_after', '<=', new Date().toISOString())]))
        .groupBy('shop')
        .execute();
      for (const row of rows) this.set({ shop: row.shop }, Math.max(0, (Date.now() - Date.parse(String(row.oldest))) / 1000));
    },
  });
  return { registry, intake, sync, mail, shopifyCost };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** `Authorization: Bearer <token>` equal to the expected token, compared in constant time (as digests, so lengths may differ). */
export function bearerMatches(header: string | undefined, expected: string): boolean {
  const given = bearerToken(header);
  if (!given) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
