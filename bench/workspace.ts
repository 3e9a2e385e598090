import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { insertTerms } from '../web/server/leads/lead-terms.js';
import { newId } from '../web/server/core/ids.js';
import { type TermRow, termHasher, termRows } from '../web/server/leads/search-terms.js';
import type { LeadStatus, NewLead } from '../web/server/storage/tables.js';
import { ENGINES, type TestEngine } from '../tests/helpers/databases.js';
import { SECRET, SHOP, type TestApp, startTestApp } from '../tests/helpers/runtime.js';

/**
 * The leads workspace at scale: 100,000 leads of one shop (encrypted, indexed for search, as intake writes them), then
 * the p50/p95 of the list and search queries through the real API (session token, role check, decryption, JSON),
 * and a streamed CSV export of all of them with the process's memory before and after.
 * Target: p95 under 50 ms. Baseline in the same run: GET /healthz through the same app.
 */
const LEADS = Number(process.env.BENCH_LEADS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 40);

const FIRST = [
  'Pierre',
  'Élodie',
  'Camille',
  'Luc',
  'Inès',
  'Sam',
  'Chloé',
  'Hugo',
  'Léa',
  'Noah',
  'Emma',
  'Louis',
  'Jade',
  'Gabriel',
  'Alice',
  'Arthur',
  'Lina',
  'Jules',
  'Rose',
  'Adam',
  'Zoé',
  'Raphaël',
  'Anna',
  'Tom',
  'Mila',
  'Paul',
  'Nina',
  'Victor',
  'Julia',
  'Martin',
];
const LAST = [
  'Dupont',
  'Martin',
  'Bernard',
  'Moreau',
  'Laurent',
  'Simon',
  'Michel',
  'Lefebvre',
  'Leroy',
  'Roux',
  'David',
  'Bertrand',
  'Morel',
  'Fournier',
  'Girard',
  'Bonnet',
  'Dubois',
  'Lambert',
  'Fontaine',
  'Rousseau',
  'Vincent',
  'Muller',
  'Faure',
  'André',
  'Mercier',
  'Blanc',
  'Guerin',
  'Boyer',
  'Garnier',
  'Chevalier',
];
const DOMAINS = ['example.com', 'example.fr', 'example.org', 'mail.example', 'shop.example'];
const SENTENCES = [
  'Is the linen shirt back in stock?',
  'I have moved, please update my address.',
  'Do you ship to Belgium?',
  'Wholesale prices for a boutique in Lyon?',
  'The size guide says M but I usually wear L.',
  'Can I return an item bought in the sale?',
  'My parcel has not arrived yet.',
  'Do you offer gift wrapping?',
  'I would like to collaborate on a photo shoot.',
  'When is the next collection coming out?',
  'Is there a discount for students?',
  'Please call me back about my order.',
];
const FORMS = ['contact-page', 'wholesale', 'press', 'footer', 'product-question'];
const STATUSES: LeadStatus[] = ['synced', 'synced', 'synced', 'synced', 'no_consent', 'no_consent', 'pending', 'failed', 'quarantined'];
const pick = <T>(list: readonly T[], n: number): T => list[n % list.length]!;

