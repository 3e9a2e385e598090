import { Hono } from 'hono';
import { baseSecurityHeaders } from './http/security-headers.js';
import type { Logger } from 'pino';
import { adminPageRoutes } from './admin/page.js';
import { defineStandardMetafields } from './shopify/metafield-definitions.js';
import { checkoutRoutes } from './checkout/routes.js';
import { DEFAULT_CHECKOUT_LIMITS } from './checkout/limits.js';
import { adminApiRoutes } from './admin/routes.js';
import type { Config } from './config.js';
import { createHttpApp } from './http/app.js';
import { bearerMatches, createMetrics } from './http/metrics.js';
import { notFound, unauthorized } from './http/errors.js';
import { loadTranslator } from './leads/i18n.js';
import { LeadIntake } from './leads/intake.js';
import { createLogger, errorForLog, withSafeErrors } from './logger.js';
import { proxyRoutes } from './proxy/routes.js';
import { createAdminClient } from './shopify/admin-client.js';
import { publishFormKey } from './shopify/form-key-publisher.js';
import { customerEmailLookup } from './shopify/customer-email.js';
import { shopTokens } from './shopify/shops.js';
import { createShopifyApi } from './shopify/shopify-api.js';
import { SyncWorker } from './shopify/sync-worker.js';
import { exchangeForOfflineToken, identifyStaffUser } from './shopify/token-exchange.js';
import { type Storage, openStorage } from './storage/database.js';
import { webhookRoutes } from './webhooks/routes.js';
import { ComplianceRequestFailed, processNextComplianceRequest, purgeDeliveredPackages } from './privacy/compliance.js';
import { purgeExpiredLeads } from './privacy/retention.js';
import { newReencryptCursor, reencryptBatch } from './privacy/key-rotation.js';
import { lookupKeyring } from './storage/lookup-keys.js';
import { indexPendingLeads, rehashBatch } from './leads/lead-terms.js';
import { nowIso } from './leads/ids.js';
import { RateCounters, deleteExpiredCounters } from './leads/rate-limit.js';

