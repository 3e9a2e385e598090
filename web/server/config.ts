import * as z from 'zod';
import { type Keyring, parseKeyring } from './storage/keyring.js';
import { parseLookupKeys } from './storage/lookup-keys.js';
import { SHOP_DOMAIN } from './core/shop-domain.js';

/**
 * Configuration, parsed once at start-up. Local mode fills in documented dev defaults so `npm start` works with no
 * account and no network; production mode refuses to start without real values, naming each bad variable.
 */
export const DEV_DEFAULTS = {
  SHOPIFY_API_KEY: 'contact-capture-dev-key',
  SHOPIFY_API_SECRET: 'contact-capture-dev-secret',
  SHOPIFY_DEV_SHOP: 'contact-capture-dev.myshopify.com',
  SHOPIFY_DEV_ACCESS_TOKEN: 'shpat_contact_capture_dev_token',
  // A fixed key is fine for a local database of test data; production refuses to start with it.
  ENCRYPTION_KEYS: `dev:${Buffer.alloc(32, 7).toString('base64')}`,
  LOOKUP_KEYS: `dev:${Buffer.alloc(32, 9).toString('base64')}`,
} as const;

const shopDomain = z.string().regex(SHOP_DOMAIN, 'must be a *.myshopify.com domain');
const keyringSpec = z.string().refine((v) => {
  try {
    parseKeyring(v);
    return true;
  } catch {
    return false;
  }
}, 'must be <id>:<32 bytes base64>, comma-separated, the current key first (e.g. k2:$(openssl rand -base64 32),k1:...)');
const lookupKeysSpec = z.string().refine((v) => {
  try {
    parseLookupKeys(v);
    return true;
  } catch {
    return false;
  }
}, 'must be <id>:<32+ bytes base64>, comma-separated, the current key first (e.g. l2:$(openssl rand -base64 32),l1:...)');

const envSchema = z.object({
  NODE_ENV: z.string().optional(),
  MODE: z.enum(['local', 'production']).default('local'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  SHOPIFY_API_KEY: z.string().min(1).optional(),
  SHOPIFY_API_SECRET: z.string().min(1).optional(),
  SHOPIFY_APP_URL: z.url().optional(),
  DATABASE_URL: z.string().optional(),
  SHOPIFY_ADMIN_API_ORIGIN: z.url().optional(),
  SHOPIFY_DEV_SHOP: shopDomain.optional(),
  SHOPIFY_DEV_ACCESS_TOKEN: z.string().min(1).optional(),
  ENCRYPTION_KEYS: keyringSpec.optional(),
  LOOKUP_KEYS: lookupKeysSpec.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SYNC_POLL_MS: z.coerce.number().int().min(10).default(500),
  SHOPIFY_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(50).default(10_000),
  SYNC_RETRY_BASE_MS: z.coerce.number().int().min(1).default(1000),
  SYNC_WORKER: z.enum(['on', 'off']).default('on'),
  SYNC_LEASE_MS: z.coerce.number().int().min(500).default(60_000),
  RATE_LIMIT_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  RATE_LIMIT_PER_SHOP_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  CLIENT_IP_HEADER: z.string().min(1).default('x-forwarded-for'),
  CLIENT_IP_HOPS: z.coerce.number().int().min(1).max(10).default(1),
  SPAM_MIN_FILL_MS: z.coerce.number().int().min(0).default(2000),
  TURNSTILE_SECRET_KEY: z.string().min(1).optional(),
  TURNSTILE_VERIFY_URL: z.url().default('https://challenges.cloudflare.com/turnstile/v0/siteverify'),
  SYNC_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  DATA_REQUEST_PACKAGE_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  METRICS_TOKEN: z.string().min(24, 'at least 24 characters (e.g. openssl rand -hex 24)').regex(/^\S+$/, 'no spaces (a bearer token is one word)').optional(),
  MAX_CUSTOM_DEFINITIONS_PER_SHOP: z.coerce.number().int().min(0).max(250).default(20),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'must be smtp://[user:pass@]host[:port] or smtps://... (URL-encode special characters)')
    .optional(),
  MAIL_TIMEOUT_MS: z.coerce.number().int().min(100).default(20_000),
  MAIL_RETRY_BASE_MS: z.coerce.number().int().min(1).default(30_000),
  MAIL_SEND_BUDGET_MS: z.coerce.number().int().min(500).default(120_000),
});