async function seed(t: TestApp): Promise<{ rareName: string; phoneTail: string }> {
  const db = t.runtime.storage.db;
  const hash = termHasher(SECRET);
  const start = Date.now() - 365 * 86_400_000;
  const batch = 1000;
  for (let offset = 0; offset < LEADS; offset += batch) {
    const rows: NewLead[] = [];
    const terms: TermRow[] = [];
    for (let i = offset; i < Math.min(LEADS, offset + batch); i++) {
      const first = pick(FIRST, i * 7);
      const last = pick(LAST, i * 13 + (i >> 5));
      const status = pick(STATUSES, i * 31);
      const consent = status === 'no_consent' ? 0 : 1;
      const phone = `+336${String(10_000_000 + ((i * 7919) % 89_999_999)).padStart(8, '0')}`;
      const row: NewLead = {
        id: newId(),
        shop: SHOP,
        form_id: pick(FORMS, i * 3),
        created_at: new Date(start + Math.floor((i / LEADS) * 365 * 86_400_000)).toISOString(),
        email: `${first.toLowerCase()}.${last.toLowerCase()}${i}@${pick(DOMAINS, i)}`,
        first_name: i === 4242 ? 'Zéphyrine' : first,
        last_name: last,
        phone,
        message: `${pick(SENTENCES, i * 5)} ${pick(SENTENCES, i * 11 + 3)}`,
        locale: i % 3 ? 'fr' : 'en',
        page: '/pages/contact',
        logged_in_customer_id: null,
        email_consent: consent,
        status,
        shopify_customer_id: status === 'synced' ? `gid://shopify/Customer/${100000 + i}` : null,
        sync_error: status === 'failed' ? 'Shopify rejected the customer: Phone has already been taken (TAKEN, field input.phone)' : null,
        synced_at: null,
        idempotency_key: `seed-${i}`,
        body_hash: 'seed',
        company: i % 4 === 0 ? `Maison ${last}` : null,
        birthday: null,
        address: null,
        answers: null,
        tags: i % 10 === 0 ? JSON.stringify(['vip']) : null,
        search_indexed: 1,
        email_hash: t.runtime.lookupHash(`seed${i}@x`),
        phone_hash: t.runtime.lookupHash(phone),
      };
      rows.push(row);
      terms.push(...termRows(hash, { ...row, tags: row.tags ? ['vip'] : [] }));
    }
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('leads').values(rows).execute();
      await insertTerms(trx, terms);
    });
  }
  // Lead 777's phone as dialled in France: 06 and its last eight digits.
  return { rareName: 'zephyrine', phoneTail: `06${String(10_000_000 + ((777 * 7919) % 89_999_999)).padStart(8, '0')}` };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function measure(label: string, run: () => Response | Promise<Response>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS + 3; i++) {
    const began = performance.now();
    const response = await run();
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${label}: HTTP ${response.status}`);
    if (i >= 3) times.push(performance.now() - began);
  }
  times.sort((a, b) => a - b);
  const p95 = percentile(times, 95);
  console.log(`  ${label.padEnd(44)} p50 ${percentile(times, 50).toFixed(1).padStart(6)} ms   p95 ${p95.toFixed(1).padStart(6)} ms`);
  return p95;
}

async function bench(engine: TestEngine): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cc-bench-'));
  const t = await startTestApp(engine, engine === 'sqlite' ? { DATABASE_URL: `sqlite:${join(dir, 'bench.sqlite')}` } : {});
  if (!t) {
    console.log(`${engine}: not reachable, skipped`);
    return;
  }
  try {
    const seeded = Date.now();
    const { rareName, phoneTail } = await seed(t);
    // A live database of this size has planner statistics and a visibility map (PostgreSQL's autovacuum analyzes and
    // vacuums after a share of a table changes); a bulk load made a moment ago has neither yet, and the planner would
    // take the leads table for empty and read the heap for every index entry.
    await sql.raw(engine === 'postgres' ? 'vacuum analyze' : 'analyze').execute(t.runtime.storage.db);
    const terms = await t.runtime.storage.db
      .selectFrom('lead_terms')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    console.log(
      `\n${engine}: ${LEADS.toLocaleString('en')} leads seeded in ${((Date.now() - seeded) / 1000).toFixed(1)} s (${Number(terms.n).toLocaleString('en')} search terms, ${(Number(terms.n) / LEADS).toFixed(1)} a lead)`,
    );
    await t.staffToken('manager');
    // Session tokens live a minute: a fresh one every 20 s, as App Bridge would hand out.
    let token = await t.sessionToken({ userId: '2' });
    const refresh = setInterval(() => void t.sessionToken({ userId: '2' }).then((fresh) => (token = fresh)), 20_000);
    const get = (path: string) => t.runtime.app.request(path, { headers: { authorization: `Bearer ${token}` } });
    const first = (await (await get('/api/leads?limit=50')).json()) as { nextCursor: string; leads: Array<{ id: string }> };
    let deep = first.nextCursor;
    for (let i = 0; i < 200; i++) {
      const next = ((await (await get(`/api/leads?limit=50&cursor=${deep}`)).json()) as { nextCursor: string | null }).nextCursor;
      if (!next) break;
      deep = next;
    }

    const baseline = await measure('baseline: GET /healthz', () => get('/healthz'));
    const p95s = [
      await measure('list: newest 50', () => get('/api/leads?limit=50')),
      await measure('list: page 200 (keyset cursor)', () => get(`/api/leads?limit=50&cursor=${deep}`)),
      await measure('list: status=failed', () => get('/api/leads?limit=50&status=failed')),
      await measure('list: form + date range + consent', () => get('/api/leads?limit=50&form=wholesale&from=2026-03-01&to=2026-06-30&consent=yes')),
      await measure('list: tag=vip', () => get('/api/leads?limit=50&tag=vip')),
      await measure('search: common word ("example", all leads)', () => get('/api/leads?limit=50&q=example')),
      await measure('search: name prefix ("pier")', () => get('/api/leads?limit=50&q=pier')),
      await measure('search: two words ("camille dupont")', () => get('/api/leads?limit=50&q=camille%20dupont')),
      await measure(`search: rare name ("${rareName}")`, () => get(`/api/leads?limit=50&q=${rareName}`)),
      await measure('search: national phone number', () => get(`/api/leads?limit=50&q=${phoneTail}`)),
      await measure('search: message word + status', () => get('/api/leads?limit=50&q=belgium&status=synced')),
      await measure('counts: whole shop', () => get('/api/leads/counts')),
      await measure('counts: search "dupont"', () => get('/api/leads/counts?q=dupont')),
      await measure('counts: search "example" (capped at 1,000)', () => get('/api/leads/counts?q=example')),
    ];
    const worst = Math.max(...p95s);
    // Read once per page visit rather than per query; printed, not part of the target.
    await measure('facets: forms and tags (once per visit)', () => get('/api/leads/facets'));
    await measure('insights: 30 days per form and day', () => get('/api/insights'));
    await measure('detail: one lead with history and consent', () => get(`/api/leads/${first.leads[7]!.id}`));
    console.log(`  worst p95 ${worst.toFixed(1)} ms (target < 50 ms: ${worst < 50 ? 'met' : 'MISSED'}); baseline p95 ${baseline.toFixed(2)} ms`);

    // Retained memory, not garbage: with --expose-gc (npm run bench:workspace) each sample follows a full collection.
    const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});
    collect();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakHeap = before.heapUsed;
    const timer = setInterval(() => {
      collect();
      const now = process.memoryUsage();
      peakRss = Math.max(peakRss, now.rss);
      peakHeap = Math.max(peakHeap, now.heapUsed);
    }, 200);
    const began = performance.now();
    const response = await get('/api/leads/export.csv');
    let bytes = 0;
    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
    }
    clearInterval(timer);
    console.log(
      `  export: ${response.headers.get('x-total-rows')} rows, ${(bytes / 1e6).toFixed(1)} MB CSV in ${((performance.now() - began) / 1000).toFixed(1)} s; ` +
        `RSS ${(before.rss / 1e6).toFixed(0)} MB before, peak ${(peakRss / 1e6).toFixed(0)} MB (+${((peakRss - before.rss) / 1e6).toFixed(0)} MB); ` +
        `JS heap ${(before.heapUsed / 1e6).toFixed(0)} MB before, peak ${(peakHeap / 1e6).toFixed(0)} MB (+${((peakHeap - before.heapUsed) / 1e6).toFixed(0)} MB, ${(((peakHeap - before.heapUsed) / bytes) * 100).toFixed(0)}% of the file)`,
    );
    clearInterval(refresh);
  } finally {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// BENCH_ENGINES=postgres (or sqlite) runs one engine only.
for (const engine of ENGINES.filter((e) => !process.env.BENCH_ENGINES || process.env.BENCH_ENGINES.split(',').includes(e))) await bench(engine);
