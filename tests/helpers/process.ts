import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { AdminEmulator } from '../../dev/admin-emulator/emulator.js';
import { adminEmulatorRoutes } from '../../dev/admin-emulator/routes.js';
import { SCOPES } from '../../dev/local.js';
import { signProxyQuery } from '../../dev/proxy-signer.js';
import { PROJECT_ROOT } from '../../web/server/core/paths.js';
import { API_KEY, SECRET, SHOP, TOKEN, signedAsBlock } from './runtime.js';

/** Real app processes (`node dev/main.ts`, local mode), for crash and multi-process tests. */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface AppProcess {
  port: number;
  child: ChildProcess;
  submit(body: unknown, headers?: Record<string, string>): Promise<Response>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

let shopper = 0;

export async function startAppProcess(env: Record<string, string>): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', `${PROJECT_ROOT}/dev/main.ts`], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      MODE: 'local',
      PORT: String(port),
      SHOPIFY_API_KEY: API_KEY,
      SHOPIFY_API_SECRET: SECRET,
      SHOPIFY_DEV_SHOP: SHOP,
      SHOPIFY_DEV_ACCESS_TOKEN: TOKEN,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    // tsx compiles the app on start: seconds on a quiet machine, over 15 s on a loaded one; 60 s before giving up.
    if (i > 600 || child.exitCode !== null) throw new Error(`app process did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    child,
    submit(body, headers = {}) {
      const params = signProxyQuery(new URLSearchParams(), { shop: SHOP, loggedInCustomerId: null, pathPrefix: '/apps/contact-capture' }, SECRET);
      // Shopify's proxy always names the shopper's address: each call is another shopper unless the test says who.
      const from = { 'x-forwarded-for': `10.${(++shopper >> 16) & 255}.${(shopper >> 8) & 255}.${shopper & 255}` };
      return fetch(`http://127.0.0.1:${port}/proxy/submit?${params}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...from, ...headers },
        // The block's signed double opt-in setting (`doi:0`) unless the body names one, as through the proxy helper.
        body: signedAsBlock(JSON.stringify(body)),
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** One Admin API emulator over HTTP that several app processes share (SHOPIFY_ADMIN_API_ORIGIN). */
export async function startSharedEmulator(): Promise<{ emulator: AdminEmulator; origin: string; close(): Promise<void> }> {
  const emulator = new AdminEmulator();
  emulator.install(SHOP, TOKEN);
  const server: ServerType = await new Promise((resolve) => {
    const s = serve(
      { fetch: adminEmulatorRoutes(emulator, { apiKey: API_KEY, apiSecret: SECRET, scopes: SCOPES }).fetch, port: 0, hostname: '127.0.0.1' },
      () => resolve(s),
    );
  });
  const address = server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { emulator, origin, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
