import * as z from 'zod';
import { MAIL_STRINGS, type MailLocale, mailLocale } from './strings.js';

/**
 * The app's e-mails: each template's values are parsed (they come back from the database), every value is escaped
 * into the HTML part, and nothing is loaded from elsewhere (no images, no tracking pixels, no remote styles).
 */
const confirmParams = z.object({ name: z.string().nullable(), url: z.url(), expiresAt: z.iso.datetime() });
const replyParams = z.object({ name: z.string().nullable(), body: z.string() });

/** The merchant's subject and text (null: the app's default in the shopper's language), frozen when queued. */
const autoreplyParams = z.object({ name: z.string().nullable(), subject: z.string().nullable(), text: z.string().nullable() });

const notifyParams = z.object({ form: z.string(), name: z.string().nullable(), email: z.string(), message: z.string().nullable(), link: z.url() });

/** A form's digest as sent: the leads' summaries were read at sending time (leads/digest.ts `expandDigest`). */
const digestParams = z.object({
  form: z.string(),
  mode: z.enum(['hourly', 'daily']),
  start: z.iso.datetime(),
  end: z.iso.datetime(),
  leads: z.array(z.object({ name: z.string().nullable(), email: z.string(), message: z.string().nullable(), link: z.url() })),
  more: z.number().int().min(0),
  quarantined: z.number().int().min(0),
});

export const TEMPLATES = {
  confirm_optin: confirmParams,
  reply: replyParams,
  notify_lead: notifyParams,
  autoreply: autoreplyParams,
  digest: digestParams,
} as const;

/** Staff mail is in the shop's language: English or French (the workspace's languages). */
const STAFF_STRINGS = {
  en: {
    subject: 'New lead from {{form}}: {{who}}',
    intro: 'A new lead arrived through the form “{{form}}”.',
    name: 'Name',
    email: 'E-mail',
    message: 'Message',
    open: 'Open the lead in the workspace',
    anonymous: 'no name',
    defaultForm: 'contact form',
    digestSubjectOne: '1 new lead from {{form}} – {{period}}',
    digestSubjectMany: '{{count}} new leads from {{form}} – {{period}}',
    digestSubjectNone: 'Leads in quarantine from {{form}} – {{period}}',
    digestIntro: 'Leads that arrived through the form “{{form}}”, {{period}}:',
    digestNone: 'No new lead to list for this period.',
    digestMore: 'And {{count}} more: see them in the workspace.',
    digestQuarantinedOne: '1 lead of this period was put in quarantine as likely spam; it is not listed. Review it in the workspace.',
    digestQuarantinedMany: '{{count}} leads of this period were put in quarantine as likely spam; they are not listed. Review them in the workspace.',
    digestWhy: 'You receive this {{frequency}} digest because the form “{{form}}” sends its new leads to this address.',
    hourly: 'hourly',
    daily: 'daily',
  },
  fr: {
    subject: 'Nouveau prospect via {{form}} : {{who}}',
    intro: 'Un nouveau prospect est arrivé par le formulaire « {{form}} ».',
    name: 'Nom',
    email: 'E-mail',
    message: 'Message',
    open: 'Ouvrir le prospect dans l’espace de travail',
    anonymous: 'sans nom',
    defaultForm: 'formulaire de contact',
    digestSubjectOne: '1 nouveau prospect via {{form}} – {{period}}',
    digestSubjectMany: '{{count}} nouveaux prospects via {{form}} – {{period}}',
    digestSubjectNone: 'Prospects en quarantaine via {{form}} – {{period}}',
    digestIntro: 'Prospects arrivés par le formulaire « {{form}} », {{period}} :',
    digestNone: 'Aucun nouveau prospect à présenter pour cette période.',
    digestMore: 'Et {{count}} de plus : retrouvez-les dans l’espace de travail.',
    digestQuarantinedOne:
      '1 prospect de cette période a été mis en quarantaine comme spam probable ; il n’est pas listé. Vérifiez-le dans l’espace de travail.',
    digestQuarantinedMany:
      '{{count}} prospects de cette période ont été mis en quarantaine comme spam probable ; ils ne sont pas listés. Vérifiez-les dans l’espace de travail.',
    digestWhy: 'Vous recevez ce récapitulatif {{frequency}} car le formulaire « {{form}} » envoie ses nouveaux prospects à cette adresse.',
    hourly: 'horaire',
    daily: 'quotidien',
  },
} as const;

export type TemplateName = keyof typeof TEMPLATES;
export type TemplateParams<T extends TemplateName> = z.input<(typeof TEMPLATES)[T]>;

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
  language: MailLocale;
  /** Written by the app itself rather than by a person (Auto-Submitted). */
  automatic: boolean;
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** `{{name}}` placeholders filled; values escaped for HTML when `html`. A placeholder without a value stays empty. */
const fill = (template: string, vars: Record<string, string>, html: boolean): string =>
  template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, key: string) => (html ? escapeHtml(vars[key] ?? '') : (vars[key] ?? '')));

