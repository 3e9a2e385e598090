import type { Shopify } from '@shopify/shopify-api';
import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import * as z from 'zod';
import type { AccountData } from '../../../../schema/account-api.js';
import { SINGLE_LINE } from '../../../../schema/rules.js';
import { HttpError, badRequest, notFound, unauthorized } from '../../http/errors.js';
import { readCapped, unreadIncoming } from '../../http/body.js';
import { countRequest, retryAfterSeconds } from '../../leads/rate-limit.js';
import type { TermHasher } from '../../leads/search-terms.js';
import { recordConsentChange } from '../../privacy/consent-ledger.js';
import { customerPackage, eraseCustomerData, packageCsv } from '../../privacy/compliance.js';
import type { CustomerEmailLookup } from '../../shopify/customer-email.js';
import { verifiedExtensionSession } from '../../shopify/session-claims.js';
import { addressColumn, answersColumn, parseJsonColumn, tagsColumn } from '../../storage/json-column.js';
import { transactionWithRetry } from '../../storage/row-locks.js';
import type { Database } from '../../storage/tables.js';
import { correctOwnLeads, parseOwnCorrection } from './correction.js';
import { type DownloadFormat, openDownload, signDownload } from './download-link.js';

export interface AccountDeps {
  shopify: Shopify;
  db: Kysely<Database>;
  apiSecret: string;
  hashes: { lookup: (value: string) => string; term: TermHasher };
  /** The customer's verified email as Shopify holds it: leads sent with it before signing in are theirs too. */
  customerEmail: CustomerEmailLookup;
  limits?: AccountLimits;
  clock?: () => number;
}

export interface AccountLimits {
  perCustomerPerMinute: number;
  perShopPerMinute: number;
}
export const DEFAULT_ACCOUNT_LIMITS: AccountLimits = { perCustomerPerMinute: 30, perShopPerMinute: 600 };

const MAX_BYTES = 8 * 1024;

type Customer = { shop: string; id: string; email: string | null };

const consentBody = z.strictObject({
  channel: z.enum(['email', 'sms', 'whatsapp']),
  state: z.enum(['SUBSCRIBED', 'UNSUBSCRIBED']),
  /** The wording the page showed next to the switch, in the customer's language. */
  text: z.string().min(1).max(2000).regex(SINGLE_LINE, 'no control characters').optional(),
});

/**
 * The customer account extension's backend ("My data", customer-account.page.render): what the app holds about the
 * signed-in customer, a download of it, corrections, erasure, and their own marketing-consent changes for the ledger.
 * The only credential is the extension's session token (HS256 with the app secret, `aud` = API key, checked by
 * @shopify/shopify-api): `dest` names the shop, `sub` the customer, and every query is bound to both. Nothing in the
 * body names a customer. The customer's leads are those tied to their id, and those sent with the verified email
 * Shopify holds for them (asked of the Admin API, never read from a lead), as on the app-proxy privacy page.
 */