export interface Runtime {
  app: Hono;
  /** Keyed hash used to look up encrypted emails and phones. */
  lookupHash: (value: string) => string;
  /** The storefront's rate counters; flushed to the database every second and at close(). */
  counters: RateCounters;
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
  const log = options.log ? withSafeErrors(options.log) : createLogger(config.logLevel);
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
  const lookupKeys = lookupKeyring(config.lookupKeys, config.apiSecret);
  const lookupHash = lookupKeys.lookup;
  const termHash = lookupKeys.term;
  const currentHashes = { keyId: lookupKeys.currentId, lookup: lookupHash, term: termHash };
  const startedAt = nowIso();
  let rehashing = true;
  // Sweeps that need not run on every poll.
  const atMostEveryMinute = (work: () => Promise<void>) => {
    let last = 0;
    return async () => {
      if (Date.now() - last < 60_000) return;
      last = Date.now();
      await work();
    };
  };
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
    lookupRehash: async () => {
      if (!rehashing) return;
      const rehashed = await rehashBatch(db, storage.engine, currentHashes, startedAt);
      if (rehashed) log.info({ rows: rehashed, key: lookupKeys.currentId }, 'lookup hashes rewritten under the current lookup key');
      else {
        rehashing = false;
        lookupKeys.retireLegacy();
        log.info({ key: lookupKeys.currentId }, 'lookup rehash done: keys other than the current one can be removed from LOOKUP_KEYS');
      }
    },
    // Rate counters are kept for their window only (the privacy notice promises two minutes at most).
    rateCounters: atMostEveryMinute(async () => {
      await deleteExpiredCounters(db, Date.now());
    }),
    retention: atMostEveryMinute(async () => {
      for (const { shop, erased } of await purgeExpiredLeads(db)) if (erased) log.info({ shop, erased }, 'retention: expired leads erased');
      const packages = await purgeDeliveredPackages(db, config.dataRequestPackageDays);
      if (packages) log.info({ packages }, 'delivered data-request packages deleted');
    }),
  };
  const worker = new SyncWorker({
    indexer: () => indexPendingLeads(db, storage.engine, currentHashes),
    duties, db, engine: storage.engine, client, tokens, log, pollMs: config.syncPollMs, retryBaseMs: config.syncRetryBaseMs, concurrency: config.syncConcurrency, leaseMs: config.syncLeaseMs, onCost: (points) => metrics.shopifyCost.inc(points), onOutcome: (outcome) => metrics.sync.inc({ outcome }), maxCustomDefinitions: config.maxCustomDefinitions });

  const app = createHttpApp(log);
  app.use('*', baseSecurityHeaders);
  app.use('/proxy/*', async (c, next) => {
    await next();
    metrics.intake.inc({ outcome: String(c.res.status) });
  });
  // Storefront rate limits count in memory and merge with the database every second (leads/rate-limit.ts).
  const counters = new RateCounters(db, { onError: (error) => log.warn({ err: errorForLog(error) }, 'rate counters not flushed; kept for the next flush') });
  counters.start();
  const intake = new LeadIntake(db, lookupHash, config.rateLimits, Date.now, counters);
  let warnedUnknownIp = false;
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
      counterHash: lookupKeys.counter,
      counters,
      rateLimits: config.rateLimits,
      onUnknownClientIp: () => {
        if (warnedUnknownIp) return;
        warnedUnknownIp = true;
        log.warn({ header: config.clientIp.header, hops: config.clientIp.hops }, 'a request came without a trusted client address: check CLIENT_IP_HEADER and CLIENT_IP_HOPS; such requests share one per-IP limit');
      },
      turnstile: config.turnstile,
      onLeadQueued: () => worker.nudge(),
      customerEmail: customerEmailLookup(client, tokens),
    }),
  );
  app.route('/webhooks', webhookRoutes({ db, shopify, tokens, lookupHash, intake, onComplianceRequest: () => worker.nudge(), onLeadQueued: () => worker.nudge() }));
  app.route(
    '/checkout',
    checkoutRoutes({
      shopify,
      intake,
      db,
      admin: async (shop) => {
        const token = await tokens.get(shop);
        return token ? (query, variables) => client.request(shop, token, query, variables) : null;
      },
      limits: { perTokenPerMinute: DEFAULT_CHECKOUT_LIMITS.perTokenPerMinute, perShopPerMinute: config.rateLimits.perShopPerMinute },
      onLeadQueued: () => worker.nudge(),
    }),
  );
  const exchangeOptions = { apiKey: config.apiKey, apiSecret: config.apiSecret, origin: config.adminApiOrigin, timeoutMs: config.shopifyRequestTimeoutMs };
  app.route(
    '/api',
    adminApiRoutes({
      db,
      shopify,
      onLeadQueued: () => worker.nudge(),
      maxCustomDefinitions: config.maxCustomDefinitions,
      hashes: { lookup: lookupHash, term: termHash },
      identifyStaff: (session) => identifyStaffUser(exchangeOptions, session.shop, session.token),
      ensureInstalled: async (session) => {
        if (await tokens.get(session.shop)) return;
        const { accessToken, scope } = await exchangeForOfflineToken(exchangeOptions, session.shop, session.token);
        await tokens.save(session.shop, accessToken, scope);
        await publishFormKey(client, session.shop, accessToken, config.apiSecret);
        // Best effort: a definition that fails now is made on the first sync that needs it.
        await defineStandardMetafields(db, client, session.shop, accessToken).catch((error: unknown) => log.warn({ shop: session.shop, err: error }, 'metafield definitions deferred to the first sync'));
      },
    }),
  );
  app.route('/app', adminPageRoutes({ apiKey: config.apiKey, local: config.mode === 'local' }));
  app.get('/healthz', async (c) => {
    await db.selectFrom('shops').select('shop').limit(1).execute();
    return c.json({ ok: true, mode: config.mode, database: storage.engine });
  });
  // Metrics name shops and their backlog: a production scrape must present METRICS_TOKEN, and without one the route
  // does not exist there. Local mode keeps it open for a look during development.
  app.get('/metrics', async (c) => {
    if (config.metricsToken) {
      if (!bearerMatches(c.req.header('authorization'), config.metricsToken)) throw unauthorized('invalid_metrics_token');
    } else if (config.mode !== 'local') throw notFound();
    return c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
  });

  const runtime = { app, worker, storage, log, config, lookupHash, counters };
  if (config.mode === 'local' && options.mountDev) await options.mountDev(runtime, { translator, tokens });
  return {
    ...runtime,
    async close() {
      await intake.flush();
      await counters.stop().catch((error: unknown) => log.warn({ err: errorForLog(error) }, 'rate counters not flushed at shutdown'));
      await worker.stop();
      await storage.close();
    },
  };
}
