import type { Shopify } from '@shopify/shopify-api';
import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import * as z from 'zod';
import { MULTI_LINE, validText } from '../../../../schema/rules.js';
import { badRequest } from '../../http/errors.js';
import { InvalidCorrection, correctLead, parseCorrection } from '../../leads/correction.js';
import { exportCsv } from '../../leads/export.js';
import { addNote, deleteLead, leadDetail, markHandled, retrySync } from './lead-actions.js';
import { insights } from '../../leads/insights.js';
import { maskLead } from '../../leads/masking.js';
import { LEAD_STATUSES, countLeads, leadFacets, listLeads } from '../../leads/queries.js';
import { releaseFromQuarantine } from '../../leads/release.js';
import type { ConfirmLinkMaker } from '../../leads/intake.js';
import { REPLY_MAX_CHARS, replyToLead } from '../../leads/replies.js';
import { DEFAULT_MAX_CUSTOM_DEFINITIONS } from '../../shopify/metafield-definitions.js';
import type { TermHasher } from '../../leads/search-terms.js';
import type { Database, Role } from '../../storage/tables.js';
import { audit } from './audit.js';
import { definitionsRoutes } from './definitions-routes.js';
import { privacyRoutes } from './privacy-routes.js';
import { mailSettingsRoutes } from './mail-settings.js';
import { optInSettingsRoutes } from './opt-in-settings.js';
import { proposedChangesOf, proposedChangesRoutes } from './proposed-changes.js';
import { type IdentifyStaff, type StaffEnv, allow, can, requireStaff } from './roles.js';
import { type StaffSession, requireSession } from './session.js';
import { staffRoutes } from './staff-routes.js';
import type { LeadDetail, LeadFacets } from '../../../../schema/workspace-api.js';
import { nowIso } from '../../core/ids.js';
import { setupRoutes } from './setup-routes.js';
import type { ThemeSetupLookup } from '../../shopify/theme-setup.js';

export interface WorkspaceApiDeps {
  db: Kysely<Database>;
  shopify: Shopify;
  /** Makes sure the shop has an offline token (token exchange on first use). */
  ensureInstalled: (session: StaffSession) => Promise<void>;
  /** Whether a staff user owns the shop (online token exchange in production, the emulator locally). */
  identifyStaff: IdentifyStaff;
  hashes: { lookup: (value: string) => string; term: TermHasher };
  /** MAX_CUSTOM_DEFINITIONS_PER_SHOP, shown with the list of definitions. */
  maxCustomDefinitions?: number;
  /** The setup card: the app's client id (for the theme editor's deep links) and the live theme's reader. */
  setup?: { clientId: string; themeSetup: ThemeSetupLookup };
  /** Whether SMTP_URL is set: without it the mail settings say that e-mail cannot go out. */
  smtpConfigured?: boolean;
  /** Double opt-in links, for a released quarantined lead's confirmation e-mail (leads/release.ts). */
  confirmLink?: ConfirmLinkMaker;
}

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'not a date');

const filterQuery = z.object({
  q: z.string().max(200).optional(),
  form: z.string().max(64).optional(),
  from: day.optional(),
  to: day.optional(),
  consent: z.enum(['yes', 'no']).optional(),
  status: z.enum(LEAD_STATUSES).optional(),
  tag: z.string().max(40).optional(),
  handled: z.enum(['yes', 'no']).optional(),
  optin: z.enum(['pending', 'confirmed', 'expired']).optional(),
  sort: z.enum(['newest', 'oldest']).optional(),
});
const listQuery = filterQuery.extend({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
});

function parse<T extends z.ZodType>(schema: T, input: unknown, reason: string): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw badRequest(reason, parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return parsed.data;
}

/** The outline of a filter for the audit log: which filters were used, not what was typed. */
const filterOutline = (f: z.output<typeof filterQuery>) => Object.fromEntries(Object.entries(f).map(([k, v]) => [k, k === 'q' ? Boolean(v) : v]));

