import { Hono } from 'hono';
import { parseSubmission, splitTags } from '../../../../schema/submission.js';
import { formKey, signedOptInDays, specSignatureValid, tagsSignatureValid } from '../../core/form-key.js';
import { confirmRoutes } from './confirm.js';
import type { ConfirmLinkMaker } from '../../leads/intake.js';
import { HttpError, badRequest, unauthorized } from '../../http/errors.js';
import { recordView } from '../../leads/insights.js';
import type { TermHasher } from '../../leads/search-terms.js';
import { preferredLanguage, type Translator } from '../../core/i18n.js';
import type { LeadIntake } from '../../leads/intake.js';
import { type SpamSettings, spamVerdict } from '../../leads/spam.js';
import { type ClientIpSettings, UNKNOWN_IP, clientIp, rateBucket } from './client-ip.js';
import { DEFAULT_RATE_LIMITS, type RateCounters, type RateLimits, overLimit } from '../../leads/rate-limit.js';
import { type TurnstileSettings, verifyTurnstile } from './turnstile.js';
import { bodyFormat, headersOf, parseBody, readCapped, unreadIncoming } from '../../http/body.js';
import { formAgainPage } from './form-page.js';
import { embedConfig, embedFormHtml } from './embed-form.js';
import { selfServiceRoutes } from './self-service.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/tables.js';
import { LIQUID_CONTENT_TYPE, confirmationPage, safeBackPath, storefrontPrefix } from './liquid-pages.js';
import { verifyProxyQuery } from './signature.js';
import type { CustomerEmailLookup } from '../../shopify/customer-email.js';
import type { CustomerAccountsLookup } from '../../shopify/customer-accounts.js';
import { type UploadDeps, uploadRoutes } from './uploads.js';
import { findUpload } from '../../leads/uploads.js';
import { DOI_DEFAULT_DAYS } from '../../leads/double-opt-in.js';

export interface ProxyDeps {
  intake: LeadIntake;
  db: Kysely<Database>;
  lookupHash: (value: string) => string;
  termHash: TermHasher;
  apiSecret: string;
  translator: Translator;
  spam: SpamSettings;
  clientIp: ClientIpSettings;
  /** Keyed hash the rate counters hold instead of the client's address. */
  counterHash: (value: string) => string;
  /** The per-IP limit also bounds the view beacon (its own counter, so browsing never uses up a shopper's submissions). */
  rateLimits?: RateLimits;
  /** The process's rate counters (leads/rate-limit.ts), shared with the intake. */
  counters: RateCounters;
  /** Called when a request carries no trusted client address: a misconfigured CLIENT_IP_HEADER or proxy. */
  onUnknownClientIp?: () => void;
  /** Present only when the merchant turned Turnstile on. */
  turnstile?: TurnstileSettings | undefined;
  clock?: () => number;
  /** Self-service asks Shopify for the logged-in customer's verified email through this. */
  customerEmail?: CustomerEmailLookup;
  /** The privacy page sends a logged-in customer of a shop with new customer accounts to their account through this. */
  customerAccounts?: CustomerAccountsLookup;
  /** Double opt-in links (core/confirm-link.ts); without it the confirmation page is not served. */
  confirmLink?: ConfirmLinkMaker;
  /** The contact form's attachments (uploads.ts); without it the file field's requests get 404. */
  uploads?: Omit<UploadDeps, 'db' | 'counters'>;
  /** How often one address may have the embed's form rendered; DEFAULT_EMBED_FORM_LIMITS without it. */
  embedFormLimits?: EmbedFormLimits;
}

export interface EmbedFormLimits {
  /** Renders one address may ask of one shop per minute. */
  perIpPerMinute: number;
}
/**
 * A shopper opens the embed's form a few times per page at most (the UI keeps what it fetched); 30 a minute leaves room
 * for many tabs behind one address while keeping a loop of 32 KB configs from holding a process's CPU.
 */
export const DEFAULT_EMBED_FORM_LIMITS: EmbedFormLimits = { perIpPerMinute: 30 };

type Verified = { shop: string; loggedInCustomerId: string | null; pathPrefix: string | null };

