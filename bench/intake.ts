import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { signProxyQuery } from '../dev/proxy-signer.js';
import { PROJECT_ROOT } from '../web/server/core/paths.js';
import { formKey, signOptIn } from '../web/server/core/form-key.js';

/**
 * Intake throughput: accepted submissions per second and latency at 32 connections, for the app on SQLite
 * (synchronous=FULL) and on PostgreSQL, next to a bare node:http server answering 202 measured in the same run.
 * The ratio to the bare server is the figure that counts; absolute numbers depend on the machine.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
// BENCH_WARMUP=<seconds> of load before each measured run (default 2): the first thousands of requests run unoptimised
// code, which on a short run made the CPU per lead look twice what it is in steady state.
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const CONNECTIONS = 32;
// At least 32 characters: the production build refuses a shorter client secret.
const SECRET = 'bench-secret-0123456789abcdef-0123456789';
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
  // The block's signed double opt-in setting, off: without it the server fails safe to double opt-in.
  double_opt_in: 'doi:0',
  double_opt_in_sig: signOptIn(formKey(SECRET, SHOP), 'contact', 'doi:0'),
});

let counter = 0;
async function load(url: string, duration = SECONDS): Promise<autocannon.Result> {
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration,
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

/** CPU seconds used during a run, by who: the app, the load generator (this process), PostgreSQL's backends serving the app. */
interface CpuUse {
  app: number | null;
  loader: number;
  postgres?: number | null;
}

function report(name: string, result: autocannon.Result, baseline?: autocannon.Result, use?: CpuUse) {
  const cpuSeconds = use?.app;
  const accepted = result['2xx'] / result.duration;
  const ratio = baseline ? ` ${((accepted / (baseline['2xx'] / baseline.duration)) * 100).toFixed(1)}% of bare` : '';
  const other = result.non2xx + result.errors + result.timeouts;
  // The app's own CPU time per accepted request: unlike throughput, it hardly moves when other processes share the cores.
  const cpu = cpuSeconds != null && result['2xx'] ? `   app CPU ${((cpuSeconds * 1e6) / result['2xx']).toFixed(0)} µs/accepted` : '';
  console.log(
    `${name.padEnd(26)} ${accepted.toFixed(0).padStart(7)} accepted/s   p50 ${String(result.latency.p50).padStart(4)} ms   p99 ${String(result.latency.p99).padStart(4)} ms   non-2xx/errors ${other}${ratio}${cpu}`,
  );
  // Who used the two cores: with the load generator and PostgreSQL on the same machine, the app gets what they leave.
  if (use) {
    const share = (seconds: number | null | undefined) => (seconds == null ? 'n/a' : `${((seconds / result.duration) * 100).toFixed(0)}% of a core`);
    const perLead = (seconds: number | null | undefined) =>
      seconds == null || !result['2xx'] ? '' : ` (${((seconds * 1e6) / result['2xx']).toFixed(0)} µs/accepted)`;
    const parts = [`app ${share(use.app)}`, `load generator ${share(use.loader)}${perLead(use.loader)}`];
    if (use.postgres !== undefined) parts.push(`PostgreSQL backends ${share(use.postgres)}${perLead(use.postgres)}`);
    console.log(`${''.padEnd(26)} CPU during the run: ${parts.join(', ')}`);
  }
}

const cpuOfThisProcess = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** User plus system CPU seconds a process has used (Linux /proc), or null where that cannot be read. */
function cpuSecondsOf(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name; in clock ticks (100 a second).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** The PostgreSQL backends serving the app (named by application_name), for their CPU time; local server only. */
async function backendPids(applicationName: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: PG_URL });
  try {
    await client.connect();
    const { rows } = await client.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [applicationName]);
    return rows.map((r) => r.pid);
  } catch {
    return [];
  } finally {
    await client.end().catch(() => {});
  }
}

function sumCpu(pids: number[]): number | null {
  if (!pids.length) return null;
  let total = 0;
  for (const pid of pids) {
    const seconds = cpuSecondsOf(pid);
    if (seconds === null) return null;
    total += seconds;
  }
  return total;
}

