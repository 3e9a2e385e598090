import { brotliDecompressSync } from 'node:zlib';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../web/server/config.js';
import { createRuntime } from '../web/server/root.js';
import { mountLocal } from './local.js';

describe('storefront preview', () => {
  let runtime: Awaited<ReturnType<typeof createRuntime>>;
  beforeAll(async () => {
    const config = loadConfig({ MODE: 'local', PORT: '0', DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'silent' });
    runtime = await createRuntime(config, { log: pino({ level: 'silent' }), mountDev: mountLocal() });
  });
  afterAll(() => runtime.close());

  // The paint figures of bench:storefront count the bytes a browser downloads; Shopify compresses pages and assets.
  it.each(['/', '/extensions/contact-form/assets/contact-form-ui.js'])(
    'sends %s brotli-compressed to a browser that accepts it, as Shopify does',
    async (path) => {
      const plain = await runtime.app.request(path);
      const packed = await runtime.app.request(path, { headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
      expect(plain.headers.get('content-encoding')).toBeNull();
      expect(packed.headers.get('content-encoding')).toBe('br');
      expect(packed.headers.get('vary')).toBe('accept-encoding');
      const body = Buffer.from(await packed.arrayBuffer());
      const text = await plain.text();
      expect(body.length).toBeLessThan(Buffer.byteLength(text) / 2);
      // The page is made per request (fresh idempotency keys and times): compare what does not change.
      const unpacked = brotliDecompressSync(body).toString();
      expect(unpacked.length).toBeGreaterThan(Buffer.byteLength(text) * 0.95);
      expect(unpacked.slice(0, 200)).toBe(text.slice(0, 200));
    },
  );
});
