import { defineConfig } from '@playwright/test';

/**
 * Browser tests against `npm start`'s local mode (storefront preview, proxy and Admin API emulators) on its own port
 * and a fresh SQLite file, in Debian's Chromium: Playwright's own browser download is not reachable here.
 */
const PORT = Number(process.env.E2E_PORT ?? 3210);

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    trace: 'off',
  },
  webServer: {
    // The server's log is kept so that the last spec can check it for personal data (log-scan.spec.ts).
    command: `mkdir -p data && rm -f data/e2e.sqlite* && npx tsx dev/main.ts > data/e2e-server.log 2>&1`,
    url: `http://127.0.0.1:${PORT}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    // Browsers fill forms faster than people and all come from 127.0.0.1: the spam and rate limits have their own
    // integration tests, so here they are loosened to let the shopper journeys through.
    env: {
      MODE: 'local',
      PORT: String(PORT),
      DATABASE_URL: 'sqlite:./data/e2e.sqlite',
      SYNC_POLL_MS: '50',
      LOG_LEVEL: 'debug',
      SPAM_MIN_FILL_MS: '0',
      RATE_LIMIT_PER_IP_PER_MINUTE: '1000',
    },
  },
});
