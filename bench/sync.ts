import { startTestApp } from '../tests/helpers/runtime.js';

/**
 * Sync drain rate against the emulator at Shopify's Standard plan limits (bucket 2,000 points, 100 points/s). Each
 * consenting lead costs four mutations of 10 points, so the theoretical best time for N leads is
 * max(0, 40 N - 2,000) / 100 seconds. Prints the ratio of that best to the time measured, and THROTTLED answers.
 */
const LEADS = Number(process.env.BENCH_LEADS ?? 120);
const BUCKET = { maximumAvailable: 2000, restoreRate: 100 };
const POINTS_PER_LEAD = 40;

const t = await startTestApp('sqlite', { RATE_LIMIT_PER_SHOP_PER_MINUTE: '100000', SYNC_POLL_MS: '20' });
if (!t) throw new Error('could not start');
try {
  t.emulator.configure({ bucket: BUCKET });
  for (let i = 0; i < LEADS; i++) {
    const response = await t.proxy('/submit', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `drain${i}@example.com`,
        first_name: 'Drain',
        message: 'hello',
        email_marketing_consent: true,
        form_id: 'bench',
        rendered_at: Date.now() - 10_000,
      }),
    });
    if (response.status !== 202) throw new Error(`submission ${i} got ${response.status}`);
  }
  t.emulator.resetStats();
  const started = Date.now();
  t.runtime.jobs.start();
  const db = t.runtime.storage.db;
  for (;;) {
    const open = await db.selectFrom('outbox_jobs').select('id').where('state', '!=', 'done').execute();
    if (!open.length) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (Date.now() - started) / 1000;
  const best = Math.max(0, LEADS * POINTS_PER_LEAD - BUCKET.maximumAvailable) / BUCKET.restoreRate;
  const synced = (await db.selectFrom('leads').select('status').where('status', '=', 'synced').execute()).length;
  const stats = t.emulator.stats;
  console.log(`sync drain, Standard plan (bucket ${BUCKET.maximumAvailable}, ${BUCKET.restoreRate} points/s), ${LEADS} leads`);
  console.log(
    `  synced ${synced}/${LEADS} in ${seconds.toFixed(1)} s; theoretical best ${best.toFixed(1)} s; ratio ${((best / seconds) * 100).toFixed(1)}% of the maximum`,
  );
  console.log(`  THROTTLED answers: ${stats.throttled}; Admin calls: ${stats.requests}; points spent: ${stats.pointsSpent}`);
} finally {
  await t.close();
}
