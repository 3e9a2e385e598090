import { reindexLeads } from '../../leads/lead-terms.js';
import type { TermHasher } from '../../leads/search-terms.js';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { type ContactFieldName, contactField } from '../../../../schema/contact-fields.js';
import { checkField, ruleKindOf } from '../../../../schema/rules.js';
import { normalizePhone } from '../../../../schema/submission.js';
import { HttpError, badRequest } from '../../http/errors.js';
import type { Translator } from '../../core/i18n.js';
import { preferredLanguage } from '../../core/i18n.js';
import { enqueueSync } from '../../outbox/outbox.js';
import type { ProposedChanges } from '../../shopify/proposed-changes.js';
import { eraseCustomer } from '../../leads/erasure.js';
import { logErasure } from '../../privacy/compliance.js';
import { everyHash } from '../../storage/lookup-keys.js';
import { IDS_PER_STATEMENT, batches } from '../../storage/batches.js';
import { lockLeads, transactionWithRetry } from '../../storage/row-locks.js';
import { readableRow } from '../../storage/field-encryption.js';
import type { Database } from '../../storage/tables.js';
import type { CustomerEmailLookup } from '../../shopify/customer-email.js';
import type { CustomerAccountsLookup } from '../../shopify/customer-accounts.js';
import { bodyFormat, parseBody, readCapped } from '../../http/body.js';
import { contactControl } from './contact-input.js';
import { LIQUID_CONTENT_TYPE, escapeForLiquid as esc, storefrontPrefix } from './liquid-pages.js';

/** What a customer may correct themselves; the rest of a lead is what they said at the time. */
const SELF_SERVICE_FIELDS = ['first_name', 'last_name', 'phone'] as const satisfies readonly ContactFieldName[];
const definitionOf = (name: (typeof SELF_SERVICE_FIELDS)[number]) => contactField(name)!;

/**
 * A logged-in customer's own view of what the app holds, through the app proxy (/apps/contact-capture/privacy):
 * see it, correct name and phone, or delete it all. The customer comes from the signed `logged_in_customer_id`; their
 * leads are those tied to that id, and those sent with the verified email Shopify holds for that customer (asked of
 * the Admin API each time, never read from a lead, where anyone can type anyone's email).
 * The forms carry a token bound to shop, customer and day, because the shop's cookies would let another site post
 * here in the customer's name.
 */
export interface SelfServiceDeps {
  db: Kysely<Database>;
  lookupHash: (value: string) => string;
  termHash: TermHasher;
  apiSecret: string;
  translator: Translator;
  /**
   * The customer's verified email as Shopify holds it, so leads sent with it before logging in are the customer's too.
   * Without it, only leads tied to the customer id are matched.
   */
  customerEmail?: CustomerEmailLookup | undefined;
  /**
   * Where the shop's new customer accounts live (null for classic accounts or when Shopify cannot tell): a logged-in
   * customer is then sent to "My data" there first. Without it, the page is as it was before new accounts.
   */
  customerAccounts?: CustomerAccountsLookup | undefined;
}

/** Who the page is about: the signed customer id, and the email Shopify vouches for (null when none). */
type Customer = { id: string; email: string | null };

type Verified = { shop: string; loggedInCustomerId: string | null; pathPrefix: string | null };

const day = () => new Date().toISOString().slice(0, 10);
const formToken = (secret: string, shop: string, customer: string, on = day()) =>
  createHmac('sha256', secret).update(`self-service:${shop}:${customer}:${on}`).digest('hex');

function tokenValid(secret: string, shop: string, customer: string, token: unknown): boolean {
  if (typeof token !== 'string' || !/^[0-9a-f]{64}$/.test(token)) return false;
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  return [day(), yesterday].some((d) => timingSafeEqual(Buffer.from(formToken(secret, shop, customer, d), 'hex'), Buffer.from(token, 'hex')));
}

/** What a shopper reads for each reason a post is refused; any other (a broken post) asks them to reload the page. */
const REFUSAL_KEYS: Record<string, string> = {
  not_logged_in: 'privacy.login',
  invalid_form_token: 'privacy.expired',
  nothing_to_correct: 'privacy.none',
  confirmation_required: 'privacy.confirm_required',
};

