import { Hono } from 'hono';
import { baseSecurityHeaders } from './http/security-headers.js';
import type { Logger } from 'pino';
import { workspacePageRoutes } from './routes/workspace/page.js';
import { checkoutRoutes } from './routes/checkout/routes.js';
import { DEFAULT_ACCOUNT_LIMITS, accountRoutes } from './routes/account/routes.js';
import { DEFAULT_CHECKOUT_LIMITS } from './routes/checkout/limits.js';
import { workspaceApiRoutes } from './routes/workspace/routes.js';
import type { Config } from './config.js';
import { createHttpApp } from './http/app.js';
import { bearerMatches, createMetrics } from './http/metrics.js';
import { notFound, unauthorized } from './http/errors.js';
import { loadTranslator } from './core/i18n.js';
import { type ConfirmLinkMaker, LeadIntake } from './leads/intake.js';
import { signConfirmLink } from './core/confirm-link.js';
import { createLogger, errorForLog, withSafeErrors } from './core/logger.js';
import { RateCounters } from './leads/rate-limit.js';
import { proxyRoutes } from './routes/proxy/routes.js';
import { createAdminClient } from './shopify/admin-client.js';
import { customerEmailLookup } from './shopify/customer-email.js';
import { customerAccountsLookup } from './shopify/customer-accounts.js';
import { themeSetupLookup } from './shopify/theme-setup.js';
import { shopTokens } from './shopify/shops.js';
import { createShopifyApi } from './shopify/shopify-api.js';
import { SyncWorker } from './jobs/sync-worker.js';
import { identifyStaffUser } from './shopify/token-exchange.js';
import { housekeeping } from './jobs/housekeeping.js';
import { fileSweep } from './jobs/file-sweep.js';
import { installer } from './jobs/install.js';
import { leadQueued } from './outbox/lead-queued.js';
import { type Storage, openStorage } from './storage/database.js';
import { webhookRoutes } from './routes/webhooks/routes.js';
import { flowRoutes } from './routes/flow/routes.js';
import { lookupKeyring } from './storage/lookup-keys.js';
import { MailWorker } from './jobs/mail-worker.js';
import { JobLoop } from './jobs/job-loop.js';
import { createMailer } from './mail/transport.js';

export interface Runtime {
  app: Hono;
  /** Keyed hash used to look up encrypted emails and phones. */
  lookupHash: (value: string) => string;
  /** The storefront's rate counters; flushed to the database every second and at close(). */
  counters: RateCounters;
  worker: SyncWorker;
  /** Sends the outbox's e-mails (jobs/mail-worker.ts). */
  mailWorker: MailWorker;
  /** The one polling loop: the sync's and the mail's jobs and the housekeeping duties (jobs/job-loop.ts). */
  jobs: JobLoop;
  storage: Storage;
  log: Logger;
  config: Config;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  log?: Logger;
  /** Local mode mounts its dev parts (storefront preview, proxy and Admin API emulators) through this hook. */
  mountDev?: (runtime: Omit<Runtime, 'close'>, parts: DevParts) => Promise<void>;
  /** Local mode: the path of the dev parts' stand-in for App Bridge, which the workspace page loads instead of Shopify's. */
  appBridgeStandIn?: string;
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
  const adminCall = async (shop: string) => {
    const token = await tokens.get(shop);
    return token ? <T>(query: string, variables: Record<string, unknown>) => client.request<T>(shop, token, query, variables) : null;
  };
  const chores = housekeeping({ db, engine: storage.engine, keyring: config.keyring, lookupKeys, log, dataRequestPackageDays: config.dataRequestPackageDays });
  const worker = new SyncWorker({
    indexer: chores.indexer,
    db,
    engine: storage.engine,
    client,
    tokens,
    log,
    retryBaseMs: config.syncRetryBaseMs,
    concurrency: config.syncConcurrency,
    leaseMs: config.syncLeaseMs,
    onCost: (points) => metrics.shopifyCost.inc(points),
    onOutcome: (outcome) => metrics.sync.inc({ outcome }),
    maxCustomDefinitions: config.maxCustomDefinitions,
    // Flow triggers link to the lead in the workspace: inside the shop's admin, or the local workspace in local mode.
    workspaceLink: (shop, leadId) =>
      config.mode === 'local'
        ? `${config.appUrl}/app?lead=${encodeURIComponent(leadId)}`
        : `https://admin.shopify.com/store/${shop.replace(/\.myshopify\.com$/, '')}/apps/contact-capture?lead=${encodeURIComponent(leadId)}`,
  });
  // Staff open a lead from a notification: locally the workspace page; in production the app inside the shop's admin.
  const workspaceLink = (shop: string, leadId: string) =>
    config.mode === 'local'
      ? `${config.appUrl}/app?lead=${encodeURIComponent(leadId)}`
      : `https://${shop}/admin/apps/${encodeURIComponent(config.apiKey)}/app?lead=${encodeURIComponent(leadId)}`;
  const mailer = config.mail.smtpUrl ? createMailer({ smtpUrl: config.mail.smtpUrl, timeoutMs: config.mail.timeoutMs }) : null;
  if (!mailer && config.mode === 'production') log.warn('SMTP_URL is not set: e-mails wait in the outbox until it is');
  const mailWorker = new MailWorker({
    db,
    engine: storage.engine,
    mailer,
    log,
    leaseMs: config.syncLeaseMs,
    retryBaseMs: config.mail.retryBaseMs,
    sendBudgetMs: config.mail.sendBudgetMs,
    workspaceLink,
    onOutcome: (outcome) => metrics.mail.inc({ outcome }),
  });
  // One polling loop serves the sync, the mail and the housekeeping duties (jobs/job-loop.ts), each lane with its own room.
  const jobs = new JobLoop({
    db,
    engine: storage.engine,
    log,
    pollMs: config.syncPollMs,
    leaseMs: config.syncLeaseMs,
    retryBaseMs: config.syncRetryBaseMs,
    indexer: chores.indexer,
    duties: { ...chores.duties, attachments: fileSweep({ db, admin: adminCall, log }) },
    lanes: [worker.lane(), mailWorker.lane()],
  });
  // Every committed outbox job wakes the loop at once instead of at its next poll (outbox/outbox.ts).
  const stopWaking = leadQueued.subscribe(() => jobs.nudge());

