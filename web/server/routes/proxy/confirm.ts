import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { checkConfirmLink } from '../../core/confirm-link.js';
import { preferredLanguage } from '../../core/i18n.js';
import { nowIso } from '../../core/ids.js';
import { bodyFormat, headersOf, parseBody, readCapped, unreadIncoming } from '../../http/body.js';
import { confirmLead, doiStateOf, queueConfirmation } from '../../leads/double-opt-in.js';
import type { ConfirmLinkMaker } from '../../leads/intake.js';
import type { Database } from '../../storage/tables.js';
import { confirmPageStrings } from './confirm-strings.js';
import { LIQUID_CONTENT_TYPE, escapeForLiquid, storefrontPrefix } from './liquid-pages.js';

type Verified = { shop: string; loggedInCustomerId: string | null; pathPrefix: string | null };

export interface ConfirmDeps {
  db: Kysely<Database>;
  apiSecret: string;
  confirmLink: ConfirmLinkMaker;
  clock?: () => number;
}

const frame = (body: string) => `<div class="contact-capture-result page-width" style="max-width:40rem;margin:3rem auto;padding:0 1rem">${body}</div>`;

/**
 * The double opt-in link's page, in the shop's theme through the app proxy. A GET only shows a button: mail scanners
 * and link previews open links, and must not confirm for the shopper. The POST of that button confirms.
 */