export function accountRoutes(deps: AccountDeps) {
  const app = new Hono<{ Variables: { customer: Customer } }>();
  const clock = deps.clock ?? Date.now;
  const limits = deps.limits ?? DEFAULT_ACCOUNT_LIMITS;
  app.use('*', async (c, next) => {
    await next();
    // Extensions run in a sandbox with an opaque origin and no cookies: the bearer token is the only credential.
    c.res.headers.set('access-control-allow-origin', '*');
    c.res.headers.set('vary', 'origin');
    c.res.headers.set('cache-control', 'no-store');
  });
  app.options('*', (c) =>
    c.body(null, 204, {
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-max-age': '86400',
    }),
  );

  // The link itself is the proof (download-link.ts); it names its customer and is checked like a token.
  app.get('/download/:token', async (c) => {
    const link = openDownload(deps.apiSecret, c.req.param('token'), clock());
    if (!link) throw unauthorized('invalid_download_link');
    const who = await identify(link.shop, link.customerId);
    const pkg = {
      customer: { id: `gid://shopify/Customer/${who.id}` },
      generated_at: new Date(clock()).toISOString(),
      ...(await customerPackage(deps.db, who.shop, who, deps.hashes.lookup)),
    };
    const headers = { 'content-disposition': `attachment; filename="my-data.${link.format}"`, 'x-content-type-options': 'nosniff' };
    return link.format === 'csv'
      ? c.body(packageCsv(pkg), 200, { ...headers, 'content-type': 'text/csv; charset=utf-8' })
      : c.body(JSON.stringify(pkg, null, 2), 200, { ...headers, 'content-type': 'application/json; charset=utf-8' });
  });

  const identify = async (shop: string, id: string): Promise<Customer> => {
    const known = await deps.customerEmail(shop, id);
    // Showing or erasing only part of the customer's data would mislead them: wait until Shopify answers.
    if (!known.ok) throw new HttpError(503, 'shopify_unavailable', 'Shopify cannot tell who this customer is right now.', {}, { 'retry-after': '30' });
    return { shop, id, email: known.email };
  };

  app.use('*', async (c, next) => {
    const session = await verifiedExtensionSession(deps.shopify, c.req.header('authorization'), { customer: 'required' });
    const now = clock();
    const customerKey = `account-customer:${session.shop}:${session.customer.id}`;
    const shopKey = `account-shop:${session.shop}`;
    const counts = await countRequest(deps.db, [customerKey, shopKey], now);
    if ((counts.get(customerKey) ?? 0) > limits.perCustomerPerMinute || (counts.get(shopKey) ?? 0) > limits.perShopPerMinute)
      throw new HttpError(429, 'rate_limited', 'Too many requests from this account; try again later.', {}, { 'retry-after': String(retryAfterSeconds(now)) });
    c.set('customer', await identify(session.shop, session.customer.id));
    await next();
  });

  const jsonBody = async (request: Request, env: unknown): Promise<unknown> => {
    if (!(request.headers.get('content-type') ?? '').includes('application/json')) throw new HttpError(415, 'unsupported_content_type');
    try {
      return JSON.parse(new TextDecoder().decode(await readCapped(request, MAX_BYTES, unreadIncoming(env))));
    } catch (error) {
      if (error instanceof SyntaxError) throw badRequest('malformed_json');
      throw error;
    }
  };

  app.get('/data', async (c) => {
    const who = c.get('customer');
    const pkg = await customerPackage(deps.db, who.shop, who, deps.hashes.lookup);
    const leads = pkg.leads.map((l) => ({
      ...l,
      address: parseJsonColumn(addressColumn, l.address),
      answers: parseJsonColumn(answersColumn, l.answers) ?? [],
      tags: parseJsonColumn(tagsColumn, l.tags) ?? [],
    }));
    const data: AccountData = { customer: { id: `gid://shopify/Customer/${who.id}` }, leads, consent_records: pkg.consent_records, notes: pkg.notes };
    return c.json(data);
  });

  // The merchant's own questions the profile block may edit: the custom keys the app defined in this shop.
  app.get('/fields', async (c) => {
    const rows = await deps.db.selectFrom('metafield_definitions').select(['key', 'type']).where('shop', '=', c.get('customer').shop).orderBy('key').execute();
    return c.json({ custom: rows.map((r) => ({ key: r.key, type: r.type, label: r.key.replace(/[_-]+/g, ' ') })) });
  });

  app.post('/download', async (c) => {
    const parsed = z.strictObject({ format: z.enum(['json', 'csv']) }).safeParse(await jsonBody(c.req.raw, c.env));
    if (!parsed.success) throw badRequest('invalid_body', 'format: json or csv');
    const who = c.get('customer');
    const format: DownloadFormat = parsed.data.format;
    return c.json({ path: `/account/download/${signDownload(deps.apiSecret, who.shop, who.id, format, clock())}` });
  });

  app.post('/corrections', async (c) => {
    const parsed = parseOwnCorrection(await jsonBody(c.req.raw, c.env));
    if (!parsed.ok) throw new HttpError(422, 'invalid_fields', 'Some fields are not valid.', { fields: parsed.fields });
    if (!parsed.correction.given.length) throw badRequest('nothing_to_change');
    const who = c.get('customer');
    const result = await correctOwnLeads(deps.db, deps.hashes, who.shop, who, parsed.correction, clock);
    return c.json(result, 202);
  });

  app.post('/delete', async (c) => {
    const parsed = z.strictObject({ confirm: z.literal(true) }).safeParse(await jsonBody(c.req.raw, c.env));
    if (!parsed.success) throw badRequest('confirmation_required');
    const who = c.get('customer');
    const result = await transactionWithRetry(deps.db, (trx) => eraseCustomerData(trx, who.shop, who, deps.hashes.lookup, 'customer_account', clock));
    return c.json(result);
  });

  app.post('/consent', async (c) => {
    const parsed = consentBody.safeParse(await jsonBody(c.req.raw, c.env));
    if (!parsed.success) throw badRequest('invalid_body', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const who = c.get('customer');
    const { channel, state, text } = parsed.data;
    // The page sends its switch's state on every save: the same state again is recorded (and sent to Flow) no more.
    const { held, recorded } = await recordConsentChange(
      deps.db,
      who.shop,
      who,
      {
        channel,
        state,
        optInLevel: 'SINGLE_OPT_IN',
        at: null,
        source: `customer_account:${state.toLowerCase()}`,
        text: text ?? null,
        onlyIfChanged: true,
      },
      deps.hashes.lookup,
      clock,
    );
    if (!held) throw notFound('nothing_held');
    return c.json({ recorded });
  });
  return app;
}
