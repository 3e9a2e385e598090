import { Hono } from 'hono';
import { baseSecurityHeaders } from './http/security-headers.js';
import type { Logger } from 'pino';
import { adminPageRoutes } from './admin/page.js';
import { defineStandardMetafields } from './shopify/metafield-definitions.js';
import { checkoutRoutes } from './checkout/routes.js';
import { adminApiRoutes } from './admin/routes.js';
import type { Config } from './config.js';
import { createHttpApp } from './http/app.js';
import { createMetrics } from './http/metrics.js';
import { loadTranslator } from './leads/i18n.js';
import { LeadIntake } from './leads/intake.js';
import { createLogger, errorForLog } from './logger.js';
import { proxyRoutes } from './proxy/routes.js';
import { createAdminClient } from './shopify/admin-client.js';
import { publishFormKey } from './shopify/form-key-publisher.js';
import { shopTokens } from './shopify/shops.js';
import { createShopifyApi } from './shopify/shopify-api.js';
import { SyncWorker } from './shopify/sync-worker.js';
import { exchangeForOfflineToken, identifyStaffUser } from './shopify/token-exchange.js';
import { type Storage, openStorage } from './storage/database.js';
import { webhookRoutes } from './webhooks/routes.js';
import { ComplianceRequestFailed, processNextComplianceRequest } from './privacy/compliance.js';
import { purgeExpiredLeads } from './privacy/retention.js';
import { newReencryptCursor, reencryptBatch } from './privacy/key-rotation.js';
import { lookupHasher } from './storage/keyring.js';
import { termHasher } from './leads/search-terms.js';
import { indexPendingLeads } from './leads/lead-terms.js';

export interface Runtime {
  app: Hono;
  /** Keyed hash used to look up encrypted emails and phones. */
  lookupHash: (value: string) => string;
  worker: SyncWorker;
  storage: Storage;
  log: Logger;
  config: Config;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  log?: Logger;
  /** Local mode mounts its dev parts (storefront preview, proxy and Admin API emulators) through this hook. */
  mountDev?: (runtime: Omit<Runtime, 'close'>, parts: DevParts) => Promise<void>;
}

export interface DevParts {
  translator: ReturnType<typeof loadTranslator>;
  tokens: ReturnType<typeof shopTokens>;
}

