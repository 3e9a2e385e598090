import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { signProxyQuery } from '../dev/proxy-signer.js';
import { PROJECT_ROOT } from '../web/server/core/paths.js';

/**
 * Intake throughput: accepted submissions per second and latency at 32 connections, for the app on SQLite
 * (synchronous=FULL) and on PostgreSQL, next to a bare node:http server answering 202 measured in the same run.
 * The ratio to the bare server is the figure that counts; absolute numbers depend on the machine.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 32;
const SECRET = 'bench-secret';
const SHOP = 'bench-shop.myshopify.com';
const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

// rendered_at well in the past: the minimum fill time is met, so no lead is quarantined.
const body = JSON.stringify({
  email: 'bench@example.com',
  first_name: 'Bench',
  message: 'A message of ordinary length from a shopper.',
  email_marketing_consent: true,
  consent_text: 'Email me offers.',
  locale: 'en',
  form_id: 'contact',
  rendered_at: Date.now() - 60_000,
});

async function load(url: string): Promise<autocannon.Result> {
  let counter = 0;
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    // Each request from another shopper address, as on a busy storefront: the per-IP limit stays in force.
    requests: [
      {
        setupRequest: (req) => {
          const n = counter++;
          return {
            ...req,
            headers: {
              ...req.headers,
              'idempotency-key': `bench-${process.pid}-${n}`,
              ...(process.env.BENCH_NO_XFF ? {} : { 'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` }),
            },
          };
        },
      },
    ],
  });
}

function report(name: string, result: autocannon.Result, baseline?: autocannon.Result) {
  const accepted = result['2xx'] / result.duration;
  const ratio = baseline ? ` ${((accepted / (baseline['2xx'] / baseline.duration)) * 100).toFixed(1)}% of bare` : '';
  const other = result.non2xx + result.errors + result.timeouts;
  console.log(
    `${name.padEnd(26)} ${accepted.toFixed(0).padStart(7)} accepted/s   p50 ${String(result.latency.p50).padStart(4)} ms   p99 ${String(result.latency.p99).padStart(4)} ms   non-2xx/errors ${other}${ratio}`,
  );
}

async function startApp(databaseUrl: string): Promise<{ child: ChildProcess; port: number }> {
  const port = 3300 + Math.floor(Math.random() * 500);
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'dev/main.ts')], {
    cwd: PROJECT_ROOT,
    // One shop taking thousands of submissions a second is the point of the benchmark, so its per-shop limit is lifted.
    env: {
      ...process.env,
      MODE: 'local',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      SHOPIFY_API_SECRET: SECRET,
      SHOPIFY_DEV_SHOP: SHOP,
      LOG_LEVEL: 'warn',
      SYNC_WORKER: 'off',
      RATE_LIMIT_PER_SHOP_PER_MINUTE: '100000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return { child, port };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error('app did not start');
}

const signedPath = () =>
  `/proxy/submit?${signProxyQuery(new URLSearchParams(), { shop: SHOP, loggedInCustomerId: null, pathPrefix: '/apps/contact-capture' }, SECRET)}`;

// Bare node:http: reads the body, answers 202 with a small JSON, nothing else.
const bare = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(202, { 'content-type': 'application/json' });
    res.end('{"id":"x","status":"accepted"}');
  });
});
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
const barePort = (bare.address() as { port: number }).port;
console.log(`${SECONDS} s per run, ${CONNECTIONS} connections, Node ${process.version}`);
const baseline = await load(`http://127.0.0.1:${barePort}/`);
bare.close();
report('bare node:http 202', baseline);

const dir = mkdtempSync(join(tmpdir(), 'cc-bench-'));
for (const [name, url] of [
  ['app on SQLite (FULL sync)', `sqlite:${join(dir, 'bench.sqlite')}`],
  ['app on PostgreSQL', 'postgres'],
] as const) {
  let databaseUrl: string = url;
  let schema: string | null = null;
  if (url === 'postgres') {
    schema = `cc_bench_${process.pid}`;
    const client = new pg.Client({ connectionString: PG_URL });
    try {
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade; create schema ${schema}`);
    } catch (error) {
      console.log(`${name.padEnd(26)} skipped: PostgreSQL unreachable (${String(error)})`);
      continue;
    } finally {
      await client.end().catch(() => {});
    }
    const u = new URL(PG_URL);
    u.searchParams.set('options', `-c search_path=${schema}`);
    databaseUrl = u.toString();
  }
  const { child, port } = await startApp(databaseUrl);
  try {
    report(name, await load(`http://127.0.0.1:${port}${signedPath()}`), baseline);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    if (schema) {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`drop schema ${schema} cascade`);
      await client.end();
    }
  }
}
rmSync(dir, { recursive: true, force: true });