// BENCH_CPU_PROF=<dir>: the app writes a V8 CPU profile per run under <dir>/<engine>/ (read it with bench/cpuprofile-top.ts).
const CPU_PROF = process.env.BENCH_CPU_PROF;
// BENCH_ONLY=sqlite|postgres: run the bare server and that engine only.
const ONLY = process.env.BENCH_ONLY;
const RUNTIME = process.env.BENCH_RUNTIME === 'tsx' ? 'tsx' : 'dist';

/**
 * A port nothing listens on. A random one in 3300-3800 sometimes was another process's (other worktrees' test servers
 * use that range): the app then failed to start, or the bench measured the other server.
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function startApp(databaseUrl: string, engine: string): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const profile = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${join(CPU_PROF, engine)}`] : [];
  // What ships: the production build (dist/, compiled by tsc) in production mode, with real-looking keys. BENCH_RUNTIME=tsx
  // runs local mode from the sources instead, as `npm start` does (tsx adds a helper call per named closure).
  const entry = RUNTIME === 'tsx' ? ['--import', 'tsx', join(PROJECT_ROOT, 'dev/main.ts')] : [join(PROJECT_ROOT, 'dist/web/server/main.js')];
  const mode =
    RUNTIME === 'tsx'
      ? { MODE: 'local', SHOPIFY_DEV_SHOP: SHOP }
      : {
          MODE: 'production',
          SHOPIFY_API_KEY: 'bench-api-key',
          SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
          ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
          LOOKUP_KEYS: `l1:${randomBytes(32).toString('base64')}`,
        };
  const child = spawn(process.execPath, [...profile, ...entry], {
    cwd: PROJECT_ROOT,
    // One shop taking thousands of submissions a second is the point of the benchmark, so its per-shop limit is lifted.
    env: {
      ...process.env,
      ...mode,
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      SHOPIFY_API_SECRET: SECRET,
      LOG_LEVEL: 'warn',
      SYNC_WORKER: 'off',
      RATE_LIMIT_PER_SHOP_PER_MINUTE: '100000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // Up to a minute: with other work on the cores, compiling the app under tsx alone took more than 20 s.
  for (let i = 0; i < 300; i++) {
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
if (RUNTIME === 'dist')
  execFileSync(process.execPath, [join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(PROJECT_ROOT, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
console.log(
  `${SECONDS} s per run, ${CONNECTIONS} connections, Node ${process.version}, app ${RUNTIME === 'dist' ? 'production build (dist/)' : 'local mode under tsx'}`,
);
if (WARMUP) await load(`http://127.0.0.1:${barePort}/`, WARMUP);
const loaderBefore = cpuOfThisProcess();
const baseline = await load(`http://127.0.0.1:${barePort}/`);
bare.close();
// The bare server runs in this process: its CPU and the load generator's are one figure.
report('bare node:http 202', baseline, undefined, { app: null, loader: cpuOfThisProcess() - loaderBefore });

const dir = mkdtempSync(join(tmpdir(), 'cc-bench-'));
for (const [name, url] of [
  ['app on SQLite (FULL sync)', `sqlite:${join(dir, 'bench.sqlite')}`],
  ['app on PostgreSQL', 'postgres'],
] as const) {
  if (ONLY && ONLY !== (url === 'postgres' ? 'postgres' : 'sqlite')) continue;
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
    // Names the app's connections, so the run can count the CPU of the backends that serve them (and no one else's).
    u.searchParams.set('application_name', schema);
    databaseUrl = u.toString();
  }
  const { child, port } = await startApp(databaseUrl, url === 'postgres' ? 'postgres' : 'sqlite');
  try {
    const path = `http://127.0.0.1:${port}${signedPath()}`;
    if (WARMUP) await load(path, WARMUP);
    const backends = schema ? await backendPids(schema) : [];
    const before = cpuSecondsOf(child.pid);
    const pgBefore = sumCpu(backends);
    const loaderStart = cpuOfThisProcess();
    const result = await load(path);
    const loader = cpuOfThisProcess() - loaderStart;
    const after = cpuSecondsOf(child.pid);
    const pgAfter = sumCpu(backends);
    report(name, result, baseline, {
      app: before !== null && after !== null ? after - before : null,
      loader,
      ...(schema ? { postgres: pgBefore !== null && pgAfter !== null ? pgAfter - pgBefore : null } : {}),
    });
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