/** The composition root: configuration, storage, clients and routes are wired here and nowhere else. */
export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const log = options.log ?? createLogger(config.logLevel);
  // A stored value that does not open is shown as unreadable; the log says where (table, column, row id), never what.
  const storage = await openStorage(config.databaseUrl, config.keyring, (cells) =>
    log.warn({ unreadable: cells.slice(0, 50), count: cells.length }, 'stored values could not be decrypted; shown as unreadable'),
  );
  const { db } = storage;
  const shopify = createShopifyApi({ apiKey: config.apiKey, apiSecret: config.apiSecret, appUrl: config.appUrl });
  const translator = loadTranslator();
  const tokens = shopTokens(db, config.keyring);
  const metrics = createMetrics(db);
  const client = createAdminClient({ origin: config.adminApiOrigin, timeoutMs: config.shopifyRequestTimeoutMs });
  const lookupHash = lookupHasher(config.apiSecret);
  let lastPurge = 0;
  // Keys only change at start-up, so re-encryption runs until a pass finds nothing left, then no longer scans.
  const rotation = newReencryptCursor();
  const failingRequests = new Map<string, { failures: number; retryAt: number }>();
  // Each duty fails on its own (sync-worker.ts): a compliance request that throws does not stop retention, etc.
  const duties = {
    compliance: async () => {
      // A request that fails is retried after its own backoff; the ones behind it, of any shop, go on now.
      const now = Date.now();
      const skip = [...failingRequests].filter(([, f]) => f.retryAt > now).map(([id]) => id);
      for (;;) {
        try {
          if (!(await processNextComplianceRequest(db, storage.engine, lookupHash, Date.now, skip))) break;
          log.info('compliance request completed');
        } catch (error) {
          if (!(error instanceof ComplianceRequestFailed)) throw error;
          const failures = (failingRequests.get(error.requestId)?.failures ?? 0) + 1;
          const retryInMs = Math.min(3_600_000, 5_000 * 2 ** failures);
          failingRequests.set(error.requestId, { failures, retryAt: Date.now() + retryInMs });
          skip.push(error.requestId);
          log.error({ request: error.requestId, failures, retryInMs, error: errorForLog(error.cause) }, 'compliance request failed; the others go on');
        }
      }
    },
    reencryption: async () => {
      if (rotation.finished) return;
      const reencrypted = await reencryptBatch(db, config.keyring, lookupHash, 200, rotation);
      if (reencrypted) log.info({ rows: reencrypted, key: config.keyring.currentId }, 'rows re-encrypted under the current key');
    },
    retention: async () => {
      if (Date.now() - lastPurge < 60_000) return;
      lastPurge = Date.now();
      for (const { shop, erased } of await purgeExpiredLeads(db)) if (erased) log.info({ shop, erased }, 'retention: expired leads erased');
    },
  };
  const termHash = termHasher(config.apiSecret);
  const worker = new SyncWorker({
    indexer: () => indexPendingLeads(db, storage.engine, termHash),
    duties, db, engine: storage.engine, client, tokens, log, pollMs: config.syncPollMs, retryBaseMs: config.syncRetryBaseMs, concurrency: config.syncConcurrency, leaseMs: config.syncLeaseMs, onCost: (points) => metrics.shopifyCost.inc(points), onOutcome: (outcome) => metrics.sync.inc({ outcome }) });

  const app = createHttpApp(log);
  app.use('*', baseSecurityHeaders);
  app.use('/proxy/*', async (c, next) => {
    await next();
    metrics.intake.inc({ outcome: String(c.res.status) });
  });
  const intake = new LeadIntake(db, lookupHash, config.rateLimits);
  app.route(
    '/proxy',
    proxyRoutes({
      intake,
      db,
      lookupHash,
      termHash,
      apiSecret: config.apiSecret,
      translator,
      spam: config.spam,
      clientIp: config.clientIp,
      turnstile: config.turnstile,
      onLeadQueued: () => worker.nudge(),
    }),
  );
  app.route('/webhooks', webhookRoutes({ db, shopify, tokens, lookupHash, intake, onComplianceRequest: () => worker.nudge(), onLeadQueued: () => worker.nudge() }));
  app.route('/checkout', checkoutRoutes({ shopify, intake, onLeadQueued: () => worker.nudge() }));
  const exchangeOptions = { apiKey: config.apiKey, apiSecret: config.apiSecret, origin: config.adminApiOrigin, timeoutMs: config.shopifyRequestTimeoutMs };
  app.route(
    '/api',
    adminApiRoutes({
      db,
      shopify,
      onLeadQueued: () => worker.nudge(),
      hashes: { lookup: lookupHash, term: termHash },
      identifyStaff: (session) => identifyStaffUser(exchangeOptions, session.shop, session.token),
      ensureInstalled: async (session) => {
        if (await tokens.get(session.shop)) return;
        const { accessToken, scope } = await exchangeForOfflineToken(exchangeOptions, session.shop, session.token);
        await tokens.save(session.shop, accessToken, scope);
        await publishFormKey(client, session.shop, accessToken, config.apiSecret);
        // Best effort: a definition that fails now is made on the first sync that needs it.
        await defineStandardMetafields(db, client, session.shop, accessToken).catch((error: unknown) => log.warn({ shop: session.shop, err: String(error) }, 'metafield definitions deferred to the first sync'));
      },
    }),
  );
  app.route('/app', adminPageRoutes({ apiKey: config.apiKey, local: config.mode === 'local' }));
  app.get('/healthz', async (c) => {
    await db.selectFrom('shops').select('shop').limit(1).execute();
    return c.json({ ok: true, mode: config.mode, database: storage.engine });
  });
  app.get('/metrics', async (c) => c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }));

  const runtime = { app, worker, storage, log, config, lookupHash };
  if (config.mode === 'local' && options.mountDev) await options.mountDev(runtime, { translator, tokens });
  return {
    ...runtime,
    async close() {
      await intake.flush();
      await worker.stop();
      await storage.close();
    },
  };
}