/** Subject lines are one line: a value with a line break must not start a header of its own. */
const oneLine = (value: string): string => value.replace(/[\r\n\t]+/g, ' ').trim();

const paragraphs = (text: string): string =>
  text
    .split(/\n{2,}/)
    .map((p) => `<p style="margin:0 0 16px">${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('');

function layout(language: string, title: string, body: string, footer: string): string {
  return (
    `<!doctype html><html lang="${escapeHtml(language)}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head>` +
    `<body style="margin:0;padding:24px;background:#f6f6f7;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#202223">` +
    `<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px;line-height:1.5">${body}` +
    `<p style="margin:24px 0 0;color:#6d7175;font-size:13px">${footer}</p></div></body></html>`
  );
}

function formatDate(iso: string, locale: MailLocale): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(iso)) + ' UTC';
}

/** `shopName` is the sender's name as the merchant set it, at the time of sending. */
export function renderMail(template: string, locale: string, rawParams: unknown, shopName: string): RenderedMail {
  const language = mailLocale(locale);
  const s = MAIL_STRINGS[language];
  switch (template) {
    case 'confirm_optin': {
      const p = parseParams(confirmParams, rawParams, template);
      const vars = { shop: shopName, name: p.name ?? '', date: formatDate(p.expiresAt, language) };
      const hello = p.name ? s.helloName : s.hello;
      const subject = oneLine(fill(s.confirmSubject, vars, false));
      const html = layout(
        language,
        subject,
        `<p style="margin:0 0 16px">${fill(hello, vars, true)}</p>` +
          `<p style="margin:0 0 16px">${fill(s.confirmIntro, vars, true)}</p>` +
          `<p style="margin:0 0 16px"><a href="${escapeHtml(p.url)}" style="display:inline-block;background:#008060;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none">${escapeHtml(s.confirmButton)}</a></p>` +
          `<p style="margin:0 0 16px;word-break:break-all;font-size:13px">${escapeHtml(p.url)}</p>` +
          `<p style="margin:0 0 16px">${fill(s.confirmExpires, vars, true)} ${fill(s.confirmIgnore, vars, true)}</p>`,
        fill(s.sentBy, vars, true),
      );
      const text = [
        fill(hello, vars, false),
        '',
        fill(s.confirmIntro, vars, false),
        '',
        p.url,
        '',
        `${fill(s.confirmExpires, vars, false)} ${fill(s.confirmIgnore, vars, false)}`,
        '',
        '-- ',
        fill(s.sentBy, vars, false),
      ].join('\n');
      return { subject, html, text, language, automatic: true };
    }
    case 'reply': {
      const p = parseParams(replyParams, rawParams, template);
      const vars = { shop: shopName, name: p.name ?? '' };
      const hello = p.name ? s.helloName : s.hello;
      const subject = oneLine(fill(s.replySubject, vars, false));
      const html = layout(language, subject, `<p style="margin:0 0 16px">${fill(hello, vars, true)}</p>${paragraphs(p.body)}`, fill(s.sentBy, vars, true));
      const text = [fill(hello, vars, false), '', p.body, '', '-- ', fill(s.sentBy, vars, false)].join('\n');
      return { subject, html, text, language, automatic: false };
    }
    case 'autoreply': {
      const p = parseParams(autoreplyParams, rawParams, template);
      const vars = { shop: shopName, name: p.name ?? '' };
      const hello = p.name ? s.helloName : s.hello;
      const subject = oneLine(fill(p.subject?.trim() || s.autoreplySubject, vars, false));
      // The merchant's text may name {{shop}} and {{name}}; as text it is filled raw, as HTML every value is escaped.
      const body = p.text?.trim() || s.autoreplyText;
      const html = layout(
        language,
        subject,
        `<p style="margin:0 0 16px">${fill(hello, vars, true)}</p>${paragraphs(fill(body, vars, false))}`,
        fill(s.sentBy, vars, true),
      );
      const text = [fill(hello, vars, false), '', fill(body, vars, false), '', '-- ', fill(s.sentBy, vars, false)].join('\n');
      return { subject, html, text, language, automatic: true };
    }
    case 'notify_lead': {
      const p = parseParams(notifyParams, rawParams, template);
      const staff = locale.toLowerCase().startsWith('fr') ? 'fr' : 'en';
      const w = STAFF_STRINGS[staff];
      const vars = { shop: shopName, form: p.form || w.defaultForm, who: p.name ?? p.email };
      const subject = oneLine(fill(w.subject, vars, false));
      const row = (label: string, value: string) =>
        `<tr><th scope="row" style="text-align:left;padding:4px 12px 4px 0;vertical-align:top">${escapeHtml(label)}</th><td style="padding:4px 0">${escapeHtml(value).replace(/\n/g, '<br>')}</td></tr>`;
      const html = layout(
        staff,
        subject,
        `<p style="margin:0 0 16px">${fill(w.intro, vars, true)}</p><table style="border-collapse:collapse;margin:0 0 16px">` +
          row(w.name, p.name ?? w.anonymous) +
          row(w.email, p.email) +
          (p.message ? row(w.message, p.message) : '') +
          `</table><p style="margin:0"><a href="${escapeHtml(p.link)}">${escapeHtml(w.open)}</a></p>`,
        escapeHtml(shopName),
      );
      const text = [
        fill(w.intro, vars, false),
        '',
        `${w.name}: ${p.name ?? w.anonymous}`,
        `${w.email}: ${p.email}`,
        ...(p.message ? [`${w.message}:`, p.message] : []),
        '',
        `${w.open}: ${p.link}`,
      ].join('\n');
      return { subject, html, text, language: staff, automatic: true };
    }
    case 'digest': {
      const p = parseParams(digestParams, rawParams, template);
      const staff = locale.toLowerCase().startsWith('fr') ? 'fr' : 'en';
      const w = STAFF_STRINGS[staff];
      const count = p.leads.length + p.more;
      const vars = {
        shop: shopName,
        form: p.form || w.defaultForm,
        count: String(count),
        period: digestPeriodLabel(p.mode, p.start, p.end, staff),
        frequency: w[p.mode],
      };
      const subject = oneLine(fill(count === 0 ? w.digestSubjectNone : count === 1 ? w.digestSubjectOne : w.digestSubjectMany, vars, false));
      const quarantined =
        p.quarantined === 0 ? null : fill(p.quarantined === 1 ? w.digestQuarantinedOne : w.digestQuarantinedMany, { count: String(p.quarantined) }, false);
      const more = p.more ? fill(w.digestMore, { count: String(p.more) }, false) : null;
      const row = (label: string, value: string) =>
        `<tr><th scope="row" style="text-align:left;padding:2px 12px 2px 0;vertical-align:top;font-weight:normal;color:#6d7175">${escapeHtml(label)}</th><td style="padding:2px 0">${escapeHtml(value).replace(/\n/g, '<br>')}</td></tr>`;
      const items = p.leads
        .map(
          (lead) =>
            `<li style="margin:0 0 16px"><strong>${escapeHtml(lead.name ?? w.anonymous)}</strong>` +
            `<table style="border-collapse:collapse;margin:4px 0">${row(w.email, lead.email)}${lead.message ? row(w.message, lead.message) : ''}</table>` +
            `<a href="${escapeHtml(lead.link)}">${escapeHtml(w.open)}</a></li>`,
        )
        .join('');
      const html = layout(
        staff,
        subject,
        `<p style="margin:0 0 16px">${fill(w.digestIntro, vars, true)}</p>` +
          (items ? `<ul style="margin:0 0 16px;padding-left:20px">${items}</ul>` : `<p style="margin:0 0 16px">${escapeHtml(w.digestNone)}</p>`) +
          (more ? `<p style="margin:0 0 16px">${escapeHtml(more)}</p>` : '') +
          (quarantined ? `<p style="margin:0 0 16px">${escapeHtml(quarantined)}</p>` : '') +
          `<p style="margin:0;color:#6d7175;font-size:13px">${fill(w.digestWhy, vars, true)}</p>`,
        escapeHtml(shopName),
      );
      const text = [
        fill(w.digestIntro, vars, false),
        '',
        ...(p.leads.length
          ? p.leads.flatMap((lead, i) => [
              `${i + 1}. ${lead.name ?? w.anonymous}`,
              `   ${w.email}: ${lead.email}`,
              ...(lead.message ? [`   ${w.message}: ${lead.message.replace(/\n/g, '\n   ')}`] : []),
              `   ${w.open}: ${lead.link}`,
              '',
            ])
          : [w.digestNone, '']),
        ...(more ? [more, ''] : []),
        ...(quarantined ? [quarantined, ''] : []),
        fill(w.digestWhy, vars, false),
      ].join('\n');
      return { subject, html, text, language: staff, automatic: true };
    }
    default:
      throw new TemplateError(`unknown mail template ${template}`);
  }
}

/**
 * "30 November 2026, 13:00–14:00 UTC" for an hour; "30 November 2026 (UTC)" for a day. A digest that also lists
 * leads of earlier periods (leads/digest.ts) names them all: "29 November 2026, 22:00 – 30 November 2026, 01:00 UTC",
 * "29 November 2026 – 30 November 2026 (UTC)".
 */
function digestPeriodLabel(mode: 'hourly' | 'daily', start: string, end: string, language: 'en' | 'fr'): string {
  const day = (iso: string) => new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(iso));
  // The day the period's last moment falls on: an hour ending at midnight ends on its own day.
  const first = day(start);
  const last = day(new Date(Date.parse(end) - 1).toISOString());
  if (mode === 'daily') return first === last ? `${first} (UTC)` : `${first} – ${last} (UTC)`;
  const time = (iso: string) =>
    new Intl.DateTimeFormat(language, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' }).format(new Date(iso));
  return first === last ? `${first}, ${time(start)}–${time(end)} UTC` : `${first}, ${time(start)} – ${last}, ${time(end)} UTC`;
}

function parseParams<T extends z.ZodType>(schema: T, raw: unknown, template: string): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new TemplateError(`the values of a ${template} mail do not fit its template`);
  return parsed.data;
}