export function selfServiceRoutes(deps: SelfServiceDeps) {
  const app = new Hono<{ Variables: { proxy: Verified } }>();
  const localeOf = (query: string | undefined, header: string | undefined) => deps.translator.resolve(query ?? preferredLanguage(header));
  const leadsOf = (shop: string, customer: Customer, db: Kysely<Database> = deps.db) =>
    db
      .selectFrom('leads')
      .select([
        'id',
        'created_at',
        'email',
        'first_name',
        'last_name',
        'phone',
        'company',
        'message',
        'email_consent',
        'logged_in_customer_id',
        'shopify_customer_id',
      ])
      .where('shop', '=', shop)
      .where((w) =>
        w.or([
          w('logged_in_customer_id', '=', customer.id),
          w('shopify_customer_id', '=', `gid://shopify/Customer/${customer.id}`),
          ...(customer.email ? [w('email_hash', 'in', everyHash(deps.lookupHash, customer.email))] : []),
        ]),
      )
      .orderBy('created_at', 'desc')
      .execute()
      .then((rows) => rows.map(readableRow));
  /** Null when Shopify cannot tell the email now: showing or erasing only part of the customer's data would mislead. */
  const identify = async (shop: string, id: string): Promise<Customer | null> => {
    if (!deps.customerEmail) return { id, email: null };
    const known = await deps.customerEmail(shop, id);
    return known.ok ? { id, email: known.email } : null;
  };
  /**
   * On a shop with new customer accounts, "My data" in the account does all this page does and more (download,
   * consent per channel, profile fields); the link comes first, the page's own forms stay below it (README).
   */
  const accountLink = (locale: string, account: { url: string } | null) =>
    account
      ? `<p class="cc-account-link"><a href="${esc(account.url)}"><strong>${esc(deps.translator.t(locale, 'privacy.account_link'))}</strong></a></p><p>${esc(deps.translator.t(locale, 'privacy.account_hint'))}</p>`
      : '';
  const unavailable = (locale: string, account: { url: string } | null = null) =>
    new Response(
      page(
        locale,
        `<h1>${esc(deps.translator.t(locale, 'privacy.title'))}</h1>${accountLink(locale, account)}<p role="status">${esc(deps.translator.t(locale, 'privacy.unavailable'))}</p>`,
      ),
      {
        status: 503,
        headers: { 'content-type': LIQUID_CONTENT_TYPE, 'retry-after': '30' },
      },
    );
  const liquid = (body: string, status = 200) => new Response(body, { status, headers: { 'content-type': LIQUID_CONTENT_TYPE } });
  const base = (v: Verified) => storefrontPrefix(v.pathPrefix);

  const page = (locale: string, inner: string) =>
    `<div class="page-width" lang="${esc(locale)}" style="max-width:44rem;margin:3rem auto;padding:0 1rem">${inner}</div>`;

  app.get('/', async (c) => {
    const v = c.get('proxy');
    const locale = localeOf(c.req.query('locale'), c.req.header('accept-language'));
    const t = (key: string) => esc(deps.translator.t(locale, key));
    if (!v.loggedInCustomerId) {
      return liquid(page(locale, `<h1>${t('privacy.title')}</h1><p>${t('privacy.login')}</p><p><a href="/account/login">${t('privacy.login_link')}</a></p>`));
    }
    // Guests never cost a Shopify call; a logged-in customer's two questions go out together.
    const [customer, account] = await Promise.all([
      identify(v.shop, v.loggedInCustomerId),
      deps.customerAccounts ? deps.customerAccounts(v.shop) : Promise.resolve(null),
    ]);
    if (!customer) return unavailable(locale, account);
    const leads = await leadsOf(v.shop, customer);
    const token = formToken(deps.apiSecret, v.shop, v.loggedInCustomerId);
    const action = `${base(v)}/privacy`;
    // Pre-filled from what the customer sent signed in, rather than what anyone typed with their email.
    const latest = leads.find((l) => l.logged_in_customer_id === v.loggedInCustomerId) ?? leads[0];
    const rows = leads
      .map(
        (l) =>
          `<li><p><strong>${t('privacy.received')}</strong>${t('contact_form.label_separator')}${esc(l.created_at.slice(0, 16).replace('T', ' '))} UTC</p><p>${esc([l.first_name, l.last_name].filter(Boolean).join(' '))} · ${esc(l.email)}${l.phone ? ` · ${esc(l.phone)}` : ''}${l.company ? ` · ${esc(l.company)}` : ''}</p>${l.message ? `<p>${esc(l.message)}</p>` : ''}<p>${t('privacy.consent_email')}${t('contact_form.label_separator')}${l.email_consent ? t('privacy.yes') : t('privacy.no')}</p></li>`,
      )
      .join('');
    const field = (name: (typeof SELF_SERVICE_FIELDS)[number]) =>
      `<p><label for="cc-self-${name}">${t(`contact_form.fields.${name}.label`)}</label><br>${contactControl(definitionOf(name), latest?.[name] ?? '', `id="cc-self-${name}" name="${name}"`, false)}</p>`;
    const body = leads.length
      ? `<h2>${t('privacy.held')}</h2><ul>${rows}</ul>` +
        `<h2>${t('privacy.correct')}</h2><form method="post" action="${esc(action)}/correct">` +
        SELF_SERVICE_FIELDS.map(field).join('') +
        `<input type="hidden" name="token" value="${token}"><input type="hidden" name="locale" value="${esc(locale)}"><button type="submit">${t('privacy.save')}</button></form>` +
        `<h2>${t('privacy.delete')}</h2><form method="post" action="${esc(action)}/delete"><p>${t('privacy.delete_info')}</p>` +
        `<p><input type="checkbox" id="cc-self-confirm" name="confirm" value="on" required><label for="cc-self-confirm">${t('privacy.confirm')}</label></p>` +
        `<input type="hidden" name="token" value="${token}"><input type="hidden" name="locale" value="${esc(locale)}"><button type="submit">${t('privacy.delete_button')}</button></form>`
      : `<p>${t('privacy.none')}</p>`;
    return liquid(page(locale, `<h1>${t('privacy.title')}</h1>${accountLink(locale, account)}${body}`));
  });

  const readForm = async (request: Request) => parseBody(bodyFormat(request.headers.get('content-type')), await readCapped(request)).fields;
  const done = (locale: string, v: Verified, key: string) =>
    liquid(
      page(
        locale,
        `<h1>${esc(deps.translator.t(locale, 'privacy.title'))}</h1><p role="status">${esc(deps.translator.t(locale, key))}</p><p><a href="${esc(base(v))}/privacy?locale=${esc(locale)}">${esc(deps.translator.t(locale, 'privacy.back'))}</a></p>`,
      ),
    );
  const guard = (v: Verified, token: unknown): string => {
    if (!v.loggedInCustomerId) throw new HttpError(403, 'not_logged_in', 'Log in to manage your data.');
    if (!tokenValid(deps.apiSecret, v.shop, v.loggedInCustomerId, token)) throw new HttpError(403, 'invalid_form_token', 'This page has expired; reload it.');
    return v.loggedInCustomerId;
  };

  // A refused post from the page (an expired form, a phone that is not one, a box left unticked) answers as a page in
  // the shopper's language, never as JSON with reasons and field names in it; the status stays, and the reason rides
  // along in data-reason. A script that asks for JSON still gets the JSON.
  const localeOfPost = new WeakMap<Request, string>();
  /** A post from the page: its fields, the shopper's language (kept for a refusal page), and the signed-in customer. */
  const signedPost = async (request: Request, v: Verified) => {
    const form = await readForm(request);
    const locale = localeOf(typeof form.locale === 'string' ? form.locale : undefined, request.headers.get('accept-language') ?? undefined);
    localeOfPost.set(request, locale);
    return { v, form, locale, customer: guard(v, form.token) };
  };
  app.onError((error, c) => {
    if (!(error instanceof HttpError) || (c.req.header('accept') ?? '').includes('application/json')) throw error;
    const locale = localeOfPost.get(c.req.raw) ?? localeOf(undefined, c.req.header('accept-language'));
    const t = (key: string) => esc(deps.translator.t(locale, key));
    const fields = error.reason === 'invalid_fields' ? Object.entries((error.extra.fields ?? {}) as Record<string, { message: string }>) : [];
    const text = fields.length
      ? `${t('contact_form.error_summary')}</p><ul>${fields.map(([name, f]) => `<li>${t(`contact_form.fields.${name}.label`)}${t('contact_form.label_separator')}${esc(f.message)}</li>`).join('')}</ul><p>`
      : t(REFUSAL_KEYS[error.reason] ?? 'privacy.expired');
    const v = c.get('proxy');
    const back = v ? `<p><a href="${esc(base(v))}/privacy?locale=${esc(locale)}">${t('privacy.back')}</a></p>` : '';
    return liquid(page(locale, `<h1>${t('privacy.title')}</h1><p role="alert" data-reason="${esc(error.reason)}">${text}</p>${back}`), error.status);
  });

  app.post('/correct', async (c) => {
    const { v, form, locale, customer } = await signedPost(c.req.raw, c.get('proxy'));
    const value = (name: string) => (typeof form[name] === 'string' ? form[name].trim() : '');
    // A field left out stays as it is (an empty one clears it); one that is not text is a broken post, not a clear.
    const given = SELF_SERVICE_FIELDS.filter((name) => form[name] !== undefined);
    const broken = given.filter((name) => typeof form[name] !== 'string');
    if (broken.length) throw badRequest('invalid_body', `${broken.join(', ')}: expected text`);
    if (!given.length) throw badRequest('nothing_to_change', 'Send first_name, last_name or phone.');
    for (const name of SELF_SERVICE_FIELDS) {
      const { input, max } = definitionOf(name);
      const code = checkField({ kind: ruleKindOf(input), required: false, max }, value(name));
      if (code)
        throw new HttpError(422, 'invalid_fields', deps.translator.t(locale, 'contact_form.error_summary'), {
          fields: { [name]: { code, message: deps.translator.t(locale, `contact_form.errors.${code}`) } },
        });
    }
    const who = await identify(v.shop, customer);
    if (!who) return unavailable(locale);
    const phone = value('phone') ? normalizePhone(value('phone')) : null;
    // Read and locked inside the transaction (storage/row-locks.ts): a deletion running at the same time either
    // finished first, and there is nothing left to correct, or waits for this correction.
    await transactionWithRetry(deps.db, async (trx) => {
      const found = await leadsOf(v.shop, who, trx);
      const present = new Set(
        await lockLeads(
          trx,
          found.map((l) => l.id),
        ),
      );
      const leads = found.filter((l) => present.has(l.id));
      if (!leads.length) throw new HttpError(404, 'nothing_to_correct', 'Nothing is held about you (any more).');
      // Leads found by email or by the customer they synced to may have been sent by anyone: correcting their names
      // and phone does not make them this customer's own submission, or an anonymous sender's company and address
      // would reach the customer as verified. Only leads the customer sent signed in stay verified (lead-sync.ts).
      const contact = {
        ...(given.includes('first_name') ? { first_name: value('first_name') || null } : {}),
        ...(given.includes('last_name') ? { last_name: value('last_name') || null } : {}),
        ...(given.includes('phone') ? { phone, phone_hash: phone ? deps.lookupHash(phone) : null } : {}),
      };
      // In slices (storage/batches.ts): anyone may send the form with this person's email, as often as the limits
      // allow, so they can have more leads than one `IN (...)` list may name.
      const ids = leads.map((l) => l.id);
      for (const slice of batches(ids, IDS_PER_STATEMENT)) await trx.updateTable('leads').set(contact).where('id', 'in', slice).execute();
      // Staff search finds the corrected name and phone, not the old ones.
      await reindexLeads(trx, deps.termHash, ids);
      // The Shopify customer follows the correction through the usual sync, when the shopper consented.
      // Their own signed-in lead syncs as a verified submission. Otherwise a consenting lead already on this customer
      // carries just the corrected names and phone to it (as staff applying proposed changes would): the rest of that
      // lead may have been typed by someone else and stays off the customer.
      const own = leads.find((l) => l.email_consent === 1 && l.logged_in_customer_id === customer);
      const onCustomer = leads.find((l) => l.email_consent === 1 && l.shopify_customer_id === `gid://shopify/Customer/${customer}`);
      if (own) {
        await trx.updateTable('leads').set({ status: 'pending' }).where('id', '=', own.id).execute();
        await enqueueSync(trx, v.shop, own.id);
      } else if (onCustomer) {
        const now = new Date().toISOString();
        const changes = SELF_SERVICE_FIELDS.filter((field) => given.includes(field))
          .map((field) => ({ field, current: null, proposed: field === 'phone' ? phone : value(field) || null }))
          .filter((ch): ch is { field: 'first_name' | 'last_name' | 'phone'; current: null; proposed: string } => ch.proposed !== null);
        if (changes.length) {
          const proposal: ProposedChanges = {
            customer_id: onCustomer.shopify_customer_id!,
            found_at: now,
            changes,
            accepted: { fields: changes.map((ch) => ch.field), at: now, by: 'self-service' },
          };
          await trx
            .updateTable('leads')
            .set({ proposed_changes: JSON.stringify(proposal), status: 'pending', sync_error: null })
            .where('id', '=', onCustomer.id)
            .execute();
          await enqueueSync(trx, v.shop, onCustomer.id, Date.now, 'update_customer');
        }
      }
    });
    return done(locale, v, 'privacy.corrected');
  });

  app.post('/delete', async (c) => {
    const { v, form, locale, customer } = await signedPost(c.req.raw, c.get('proxy'));
    if (form.confirm !== 'on') throw badRequest('confirmation_required');
    const who = await identify(v.shop, customer);
    if (!who) return unavailable(locale);
    await transactionWithRetry(deps.db, async (trx) => {
      const erased = await eraseCustomer(trx, v.shop, { id: who.id, email: who.email }, deps.lookupHash);
      await logErasure(trx, v.shop, 'self_service', erased);
    });
    return done(locale, v, 'privacy.deleted');
  });
  return app;
}