/** The leads workspace's JSON API. Every query is scoped to the shop of the verified session token. */
export function workspaceApiRoutes(deps: WorkspaceApiDeps) {
  const { db, hashes } = deps;
  const app = new Hono<StaffEnv>();
  app.use('*', requireSession(deps.shopify));
  // The text rule of every entry point, for what arrives in the path and the query (ids, filters, cursors).
  app.use('*', async (c, next) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(new URL(c.req.url).pathname + new URL(c.req.url).search.replace(/\+/g, ' '));
    } catch {
      throw badRequest('invalid_encoding', 'The path and query must be UTF-8.');
    }
    if (!validText(decoded)) throw badRequest('invalid_characters', 'The path and query may not hold control characters.');
    await next();
  });
  app.use('*', async (c, next) => {
    await deps.ensureInstalled(c.get('session'));
    await next();
  });
  app.use('*', requireStaff(db, deps.identifyStaff));
  const who = (c: { get(k: 'session'): StaffSession; get(k: 'staff'): { userId: string } }) => ({ shop: c.get('session').shop, userId: c.get('staff').userId });

  // A viewer's words match only what the viewer sees unmasked (message words, tags): prefix and suffix searches over
  // names and phones would otherwise rebuild what the mask hides, one character at a time.
  const scopeOf = (role: Role): 'all' | 'visible' => (can(role, 'unmasked') ? 'all' : 'visible');

  app.get('/leads', async (c) => {
    const query = parse(listQuery, c.req.query(), 'invalid_query');
    const { shop, userId } = who(c);
    const role = c.get('staff').role;
    const page = await listLeads(db, shop, { ...query, scope: scopeOf(role) }, hashes.term);
    if (!can(role, 'unmasked')) {
      if (query.q?.trim()) await audit(db, { shop, userId, action: 'searched', detail: { rows: page.leads.length, filter: filterOutline(query) } });
      return c.json({ ...page, leads: page.leads.map(maskLead) });
    }
    if (page.leads.length) await audit(db, { shop, userId, action: 'view_list', detail: { rows: page.leads.length, filter: filterOutline(query) } });
    return c.json(page);
  });

  app.get('/leads/counts', async (c) => {
    const filter = parse(filterQuery, c.req.query(), 'invalid_query');
    return c.json(await countLeads(db, c.get('session').shop, { ...filter, scope: scopeOf(c.get('staff').role) }, hashes.term));
  });
  // The filter menus' forms and tags scan the shop's leads (tens of ms at 100,000): the full scan is kept a minute per
  // shop and process (how long an erased form or tag may linger), and each request adds what leads created since it
  // bring, so a new form appears at once. Neither is personal data.
  const facets = new Map<string, { at: number; through: string; value: Promise<LeadFacets> }>();
  // A lead's created_at is set when it is accepted and it commits a little later with its batch: reading from a few
  // seconds back (an overlap the set union absorbs) never skips one that committed after the previous read.
  const facetsThrough = () => nowIso(() => Date.now() - 5_000);
  app.get('/leads/facets', async (c) => {
    const shop = c.get('session').shop;
    let entry = facets.get(shop);
    if (!entry || Date.now() - entry.at > 60_000) {
      entry = { at: Date.now(), through: facetsThrough(), value: leadFacets(db, shop) };
      entry.value.catch(() => facets.delete(shop));
      facets.set(shop, entry);
    } else {
      const through = facetsThrough();
      const [known, added] = await Promise.all([entry.value, leadFacets(db, shop, entry.through)]);
      const merged = {
        forms: [...new Set([...known.forms, ...added.forms])].sort().slice(0, 100),
        tags: [...new Set([...known.tags, ...added.tags])].sort().slice(0, 200),
      };
      entry = { at: entry.at, through, value: Promise.resolve(merged) };
      facets.set(shop, entry);
    }
    return c.json(await entry.value);
  });

  app.get('/leads/export.csv', allow('export'), async (c) => {
    const filter = parse(filterQuery, c.req.query(), 'invalid_query');
    const { shop, userId } = who(c);
    const { total } = await countLeads(db, shop, filter, hashes.term);
    await audit(db, { shop, userId, action: 'export', detail: { rows: total, filter: filterOutline(filter) } });
    const name = `leads-${new Date().toISOString().slice(0, 10)}.csv`;
    return c.body(exportCsv(db, shop, filter, hashes.term), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${name}"`,
      // Lets the page show progress against the number of rows it is about to receive.
      'x-total-rows': String(total),
    });
  });

  if (deps.setup) app.route('/setup', setupRoutes(deps.setup));

  app.get('/insights', async (c) => {
    const today = new Date().toISOString().slice(0, 10);
    const monthAgo = new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);
    const range = parse(z.object({ from: day.default(monthAgo), to: day.default(today) }), c.req.query(), 'invalid_query');
    if (range.from > range.to || Date.parse(range.to) - Date.parse(range.from) > 366 * 86_400_000)
      throw badRequest('invalid_range', 'from must precede to, within a year');
    return c.json(await insights(db, c.get('session').shop, range));
  });

  app.get('/leads/:id', async (c) => {
    const { shop, userId } = who(c);
    const detail = await leadDetail(db, shop, c.req.param('id'));
    const unmasked = can(c.get('staff').role, 'unmasked');
    const proposed = await proposedChangesOf(db, shop, detail.lead.id, unmasked);
    if (!unmasked)
      return c.json({
        ...detail,
        lead: maskLead(detail.lead),
        notes: [],
        consent: detail.consent.map((r) => ({ ...r, page: null })),
        proposed,
        attachment: null,
      } satisfies LeadDetail);
    await audit(db, { shop, userId, action: 'view_lead', leadId: detail.lead.id });
    return c.json({ ...detail, proposed } satisfies LeadDetail);
  });

  app.patch('/leads/:id', allow('work'), async (c) => {
    const parsed = parseCorrection(await c.req.json().catch(() => null));
    if (!parsed.ok) throw new InvalidCorrection(parsed.fields);
    const { shop, userId } = who(c);
    const result = await correctLead(db, hashes, shop, c.req.param('id'), parsed.value);
    if (result.changed.length) await audit(db, { shop, userId, action: 'edit', leadId: result.id, detail: { fields: result.changed, synced: result.queued } });
    return c.json(result);
  });

  app.post('/leads/:id/release', allow('work'), async (c) => {
    const { shop } = who(c);
    const result = await releaseFromQuarantine(db, shop, c.req.param('id'), Date.now, deps.confirmLink);
    return c.json(result);
  });

  app.post('/leads/:id/retry', allow('work'), async (c) => {
    const { shop } = who(c);
    const result = await retrySync(db, shop, c.req.param('id'));
    return c.json(result);
  });

  app.post('/leads/:id/handled', allow('work'), async (c) => {
    const body = parse(z.object({ handled: z.boolean() }), await c.req.json().catch(() => null), 'invalid_body');
    const { shop, userId } = who(c);
    return c.json(await markHandled(db, shop, c.req.param('id'), userId, body.handled));
  });

  app.post('/leads/:id/notes', allow('work'), async (c) => {
    const body = parse(
      z.object({ body: z.string().trim().min(1).max(4000).regex(MULTI_LINE, 'no control characters') }),
      await c.req.json().catch(() => null),
      'invalid_note',
    );
    const { shop, userId } = who(c);
    return c.json(await addNote(db, shop, c.req.param('id'), userId, body.body), 201);
  });

  // A reply to the shopper (leads/replies.ts): `key` is the client's, one per reply it means to send.
  app.post('/leads/:id/replies', allow('work'), async (c) => {
    const body = parse(
      z.object({
        body: z.string().trim().min(1).max(REPLY_MAX_CHARS).regex(MULTI_LINE, 'no control characters'),
        key: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, '8 to 64 letters, digits, _ or -'),
      }),
      await c.req.json().catch(() => null),
      'invalid_reply',
    );
    const { shop, userId } = who(c);
    const { entry, replayed } = await replyToLead(db, { shop, leadId: c.req.param('id'), author: userId, body: body.body, key: body.key });
    if (!replayed) await audit(db, { shop, userId, action: 'reply', leadId: c.req.param('id'), detail: { mail: entry.mail_id, chars: entry.body.length } });
    return c.json(entry, replayed ? 200 : 201);
  });

  app.delete('/leads/:id', allow('delete'), async (c) => {
    const { shop, userId } = who(c);
    await deleteLead(db, shop, c.req.param('id'));
    await audit(db, { shop, userId, action: 'delete', leadId: c.req.param('id') });
    return c.body(null, 204);
  });

  app.route('/', proposedChangesRoutes(db));
  app.route('/', staffRoutes(db));
  app.use('/compliance/*', allow('privacy'));
  app.use('/settings/*', allow('privacy'));
  app.use('/leads/:id/consent', allow('unmasked'));
  app.route('/', privacyRoutes(db));
  app.route('/', mailSettingsRoutes(db, deps.smtpConfigured ?? false));
  app.route('/', optInSettingsRoutes(db));
  app.route('/', definitionsRoutes(db, deps.maxCustomDefinitions ?? DEFAULT_MAX_CUSTOM_DEFINITIONS));
  return app;
}