export interface Config {
  mode: 'local' | 'production';
  port: number;
  host: string;
  apiKey: string;
  apiSecret: string;
  appUrl: string;
  databaseUrl: string;
  /** Where Admin API calls go; undefined means https://{shop} as in production. */
  adminApiOrigin: string | undefined;
  devShop: string;
  devAccessToken: string;
  /** Encrypts shop tokens and shoppers' personal fields at rest; the first key is current. */
  keyring: Keyring;
  /** Keys of the lookup hashes, search terms and rate counters (storage/lookup-keys.ts); the first is current. */
  lookupKeys: string;
  logLevel: string;
  syncPollMs: number;
  shopifyRequestTimeoutMs: number;
  /** First retry delay of a failed sync; doubles per attempt, with jitter. */
  syncRetryBaseMs: number;
  /** `off` runs an intake-only instance; another instance (or a later start) drains the outbox. */
  syncWorker: boolean;
  /** How long a claimed job stays claimed; a crashed worker's job is taken again after this. */
  syncLeaseMs: number;
  /** Jobs handled at once by one process; never more than one per shop, so each shop's pacing holds. */
  syncConcurrency: number;
  rateLimits: { perIpPerMinute: number; perShopPerMinute: number };
  clientIp: { header: string; hops: number };
  spam: { minFillMs: number; maxLinks: number };
  turnstile: { secret: string; verifyUrl: string; timeoutMs: number } | undefined;
  /** Days a data-request package is kept after the owner first downloads it. */
  dataRequestPackageDays: number;
  /** Bearer token /metrics asks for; without one, /metrics is open in local mode and absent in production. */
  metricsToken: string | undefined;
  /** Customer metafield definitions the app may create per shop for merchants' custom fields (its own keys aside). */
  maxCustomDefinitions: number;
  /** E-mail (mail/README.md): SMTP_URL; without it mail waits in the outbox and the workspace says so. */
  mail: { smtpUrl: string | undefined; timeoutMs: number; retryBaseMs: number; sendBudgetMs: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const local = e.MODE === 'local';
  if (!local) {
    const missing = (['SHOPIFY_API_KEY', 'SHOPIFY_API_SECRET', 'SHOPIFY_APP_URL', 'ENCRYPTION_KEYS', 'LOOKUP_KEYS'] as const)
      .filter((name) => !e[name])
      .map((name) => `${name}: required in production mode`);
    if (e.SHOPIFY_API_SECRET === DEV_DEFAULTS.SHOPIFY_API_SECRET) missing.push('SHOPIFY_API_SECRET: the dev default is not a secret');
    // Shopify's client secrets are 32 hex characters and up; a shorter one is a typo or a placeholder, and it keys
    // every signature the app checks. Surrounding spaces (a paste slip) do not count.
    else if (e.SHOPIFY_API_SECRET && e.SHOPIFY_API_SECRET.trim().length < 32)
      missing.push("SHOPIFY_API_SECRET: must be the app's client secret, at least 32 characters");
    if (e.ENCRYPTION_KEYS === DEV_DEFAULTS.ENCRYPTION_KEYS) missing.push('ENCRYPTION_KEYS: the dev default is not a secret');
    if (e.LOOKUP_KEYS === DEV_DEFAULTS.LOOKUP_KEYS) missing.push('LOOKUP_KEYS: the dev default is not a secret');
    if (e.SHOPIFY_ADMIN_API_ORIGIN) missing.push('SHOPIFY_ADMIN_API_ORIGIN: the emulator override is for local mode and tests only');
    if (missing.length) throw new ConfigError(missing);
  }
  const port = e.PORT;
  return {
    mode: e.MODE,
    port,
    host: e.HOST,
    apiKey: e.SHOPIFY_API_KEY ?? DEV_DEFAULTS.SHOPIFY_API_KEY,
    apiSecret: e.SHOPIFY_API_SECRET ?? DEV_DEFAULTS.SHOPIFY_API_SECRET,
    appUrl: e.SHOPIFY_APP_URL ?? `http://localhost:${port}`,
    databaseUrl: e.DATABASE_URL ?? 'sqlite:./data/contact-capture.sqlite',
    adminApiOrigin: e.SHOPIFY_ADMIN_API_ORIGIN ?? (local ? `http://127.0.0.1:${port}` : undefined),
    devShop: e.SHOPIFY_DEV_SHOP ?? DEV_DEFAULTS.SHOPIFY_DEV_SHOP,
    devAccessToken: e.SHOPIFY_DEV_ACCESS_TOKEN ?? DEV_DEFAULTS.SHOPIFY_DEV_ACCESS_TOKEN,
    keyring: parseKeyring(e.ENCRYPTION_KEYS ?? DEV_DEFAULTS.ENCRYPTION_KEYS),
    lookupKeys: e.LOOKUP_KEYS ?? DEV_DEFAULTS.LOOKUP_KEYS,
    logLevel: e.LOG_LEVEL,
    syncPollMs: e.SYNC_POLL_MS,
    shopifyRequestTimeoutMs: e.SHOPIFY_REQUEST_TIMEOUT_MS,
    syncRetryBaseMs: e.SYNC_RETRY_BASE_MS,
    syncWorker: e.SYNC_WORKER === 'on',
    syncLeaseMs: e.SYNC_LEASE_MS,
    syncConcurrency: e.SYNC_CONCURRENCY,
    rateLimits: { perIpPerMinute: e.RATE_LIMIT_PER_IP_PER_MINUTE, perShopPerMinute: e.RATE_LIMIT_PER_SHOP_PER_MINUTE },
    clientIp: { header: e.CLIENT_IP_HEADER.toLowerCase(), hops: e.CLIENT_IP_HOPS },
    spam: { minFillMs: e.SPAM_MIN_FILL_MS, maxLinks: 3 },
    turnstile: e.TURNSTILE_SECRET_KEY ? { secret: e.TURNSTILE_SECRET_KEY, verifyUrl: e.TURNSTILE_VERIFY_URL, timeoutMs: 5000 } : undefined,
    dataRequestPackageDays: e.DATA_REQUEST_PACKAGE_DAYS,
    metricsToken: e.METRICS_TOKEN,
    maxCustomDefinitions: e.MAX_CUSTOM_DEFINITIONS_PER_SHOP,
    mail: {
      smtpUrl: e.SMTP_URL,
      timeoutMs: e.MAIL_TIMEOUT_MS,
      retryBaseMs: e.MAIL_RETRY_BASE_MS,
      // One worker's send must end (the mailer's three timeouts) before another may take the message again.
      sendBudgetMs: Math.max(e.MAIL_SEND_BUDGET_MS, 3 * e.MAIL_TIMEOUT_MS + 1000),
    },
  };
}