/** The app-proxy target: Shopify forwards https://{shop}/apps/contact-capture/* here, signed. */
export function proxyRoutes(deps: ProxyDeps) {
  const app = new Hono<{ Variables: { proxy: Verified } }>();

  // Every answer here is about one shopper (their confirmation, their data, their errors echoing what they typed):
  // neither Shopify's edge, a shared proxy nor the browser's back-forward cache may keep it for someone else.
  app.use('*', async (c, next) => {
    await next();
    c.res.headers.set('cache-control', 'private, no-store');
  });

  app.use('*', async (c, next) => {
    const result = verifyProxyQuery(deps.apiSecret, new URL(c.req.url).searchParams);
    if (!result.valid)
      throw result.reason === 'invalid_customer_id' ? badRequest(result.reason, 'logged_in_customer_id must be digits.') : unauthorized(result.reason);
    c.set('proxy', { shop: result.shop, loggedInCustomerId: result.loggedInCustomerId, pathPrefix: result.pathPrefix });
    await next();
  });

  /** The per-IP limit's bucket of this request: a keyed hash of the address (or its /64), or the shared `unknown`. */
  const ipBucket = (headers: Pick<Headers, 'get'>): { ip: string; bucket: string } => {
    const ip = clientIp(headers, deps.clientIp);
    if (ip === UNKNOWN_IP) {
      deps.onUnknownClientIp?.();
      return { ip, bucket: UNKNOWN_IP };
    }
    return { ip, bucket: deps.counterHash(rateBucket(ip)) };
  };

  // A shop's form key is an HMAC of the app secret and the shop: the same every time, so it is derived once per shop
  // (the cap only bounds memory should a process serve very many shops).
  const formKeys = new Map<string, string>();
  const formKeyOf = (shop: string): string => {
    let key = formKeys.get(shop);
    if (key === undefined) {
      if (formKeys.size >= 10_000) formKeys.clear();
      key = formKey(deps.apiSecret, shop);
      formKeys.set(shop, key);
    }
    return key;
  };

  if (deps.uploads) app.route('/uploads', uploadRoutes({ ...deps.uploads, db: deps.db, counters: deps.counters, clock: deps.clock }, ipBucket, formKeyOf));

  app.route(
    '/privacy',
    selfServiceRoutes({
      db: deps.db,
      lookupHash: deps.lookupHash,
      termHash: deps.termHash,
      apiSecret: deps.apiSecret,
      translator: deps.translator,
      customerEmail: deps.customerEmail,
      customerAccounts: deps.customerAccounts,
    }),
  );

  if (deps.confirmLink) app.route('/confirm', confirmRoutes({ db: deps.db, apiSecret: deps.apiSecret, confirmLink: deps.confirmLink, clock: deps.clock }));

  // The app embed's form, fetched on its trigger (embed-form.ts): JSON in, JSON out, nothing written.
  app.post('/embed-form', async (c) => {
    const headers = headersOf(c.req.raw, c.env);
    const format = bodyFormat(headers.get('content-type'));
    if (format !== 'json') throw new HttpError(415, 'unsupported_media_type', 'Send the embed config as application/json.');
    // Counted before the body is read: reading, parsing and rendering a config is the work a flood would cost us, and a
    // config that turns out invalid cost it too. Its own counter, so opening forms never uses up a shopper's submissions.
    const now = (deps.clock ?? Date.now)();
    const { bucket } = ipBucket(headers);
    if (!deps.counters.admits([[`embed-form:${c.get('proxy').shop}:${bucket}`, (deps.embedFormLimits ?? DEFAULT_EMBED_FORM_LIMITS).perIpPerMinute]], now))
      throw overLimit(now);
    const body = parseBody(format, await readCapped(c.req.raw, 32 * 1024, unreadIncoming(c.env)));
    const parsed = embedConfig.safeParse(body.fields);
    if (!parsed.success) {
      const where = parsed.error.issues[0]?.path.join('.') ?? '';
      throw badRequest('invalid_embed_config', `The embed config is not valid${where ? ` (${where})` : ''}.`);
    }
    return c.json({ html: embedFormHtml(deps.translator, parsed.data) });
  });

  // The block's view beacon: a counter per form and day, nothing about who looked.
  app.post('/view', async (c) => {
    const headers = headersOf(c.req.raw, c.env);
    const body = parseBody(bodyFormat(headers.get('content-type')), await readCapped(c.req.raw, undefined, unreadIncoming(c.env)));
    const formId = body.fields.form_id;
    if (typeof formId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(formId))
      throw badRequest('invalid_form_id', 'form_id must be 1-64 letters, digits, _ or -');
    const now = (deps.clock ?? Date.now)();
    const { bucket } = ipBucket(headers);
    if (!deps.counters.admits([[`view:${c.get('proxy').shop}:${bucket}`, (deps.rateLimits ?? DEFAULT_RATE_LIMITS).perIpPerMinute]], now)) throw overLimit(now);
    await recordView(deps.db, c.get('proxy').shop, formId);
    return c.body(null, 204);
  });

  app.post('/submit', async (c) => {
    const { shop, loggedInCustomerId } = c.get('proxy');
    const headers = headersOf(c.req.raw, c.env);
    const format = bodyFormat(headers.get('content-type'));
    const body = parseBody(format, await readCapped(c.req.raw, undefined, unreadIncoming(c.env)));
    const wantsJson = format === 'json' || (headers.get('accept') ?? '').includes('application/json');
    const requestedLocale = typeof body.fields.locale === 'string' ? body.fields.locale : preferredLanguage(headers.get('accept-language') ?? undefined);
    const locale = deps.translator.resolve(requestedLocale);

    const headerKey = headers.get('idempotency-key') ?? undefined;
    if (headerKey !== undefined && !/^[A-Za-z0-9_-]{8,128}$/.test(headerKey)) {
      throw new HttpError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 8-128 characters of A-Z, a-z, 0-9, _ or -.');
    }
    const key = formKeyOf(shop);
    const parsed = parseSubmission(body.fields, { specSigned: (spec, sig) => specSignatureValid(key, spec, sig) });
    if (!parsed.ok) {
      if (parsed.invalidSpec) throw badRequest('invalid_custom_fields', 'custom_fields must be the JSON list of field specs the block renders.');
      if (parsed.unknown.length) {
        throw new HttpError(400, 'unknown_fields', 'The body has fields this form does not have.', {
          fields: parsed.unknown.slice(0, 20).map((name) => name.slice(0, 64)),
        });
      }
      if (!wantsJson) {
        const action = `${storefrontPrefix(c.get('proxy').pathPrefix)}/submit`;
        return c.body(formAgainPage(deps.translator, locale, parsed.fields, body.fields, action, parsed.custom, parsed.conditions), 422, {
          'content-type': LIQUID_CONTENT_TYPE,
        });
      }
      const fields = Object.fromEntries(
        Object.entries(parsed.fields).map(([name, code]) => [name, { code, message: deps.translator.t(locale, `contact_form.errors.${code}`) }]),
      );
      throw new HttpError(422, 'invalid_fields', deps.translator.t(locale, 'contact_form.error_summary'), { fields });
    }

    const submission = parsed.value;
    // The attachment must be this shop's, checked and made a Shopify file; intake then ties it to this lead alone.
    let attachment: { uploadId: string; fileId: string } | null = null;
    if (submission.attachment) {
      const upload = await findUpload(deps.db, shop, submission.attachment);
      if (!upload || upload.status === 'doomed') throw new HttpError(422, 'unknown_attachment', 'The attachment is not an upload of this shop.');
      // Staged under one form's signed settings (types, size), it may not ride on another form's lead, nor on a post
      // that names no form. Uploads from before form ids were kept have none, and match nothing.
      if (upload.form_id === null || upload.form_id !== (submission.form_id ?? null))
        throw new HttpError(422, 'attachment_other_form', 'The attachment was uploaded for another form.');
      if (upload.status !== 'ready' || !upload.file_id) throw new HttpError(409, 'attachment_not_ready', 'The attachment was not checked, or was refused.');
      attachment = { uploadId: upload.id, fileId: upload.file_id };
    }
    const { ip, bucket } = ipBucket(headers);
    if (deps.turnstile) {
      const verdict = await verifyTurnstile(deps.turnstile, submission['cf-turnstile-response'], ip);
      if (!verdict.ok) {
        throw verdict.reason === 'unavailable'
          ? new HttpError(503, 'turnstile_unavailable', 'The bot check could not be completed; try again.', {}, { 'retry-after': '5' })
          : new HttpError(403, 'turnstile_failed', deps.translator.t(locale, 'contact_form.bot_check_failed'));
      }
    }
    const quarantineReason = spamVerdict(
      { honeypot: submission.website, renderedAt: submission.rendered_at, email: submission.email, message: submission.message },
      deps.spam,
      (deps.clock ?? Date.now)(),
    );
    const tags = submission.tags && tagsSignatureValid(key, submission.tags, submission.tags_sig) ? splitTags(submission.tags) : [];
    const { lead, replayed } = await deps.intake.accept({
      clientIp: bucket,
      tags,
      quarantineReason,
      shop,
      loggedInCustomerId,
      submission,
      idempotencyKey: headerKey ?? submission.idempotency_key ?? null,
      keyFromCachedPage: headerKey === undefined && format === 'form',
      locale,
      // The block signs its setting, off included, for this form: anything else (unsigned, forged, another form's)
      // fails safe to double opt-in with the default validity. The shop's server setting still decides above it.
      doubleOptIn: (() => {
        const days = signedOptInDays(key, submission.form_id, submission.double_opt_in, submission.double_opt_in_sig);
        return days === null ? { days: DOI_DEFAULT_DAYS } : days > 0 ? { days } : null;
      })(),
      attachment,
    });

    if (wantsJson) {
      return c.json({ id: lead.id, status: 'accepted', sync: lead.status, replayed, message: deps.translator.t(locale, 'contact_form.success') }, 202);
    }
    return c.body(confirmationPage(deps.translator, locale, safeBackPath(submission.page)), 200, { 'content-type': LIQUID_CONTENT_TYPE });
  });

  return app;
}
