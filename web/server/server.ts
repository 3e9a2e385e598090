import { serve } from '@hono/node-server';
import { ConfigError, type Config, loadConfig } from './config.js';
import { type RuntimeOptions, createRuntime } from './root.js';

/** Configuration from the environment, or a clear message per bad value and exit code 1. */
export function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * Serves the app until SIGTERM or SIGINT, then finishes the job in hand. Both entries go through here: production's
 * (main.ts) and local mode's (dev/main.ts), which adds the emulators through `options.mountDev`.
 */
export async function startServer(config: Config, options: RuntimeOptions & { onListening?: (base: string) => void } = {}): Promise<void> {
  const runtime = await createRuntime(config, options);
  const server = serve({ fetch: runtime.app.fetch, port: config.port, hostname: config.host }, (info) => {
    const base = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${info.port}`;
    if (options.onListening) options.onListening(base);
    else runtime.log.info({ port: info.port }, `Contact Capture listening (${config.mode} mode)`);
  });
  if (config.syncWorker) runtime.jobs.start();

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
