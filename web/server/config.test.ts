import { describe, expect, it } from 'vitest';
import { ConfigError, DEV_DEFAULTS, loadConfig } from './config.js';

const key = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
/** Shopify's client secrets are 32 hex characters (with an shpss_ prefix). */
const REAL_SECRET = 'shpss_0123456789abcdef0123456789abcdef';

describe('configuration', () => {
  it('runs local mode with documented dev defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      mode: 'local',
      port: 3000,
      apiSecret: DEV_DEFAULTS.SHOPIFY_API_SECRET,
      devShop: DEV_DEFAULTS.SHOPIFY_DEV_SHOP,
      adminApiOrigin: 'http://127.0.0.1:3000',
    });
    expect(config.databaseUrl).toBe('sqlite:./data/contact-capture.sqlite');
  });

  it('uses the secret from the environment in local mode too', () => {
    expect(loadConfig({ SHOPIFY_API_SECRET: 's3cret' }).apiSecret).toBe('s3cret');
  });

  it('refuses production mode without real values, naming each one', () => {
    try {
      loadConfig({ MODE: 'production' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      for (const name of ['SHOPIFY_API_KEY', 'SHOPIFY_API_SECRET', 'SHOPIFY_APP_URL', 'ENCRYPTION_KEYS', 'LOOKUP_KEYS']) expect(message).toContain(name);
    }
  });

  it('refuses the dev secret and the emulator override in production', () => {
    const base = {
      MODE: 'production',
      SHOPIFY_API_KEY: 'k',
      SHOPIFY_APP_URL: 'https://app.example.com',
      ENCRYPTION_KEYS: key,
      LOOKUP_KEYS: `l1:${Buffer.alloc(32, 2).toString('base64')}`,
    };
    expect(() => loadConfig({ ...base, SHOPIFY_API_SECRET: DEV_DEFAULTS.SHOPIFY_API_SECRET })).toThrow(/dev default/);
    expect(() => loadConfig({ ...base, SHOPIFY_API_SECRET: REAL_SECRET, SHOPIFY_ADMIN_API_ORIGIN: 'http://127.0.0.1:3000' })).toThrow(
      /SHOPIFY_ADMIN_API_ORIGIN/,
    );
    expect(loadConfig({ ...base, SHOPIFY_API_SECRET: REAL_SECRET })).toMatchObject({ mode: 'production', adminApiOrigin: undefined });
    expect(() => loadConfig({ ...base, SHOPIFY_API_SECRET: REAL_SECRET, LOOKUP_KEYS: DEV_DEFAULTS.LOOKUP_KEYS })).toThrow(/LOOKUP_KEYS: the dev default/);
  });

  it('refuses a client secret shorter than 32 characters in production, and takes one of 32', () => {
    const base = {
      MODE: 'production',
      SHOPIFY_API_KEY: 'k',
      SHOPIFY_APP_URL: 'https://app.example.com',
      ENCRYPTION_KEYS: key,
      LOOKUP_KEYS: `l1:${Buffer.alloc(32, 2).toString('base64')}`,
    };
    for (const secret of ['real', 'x'.repeat(31), ` ${'x'.repeat(30)} `]) {
      expect(() => loadConfig({ ...base, SHOPIFY_API_SECRET: secret })).toThrow(/SHOPIFY_API_SECRET: .*32 characters/);
    }
    expect(loadConfig({ ...base, SHOPIFY_API_SECRET: 'x'.repeat(32) }).apiSecret).toBe('x'.repeat(32));
    // Local mode keeps its short dev default.
    expect(loadConfig({}).apiSecret).toBe(DEV_DEFAULTS.SHOPIFY_API_SECRET);
  });

  it('gives a clear message per bad value', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ ENCRYPTION_KEYS: 'k1:short' })).toThrow(/32 bytes/);
    expect(() => loadConfig({ LOOKUP_KEYS: 'l1:short' })).toThrow(/LOOKUP_KEYS/);
    expect(() => loadConfig({ LOOKUP_KEYS: `legacy:${Buffer.alloc(32, 2).toString('base64')}` })).toThrow(/LOOKUP_KEYS/);
    expect(() => loadConfig({ SHOPIFY_DEV_SHOP: 'example.com' })).toThrow(/myshopify/);
  });
});
