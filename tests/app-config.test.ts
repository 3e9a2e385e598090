import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { API_VERSION } from '../schema/fields.js';
import { loadConfig } from '../web/server/config.js';
import { PROJECT_ROOT } from '../web/server/core/paths.js';
import { createRuntime } from '../web/server/root.js';

const run = promisify(execFile);
const toml = readFileSync(join(PROJECT_ROOT, 'shopify.app.toml'), 'utf8');

describe('shopify.app.toml', () => {
  it('is accepted by `shopify app build` offline', async () => {
    const { stdout, stderr } = await run('npx', ['shopify', 'app', 'build', '--skip-dependencies-installation', '--path', PROJECT_ROOT], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, CI: 'true', NO_COLOR: '1' },
      timeout: 120_000,
    });
    expect(`${stdout}${stderr}`).toMatch(/built/i);
    // Shopify refuses a checkout extension bundle over 64 KB at deploy.
    expect(statSync(join(PROJECT_ROOT, 'extensions', 'checkout-fields', 'dist', 'checkout-fields.js')).size).toBeLessThan(64 * 1024);
    expect(statSync(join(PROJECT_ROOT, 'extensions', 'customer-account', 'dist', 'customer-account.js')).size).toBeLessThan(64 * 1024);
  }, 150_000);

  it('pins the same Admin API version as the code, and routes every webhook to a handled path', () => {
    expect(toml).toContain(`api_version = "${API_VERSION}"`);
    for (const topic of [
      'customers/data_request',
      'customers/redact',
      'shop/redact',
      'app/uninstalled',
      'customers_email_marketing_consent/update',
      'customers_marketing_consent/update',
      'orders/create',
    ]) {
      expect(toml).toContain(`uri = "/webhooks/${topic}"`);
    }
    expect(toml).toMatch(/\[app_proxy\][^[]*url = "https:\/\/[^"]+\/proxy"[^[]*prefix = "apps"[^[]*subpath = "contact-capture"/);
    expect(toml).toContain('scopes = "read_customers,write_customers,read_orders,write_app_proxy,read_themes,write_files"');
  });
});

describe('production mode', () => {
  it('serves only the app routes: no storefront preview, no emulators, no dev sign-in', async () => {
    const config = loadConfig({
      MODE: 'production',
      DATABASE_URL: 'sqlite::memory:',
      SHOPIFY_API_KEY: 'key',
      SHOPIFY_API_SECRET: 'a-real-secret-of-32-characters-at-least',
      SHOPIFY_APP_URL: 'https://app.example.com',
      ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 3).toString('base64')}`,
      LOOKUP_KEYS: `l1:${Buffer.alloc(32, 4).toString('base64')}`,
    });
    const runtime = await createRuntime(config, { log: pino({ level: 'silent' }) });
    try {
      for (const path of [
        '/',
        '/fr/',
        '/apps/contact-capture/submit',
        '/admin/api/2026-10/graphql.json',
        '/admin/oauth/access_token',
        '/dev/session-token',
        '/__emulator/admin',
      ]) {
        const response = await runtime.app.request(path, { method: path === '/' || path === '/fr/' || path === '/dev/session-token' ? 'GET' : 'POST' });
        expect(response.status, path).toBe(404);
      }
      expect((await runtime.app.request('/healthz')).status).toBe(200);
      expect((await runtime.app.request('/proxy/submit', { method: 'POST' })).status).toBe(401);
    } finally {
      await runtime.close();
    }
  });
});
