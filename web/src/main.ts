import { serve } from '@hono/node-server';
import { ConfigError, loadConfig } from './config.js';
import { createRuntime } from './root.js';

/**
 * Entry point. `npm start` runs local mode (MODE=local, the default): the app plus the storefront preview and the
 * Shopify emulators. `npm run serve` runs production mode: the app's own routes only.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  // The dev parts are not even loaded in production mode.
  const mountDev = config.mode === 'local' ? (await import('./dev/local.js')).mountLocal() : undefined;
  const runtime = await createRuntime(config, mountDev ? { mountDev } : {});
  const server = serve({ fetch: runtime.app.fetch, port: config.port, hostname: config.host }, (info) => {
    const base = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${info.port}`;
    if (config.mode === 'local') {
      console.log(
        [
          `Contact Capture (local mode) on ${base}`,
          `  Storefront preview   ${base}/   (French: ${base}/fr/)`,
          `  Cart page            ${base}/cart   (purchase questions block)`,
          `  Leads workspace      ${base}/app   (other roles: ?staff=manager, ?staff=viewer)`,
          `  App proxy emulator   ${base}/apps/contact-capture/*  ->  /proxy/*`,
          `  Admin API emulator   ${base}/admin/api/2026-10/graphql.json  (shop ${config.devShop})`,
          `  Health, metrics      ${base}/healthz  ${base}/metrics`,
          `  Database             ${config.databaseUrl.replace(/\/\/[^@]*@/, '//***@')}`,
        ].join('\n'),
      );
    } else {
      runtime.log.info({ port: info.port }, 'Contact Capture listening (production mode)');
    }
  });
  if (config.syncWorker) runtime.worker.start();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    runtime.log.info({ signal }, 'shutting down: finishing the job in hand');
    server.close();
    await runtime.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

await main();