export function confirmRoutes(deps: ConfirmDeps) {
  const app = new Hono<{ Variables: { proxy: Verified } }>();
  const clock = deps.clock ?? Date.now;

  const leadLocale = async (shop: string, lead: string | undefined, fallback: string | null) => {
    const row = lead ? await deps.db.selectFrom('leads').select('locale').where('shop', '=', shop).where('id', '=', lead).executeTakeFirst() : undefined;
    return row?.locale ?? fallback;
  };

  const page = (_locale: string | null, status: number, title: string, body = '') => {
    return new Response(frame(`<h1 tabindex="-1">${escapeForLiquid(title)}</h1>${body}`), {
      status,
      headers: { 'content-type': LIQUID_CONTENT_TYPE, 'x-robots-tag': 'noindex' },
    });
  };

  const form = (action: string, link: { lead: string; expires: string; sig: string }, label: string) =>
    `<form method="post" action="${escapeForLiquid(action)}">` +
    `<input type="hidden" name="l" value="${escapeForLiquid(link.lead)}"><input type="hidden" name="e" value="${escapeForLiquid(link.expires)}">` +
    `<input type="hidden" name="s" value="${escapeForLiquid(link.sig)}"><button type="submit" class="button">${escapeForLiquid(label)}</button></form>`;

  app.get('/', async (c) => {
    const { shop, pathPrefix } = c.get('proxy');
    const link = { lead: c.req.query('l') ?? '', expires: c.req.query('e') ?? '', sig: c.req.query('s') ?? '' };
    const locale = await leadLocale(shop, link.lead, preferredLanguage(c.req.header('accept-language')));
    const s = confirmPageStrings(locale);
    const check = checkConfirmLink(deps.apiSecret, shop, link, clock());
    if (!check.valid) return page(locale, 400, s.invalid);
    const prefix = storefrontPrefix(pathPrefix);
    const lead = await deps.db
      .selectFrom('leads')
      .select(['doi_state', 'doi_expires_at'])
      .where('shop', '=', shop)
      .where('id', '=', link.lead)
      .executeTakeFirst();
    if (!lead?.doi_state) return page(locale, 404, s.invalid);
    if (lead.doi_state === 'confirmed') return page(locale, 200, s.already);
    if (check.expired || doiStateOf(lead.doi_state, lead.doi_expires_at, clock()) === 'expired')
      return page(locale, 410, s.expired, `<p>${escapeForLiquid(s.expiredText)}</p>${form(`${prefix}/confirm/resend`, link, s.resend)}`);
    return page(locale, 200, s.title, `<p>${escapeForLiquid(s.intro)}</p>${form(`${prefix}/confirm`, link, s.button)}`);
  });

  const posted = async (c: { req: { raw: Request }; env: unknown }) => {
    const headers = headersOf(c.req.raw, c.env);
    const body = parseBody(bodyFormat(headers.get('content-type')), await readCapped(c.req.raw, 4096, unreadIncoming(c.env)));
    const field = (name: string) => (typeof body.fields[name] === 'string' ? body.fields[name] : '');
    return { lead: field('l'), expires: field('e'), sig: field('s'), language: preferredLanguage(headers.get('accept-language') ?? undefined) };
  };

  app.post('/', async (c) => {
    const { shop } = c.get('proxy');
    const link = await posted(c);
    const locale = await leadLocale(shop, link.lead, link.language);
    const s = confirmPageStrings(locale);
    const check = checkConfirmLink(deps.apiSecret, shop, link, clock());
    if (!check.valid) return page(locale, 400, s.invalid);
    if (check.expired)
      return page(
        locale,
        410,
        s.expired,
        `<p>${escapeForLiquid(s.expiredText)}</p>${form(`${storefrontPrefix(c.get('proxy').pathPrefix)}/confirm/resend`, link, s.resend)}`,
      );
    const outcome = await confirmLead(deps.db, shop, link.lead, clock);
    if (outcome === 'not_found') return page(locale, 404, s.invalid);
    if (outcome === 'expired')
      return page(
        locale,
        410,
        s.expired,
        `<p>${escapeForLiquid(s.expiredText)}</p>${form(`${storefrontPrefix(c.get('proxy').pathPrefix)}/confirm/resend`, link, s.resend)}`,
      );
    return page(
      locale,
      200,
      outcome === 'confirmed' ? s.confirmed : s.already,
      `<p role="status">${escapeForLiquid(outcome === 'confirmed' ? s.confirmed : s.already)}</p>`,
    );
  });

  // An expired link asks for a new one: a fresh link (same validity as the first), at most one a day per lead.
  app.post('/resend', async (c) => {
    const { shop } = c.get('proxy');
    const link = await posted(c);
    const locale = await leadLocale(shop, link.lead, link.language);
    const s = confirmPageStrings(locale);
    if (!checkConfirmLink(deps.apiSecret, shop, link, clock()).valid) return page(locale, 400, s.invalid);
    const now = clock();
    const sent = await deps.db.transaction().execute(async (trx) => {
      const lead = await trx
        .selectFrom('leads')
        .select(['id', 'email', 'email_hash', 'first_name', 'locale', 'created_at', 'doi_state', 'doi_expires_at'])
        .where('shop', '=', shop)
        .where('id', '=', link.lead)
        .executeTakeFirst();
      if (!lead || lead.doi_state !== 'pending') return lead?.doi_state === 'confirmed' ? 'already' : 'invalid';
      const validity = Math.max(86_400_000, Date.parse(lead.doi_expires_at ?? lead.created_at) - Date.parse(lead.created_at));
      const expires = Math.floor((now + validity) / 1000);
      const expiresAt = new Date(expires * 1000).toISOString();
      await trx.updateTable('leads').set({ doi_expires_at: expiresAt }).where('id', '=', lead.id).execute();
      await queueConfirmation(
        trx,
        {
          shop,
          leadId: lead.id,
          email: lead.email,
          // The address's earlier mails were for a link that has expired: they do not count against a new one.
          emailHash: null,
          name: lead.first_name,
          locale: lead.locale,
          url: deps.confirmLink(shop, lead.id, expires),
          expiresAt,
          reason: `resend:${nowIso(() => now).slice(0, 10)}`,
        },
        clock,
      );
      return 'sent';
    });
    if (sent === 'already') return page(locale, 200, s.already);
    if (sent === 'invalid') return page(locale, 404, s.invalid);
    return page(locale, 200, s.resent, `<p role="status">${escapeForLiquid(s.resent)}</p>`);
  });

  return app;
}