  const app = createHttpApp(log);
  app.use('*', baseSecurityHeaders);
  app.use('/proxy/*', async (c, next) => {
    await next();
    metrics.intake.inc({ outcome: String(c.res.status) });
  });
  // Storefront rate limits count in memory and merge with the database every second (leads/rate-limit.ts).
  const counters = new RateCounters(db, { onError: (error) => log.warn({ err: errorForLog(error) }, 'rate counters not flushed; kept for the next flush') });
  counters.start();
  // Double opt-in links go through the shop's app proxy (the local proxy emulator in local mode), signed by the app.
  const confirmLink: ConfirmLinkMaker = (shop, leadId, expires) => {
    const link = signConfirmLink(config.apiSecret, shop, leadId, expires);
    const origin = config.mode === 'local' ? config.appUrl : `https://${shop}`;
    return `${origin}/apps/contact-capture/confirm?${new URLSearchParams({ l: link.lead, e: String(link.expires), s: link.sig })}`;
  };
  // PostgreSQL writes a few group-commit batches at once on its pool (leads/intake.ts); SQLite's one connection, one.
  const intake = new LeadIntake(db, lookupHash, config.rateLimits, Date.now, counters, { confirmLink, workspaceLink }, storage.engine === 'postgres' ? 3 : 1);
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
        log.warn(
          { header: config.clientIp.header, hops: config.clientIp.hops },
          'a request came without a trusted client address: check CLIENT_IP_HEADER and CLIENT_IP_HOPS; such requests share one per-IP limit',
        );
      },
      turnstile: config.turnstile,
      customerEmail: customerEmailLookup(client, tokens),
      customerAccounts: customerAccountsLookup(client, tokens),
      confirmLink,
      uploads: { admin: adminCall, fetchTimeoutMs: config.shopifyRequestTimeoutMs },
    }),
  );
  app.route('/webhooks', webhookRoutes({ db, shopify, tokens, lookupHash, intake, onComplianceRequest: () => jobs.nudge() }));
  app.route('/flow', flowRoutes({ db, shopify }));
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
    }),
  );
  app.route(
    '/account',
    accountRoutes({
      shopify,
      db,
      apiSecret: config.apiSecret,
      hashes: { lookup: lookupHash, term: termHash },
      customerEmail: customerEmailLookup(client, tokens),
      limits: { perCustomerPerMinute: DEFAULT_ACCOUNT_LIMITS.perCustomerPerMinute, perShopPerMinute: config.rateLimits.perShopPerMinute },
    }),
  );
  const exchangeOptions = { apiKey: config.apiKey, apiSecret: config.apiSecret, origin: config.adminApiOrigin, timeoutMs: config.shopifyRequestTimeoutMs };
  app.route(
    '/api',
    workspaceApiRoutes({
      db,
      shopify,
      maxCustomDefinitions: config.maxCustomDefinitions,
      setup: { clientId: config.apiKey, themeSetup: themeSetupLookup(client, tokens) },
      smtpConfigured: Boolean(config.mail.smtpUrl),
      confirmLink,
      hashes: { lookup: lookupHash, term: termHash },
      identifyStaff: (session) => identifyStaffUser(exchangeOptions, session.shop, session.token),
      ensureInstalled: installer({ db, client, tokens, exchange: exchangeOptions, apiSecret: config.apiSecret, log }),
    }),
  );
  app.route(
    '/app',
    workspacePageRoutes({
      apiKey: config.apiKey,
      local: config.mode === 'local',
      appBridgeStandIn: config.mode === 'local' ? options.appBridgeStandIn : undefined,
    }),
  );
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

  const runtime = { app, worker, mailWorker, jobs, storage, log, config, lookupHash, counters };
  if (config.mode === 'local' && options.mountDev) await options.mountDev(runtime, { translator, tokens });
  return {
    ...runtime,
    async close() {
      await intake.flush();
      await counters.stop().catch((error: unknown) => log.warn({ err: errorForLog(error) }, 'rate counters not flushed at shutdown'));
      stopWaking();
      await jobs.stop();
      mailer?.close();
      await storage.close();
    },
  };
}
