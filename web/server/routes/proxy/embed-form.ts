import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { contactField } from '../../../../schema/contact-fields.js';
import { type ConditionRule, conditionNames, parseConditions } from '../../../../schema/conditions.js';
import { type CustomFieldSpec, customSpec } from '../../../../schema/submission.js';
import { UPLOAD_DEFAULT_MAX_MB, UPLOAD_MAX_MB, UPLOAD_TYPES, MB } from '../../../../schema/uploads.js';
import type { Translator } from '../../core/i18n.js';
import { EXTENSION_DIR } from '../../core/paths.js';
import { escapeForLiquid as esc } from './liquid-pages.js';

/**
 * The app embed's form, rendered on its trigger (POST /embed-form), so that the page carries only the embed's trigger
 * and a small config before then (budget: 1 KB brotli). The markup is the contact block's (blocks/contact-form.liquid
 * and snippets/cc-field.liquid: the same classes, ids, data attributes and hidden fields, which the UI bundle reads),
 * in the shopper's locale from the extension's own locale files; tests/theme-embed.test.ts compares the two.
 *
 * Everything in the config is the page's, so anyone can send anything: every value is escaped, the merchant's
 * rich-text consent keeps only links and emphasis, and the answer is JSON (a page navigated to it shows text, never
 * markup). The signed values (tags, custom fields, double opt-in, attachment limits) are only carried into hidden
 * fields: the submit and upload routes check their signatures as they do the block's.
 */
const text = (max: number) => z.optional(z.string().check(z.maxLength(max)));
const signature = z.optional(z.string().check(z.regex(/^[0-9a-f]{64}$/)));
const VISIBILITY = ['hidden', 'optional', 'required'] as const;
type Visibility = (typeof VISIBILITY)[number];
/** The block's field settings in the order the embed writes them in `fields`, with their schema defaults. */
export const FIELD_SETTINGS = [
  ['first_name', 'optional'],
  ['last_name', 'optional'],
  ['phone', 'optional'],
  ['company', 'hidden'],
  ['message', 'optional'],
  ['birthday', 'hidden'],
  ['address', 'hidden'],
] as const satisfies ReadonlyArray<readonly [string, Visibility]>;

/** The block's `maxlength` per standard field (cc-field's default, 255, for the others). */
const MAXLENGTH: Record<string, number> = { first_name: 100, last_name: 100, email: 254, phone: 32, birthday: 10, zip: 20, country: 2, message: 5000 };

export const embedConfig = z.object({
  block: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/)),
  locale: text(20),
  page: text(2048),
  /** The merchant's form name (handleized in Liquid); absent, the block's id, as the block's `form_id` field. */
  form_id: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/))),
  proxy: z.optional(z.string().check(z.regex(/^\/[A-Za-z0-9_/-]{1,100}$/))),
  fields: z.optional(z.string().check(z.maxLength(100))),
  spacing: z.optional(z.number().check(z.int(), z.gte(0), z.lte(64))),
  // `/\\` as well as `//`: browsers read a backslash there as a slash, so either starts another site's address.
  privacy_url: z.optional(z.string().check(z.maxLength(2048), z.regex(/^(\/(?![/\\])|https:\/\/)/))),
  heading: text(255),
  submit_label: text(255),
  success_message: text(1000),
  redirect_url: z.optional(z.string().check(z.maxLength(2048), z.regex(/^(\/(?![/\\])|https?:\/\/)/))),
  field_text: text(5000),
  conditions: text(2000),
  consent_text: text(5000),
  consent_required: z.optional(z.boolean()),
  sms_consent_text: text(5000),
  whatsapp_consent_text: text(5000),
  privacy_text: text(1000),
  privacy_link_label: text(255),
  accent_color: z.optional(z.string().check(z.regex(/^#[0-9a-fA-F]{3,8}$|^rgba?\([0-9., ]{5,40}\)$/))),
  file_accept: z.optional(z.enum(['images', 'pdf', 'images_pdf'])),
  file_max_mb: z.optional(z.number().check(z.int(), z.gte(1), z.lte(UPLOAD_MAX_MB))),
  file_label: text(255),
  file_sig: signature,
  custom_fields: text(10_000),
  custom_fields_sig: signature,
  tags: text(1000),
  tags_sig: signature,
  double_opt_in: text(20),
  double_opt_in_sig: signature,
  design: z.optional(z.boolean()),
  sample: z.optional(z.enum(['form', 'errors', 'success'])),
  customer: z.optional(z.record(z.string(), z.nullable(z.string().check(z.maxLength(1000))))),
});
export type EmbedConfig = z.output<typeof embedConfig>;

let css: string | null = null;
/** The block's and the dialog's built stylesheets, read once. */
function styles(): string {
  if (css === null) {
    const read = (file: string) => {
      try {
        const built = readFileSync(join(EXTENSION_DIR, 'assets', file), 'utf8');
        return /<\//.test(built) ? '' : built;
      } catch {
        return '';
      }
    };
    css = read('contact-form.css') + read('contact-dialog.css');
  }
  return css;
}

/** Liquid's `handleize` (as dev/theme-liquid.ts plays it): lower case, accents dropped, runs of anything but letters, digits and `_` become one `-`. */
const handleize = (value: string) =>
  value
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/^-+|-+$/g, '');

/**
 * Liquid's `strip_html`, as the block strips the consent wording it records, in one pass: its regular expressions,
 * run here on text full of unclosed `<script` or `<a`, would scan to the end once per opening (a 32 KB config cost
 * 150 ms of CPU).
 */
export function stripHtml(html: string): string {
  const lower = html.toLowerCase();
  const blocks = [
    { open: '<script', close: '</script>' },
    { open: '<style', close: '</style>' },
    { open: '<!--', close: '-->' },
  ].map((b) => ({ ...b, next: lower.indexOf(b.open) }));
  let out = '';
  let at = 0;
  for (;;) {
    for (const b of blocks) if (b.next !== -1 && b.next < at) b.next = lower.indexOf(b.open, at);
    const first = blocks.filter((b) => b.next !== -1).sort((a, b) => a.next - b.next)[0];
    if (!first) break;
    const end = lower.indexOf(first.close, first.next + first.open.length);
    // Unclosed: no later opening of its kind can close either, so those are text (their tags go below).
    if (end === -1) {
      first.next = -1;
      continue;
    }
    out += html.slice(at, first.next);
    at = end + first.close.length;
  }
  out += html.slice(at);
  return out.replace(/<[^<>]*>/g, '').trim();
}

/**
 * The merchant's rich-text consent wording as the block shows it (paragraphs run together), keeping only links
 * (http(s) or same-site) and emphasis; any other tag or attribute is dropped and all text is escaped.
 */
export function safeRichText(html: string): string {
  const out: string[] = [];
  // [^<>]: a tag never spans another `<`, so text full of unclosed `<a` is read once, not once per `<`.
  const tag = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)([^<>]*)>/g;
  let last = 0;
  const textOf = (s: string) =>
    esc(s.replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: '\u00a0' })[e] ?? ''));
  for (const m of html.matchAll(tag)) {
    out.push(textOf(html.slice(last, m.index)));
    last = m.index + m[0].length;
    const [, closing, rawName = '', attrs = ''] = m;
    const name = rawName.toLowerCase();
    if (name === 'p') {
      if (closing) out.push(' ');
    } else if (['strong', 'em', 'b', 'i', 'u'].includes(name)) out.push(`<${closing}${name}>`);
    else if (name === 'a') {
      if (closing) out.push('</a>');
      else {
        const href = /\bhref\s*=\s*"([^"]*)"/i.exec(attrs)?.[1] ?? '';
        const safe = /^(https?:\/\/|\/(?![/\\]))[^\s<>"'\\]*$/i.test(href.replace(/&amp;/g, '&')) ? href.replace(/&amp;/g, '&') : '';
        out.push(safe ? `<a href="${esc(safe)}">` : '<a>');
      }
    }
  }
  out.push(textOf(html.slice(last)));
  return out.join('').trim();
}

interface FieldOptions {
  kind: string;
  label: string;
  required?: boolean;
  value?: string;
  autocomplete?: string;
  maxlength?: number;
  hint?: string;
  options?: readonly string[];
  sampleError?: string;
}

export function embedFormHtml(translator: Translator, config: EmbedConfig, uiSrc: string | null = null): string {
  const locale = translator.resolve(config.locale);
  const t = (key: string, vars?: Record<string, string>) => translator.t(locale, key, vars);
  const formId = `contact-capture-${config.block}`;
  const visibility = new Map<string, Visibility>();
  const given = (config.fields ?? '').split(',');
  FIELD_SETTINGS.forEach(([name, fallback], i) => {
    const v = given[i]?.trim();
    visibility.set(name, (VISIBILITY as readonly string[]).includes(v ?? '') ? (v as Visibility) : fallback);
  });
  const mode = (setting: string) => visibility.get(setting) ?? 'hidden';
  const customer = config.customer ?? {};

  // The merchant's "name: Label | Placeholder" lines (cc-field.liquid reads them the same way).
  const overrides = new Map<string, { label?: string; placeholder?: string }>();
  for (const line of (config.field_text ?? '').split(/\r?\n/)) {
    const name = line.split(':')[0]?.trim();
    if (!name || !line.includes(':')) continue;
    const rest = line.slice(line.indexOf(':') + 1).trim();
    const label = rest.split('|')[0]?.trim();
    const placeholder = rest.includes('|') ? rest.split('|').pop()?.trim() : undefined;
    overrides.set(name, { ...(label ? { label } : {}), ...(placeholder ? { placeholder } : {}) });
  }

  let custom: CustomFieldSpec[] = [];
  if (config.custom_fields) {
    try {
      const parsed = z.safeParse(customSpec, JSON.parse(config.custom_fields));
      if (parsed.success) custom = parsed.data;
    } catch {
      // Not JSON: no custom fields; the submit route refuses such a spec anyway.
    }
  }
  const rules: ConditionRule[] = config.conditions ? parseConditions(config.conditions, conditionNames(custom.map((c) => c.key))).rules : [];
  const labelOf = (name: string): string => {
    const c = custom.find((f) => `custom.${f.key}` === name);
    if (c) return c.label ?? c.key;
    const key = `contact_form.fields.${name}.label`;
    const found = t(key);
    return found === key ? name : found;
  };
  const or = t('contact_form.conditions.or');
  const sample = config.design ? (config.sample ?? 'form') : 'form';
  const emailSampleError = sample === 'errors' ? t('contact_form.errors.invalid_email') : '';

  const field = (name: string, o: FieldOptions): string => {
    const override = overrides.get(name);
    // `o.label` is markup already (escaped, or the sanitised consent wording); the merchant's override is text.
    const label = override?.label ? esc(override.label) : o.label;
    const placeholder = override?.placeholder ?? '';
    const id = handleize(`${formId}-${name}`);
    const rule = rules.find((r) => r.target === name);
    const condText = rule ? t(`contact_form.conditions.only_if_${rule.op}`, { field: labelOf(rule.source), value: rule.values.join(or) }) : '';
    const described = [o.hint ? `${id}-hint` : '', condText ? `${id}-condition` : ''].filter(Boolean).join(' ');
    // Without JavaScript nothing hides a conditional field, so the browser must not insist on it (as in cc-field).
    const htmlRequired = o.required && !condText ? ' required aria-required="true"' : '';
    const star = o.required ? ' <span aria-hidden="true">*</span>' : '';
    const cond = condText ? `<p class="cc__condition" id="${id}-condition" data-cc-condition>${esc(condText)}</p>` : '';
    const error = `<p class="cc__error" id="${id}-error" data-cc-error>${esc(o.sampleError ?? '')}</p>`;
    const value = o.value ?? '';
    if (o.kind === 'checkbox') {
      return (
        `<div class="cc__consent" data-cc-field="${esc(name)}" data-cc-kind="checkbox"${o.required ? ' data-cc-required' : ''}>` +
        `<input class="cc__checkbox" id="${id}" name="${esc(name)}" type="checkbox" value="on"${value ? ' checked' : ''}${htmlRequired}${condText ? ` aria-describedby="${id}-condition"` : ''}>` +
        `<label class="cc__consent-label" for="${id}">${label}${star}</label>${cond}${error}</div>`
      );
    }
    const describedAttr = o.sampleError
      ? ` aria-invalid="true" aria-describedby="${`${described} ${id}-error`.trim()}"`
      : described
        ? ` aria-describedby="${described}"`
        : '';
    const ph = placeholder ? ` placeholder="${esc(placeholder)}"` : '';
    let control: string;
    if (o.kind === 'textarea') {
      control = `<textarea class="cc__input cc__textarea" id="${id}" name="${esc(name)}" rows="5" maxlength="${o.maxlength ?? 5000}"${htmlRequired}${ph}${describedAttr}>${esc(value)}</textarea>`;
    } else if (o.kind === 'select') {
      const opts = (o.options ?? []).map((v) => `<option value="${esc(v)}"${v === value ? ' selected' : ''}>${esc(v)}</option>`).join('');
      control = `<select class="cc__input" id="${id}" name="${esc(name)}"${htmlRequired}${describedAttr}><option value="">${esc(placeholder || t('contact_form.choose'))}</option>${opts}</select>`;
    } else {
      const type = o.kind === 'number' ? 'text' : o.kind;
      control =
        `<input class="cc__input" id="${id}" name="${esc(name)}" type="${type}"${o.autocomplete ? ` autocomplete="${o.autocomplete}"` : ''}` +
        `${o.kind === 'email' ? ' spellcheck="false" autocapitalize="off"' : ''}${o.kind === 'number' ? ' inputmode="decimal" step="any"' : ''}` +
        ` maxlength="${o.maxlength ?? 255}"${htmlRequired}${ph}${describedAttr} value="${esc(value)}">`;
    }
    const options = o.options ? ` data-cc-options="${esc(o.options.join('|'))}"` : '';
    return (
      `<div class="cc__field" data-cc-field="${esc(name)}" data-cc-kind="${esc(o.kind)}"${o.required ? ' data-cc-required' : ''}${options}>` +
      `<label class="cc__label" for="${id}">${label}${star}</label>${cond}${control}` +
      `${o.hint ? `<p class="cc__hint" id="${id}-hint">${esc(o.hint)}</p>` : ''}${error}</div>`
    );
  };
  const contact = (name: string, required: boolean, extra: Partial<FieldOptions> = {}): string => {
    const def = contactField(name);
    return field(name, {
      kind: def?.input ?? 'text',
      label: esc(t(`contact_form.fields.${name}.label`)),
      required,
      value: customer[name] ?? '',
      ...(def?.autocomplete ? { autocomplete: def.autocomplete } : {}),
      maxlength: MAXLENGTH[name] ?? 255,
      ...extra,
    });
  };

  const parts: string[] = [];
  const names = (['first_name', 'last_name'] as const).filter((n) => mode(n) !== 'hidden');
  if (names.length) parts.push(`<div class="cc__row">${names.map((n) => contact(n, mode(n) === 'required')).join('')}</div>`);
  parts.push(contact('email', true, emailSampleError ? { sampleError: emailSampleError } : {}));
  if (mode('phone') !== 'hidden' || config.sms_consent_text || config.whatsapp_consent_text)
    parts.push(contact('phone', mode('phone') === 'required', { hint: t('contact_form.fields.phone.hint') }));
  if (mode('company') !== 'hidden') parts.push(contact('company', mode('company') === 'required'));
  if (mode('birthday') !== 'hidden') parts.push(contact('birthday', mode('birthday') === 'required'));
  if (mode('address') !== 'hidden') {
    const req = mode('address') === 'required';
    parts.push(
      `<fieldset class="cc__fieldset"><legend class="cc__label">${esc(t('contact_form.fields.address.label'))}</legend>` +
        contact('address1', req) +
        contact('address2', false) +
        `<div class="cc__row">${contact('city', req)}${contact('zip', req)}</div>` +
        `<div class="cc__row">${contact('province', false)}${contact('country', req, { hint: t('contact_form.fields.country.hint') })}</div></fieldset>`,
    );
  }
  if (mode('message') !== 'hidden') parts.push(contact('message', mode('message') === 'required'));
  for (const c of custom) {
    parts.push(
      field(`custom.${c.key}`, {
        kind: c.kind,
        label: esc(c.label ?? c.key),
        required: c.required,
        ...(c.kind === 'select' ? { options: c.options ?? [] } : {}),
      }),
    );
  }

  // As the block: without the form key's signature (the app not yet opened in the shop's admin) the upload route
  // refuses every file, so there is no field, and the theme editor says why.
  const fileOn = Boolean(config.file_accept && config.file_sig);
  if (config.file_accept && !config.file_sig && config.design)
    parts.push(`<div class="cc__config" data-cc-file-setup><p>${esc(t('contact_form.attachment.needs_setup'))}</p></div>`);
  if (config.file_accept && config.file_sig) {
    const types =
      config.file_accept === 'images' ? UPLOAD_TYPES.images : config.file_accept === 'pdf' ? UPLOAD_TYPES.pdf : [...UPLOAD_TYPES.images, ...UPLOAD_TYPES.pdf];
    const accept = types.join(',');
    const maxBytes = (config.file_max_mb ?? UPLOAD_DEFAULT_MAX_MB) * MB;
    const id = `${formId}-attachment`;
    parts.push(
      `<div class="cc__field cc__file" data-cc-file data-accept="${accept}" data-max-bytes="${maxBytes}" data-limits="${config.file_accept}:${config.file_max_mb ?? UPLOAD_DEFAULT_MAX_MB}"` +
        ` data-limits-sig="${config.file_sig}">` +
        `<label for="${id}">${esc(config.file_label?.trim() || t('contact_form.attachment.label'))}</label>` +
        `<input id="${id}" type="file" accept="${accept}" aria-describedby="${id}-note">` +
        `<p id="${id}-note" class="cc__hint" data-cc-file-note aria-live="polite">${esc(t('contact_form.attachment.needs_js'))}</p>` +
        `<input type="hidden" name="attachment" value=""></div>`,
    );
  }

  const consentHtml = config.consent_text ?? esc(t('contact_form.consent.default'));
  parts.push(field('email_marketing_consent', { kind: 'checkbox', label: safeRichText(consentHtml), required: config.consent_required ?? false }));
  for (const [name, textName, wording] of [
    ['sms_marketing_consent', 'sms_consent_text', config.sms_consent_text],
    ['whatsapp_marketing_consent', 'whatsapp_consent_text', config.whatsapp_consent_text],
  ] as const) {
    if (!wording) continue;
    parts.push(field(name, { kind: 'checkbox', label: safeRichText(wording) }));
    parts.push(`<input type="hidden" name="${textName}" value="${esc(stripHtml(wording))}">`);
  }

  const hidden = (name: string, value: string | undefined) => (value ? `<input type="hidden" name="${name}" value="${esc(value)}">` : '');
  const required = ['email', ...['first_name', 'last_name', 'phone', 'company', 'message', 'birthday', 'address'].filter((n) => mode(n) === 'required')];
  parts.push(
    `<div class="cc__hp" aria-hidden="true"><label for="${formId}-website">${esc(t('contact_form.fields.website.label'))}</label>` +
      `<input id="${formId}-website" name="website" type="text" tabindex="-1" autocomplete="off"></div>` +
      (config.consent_required ? hidden('consent_required', 'on') : '') +
      hidden('custom_fields', config.custom_fields) +
      (config.custom_fields ? hidden('custom_fields_sig', config.custom_fields_sig) : '') +
      (config.tags && config.tags_sig ? hidden('tags', config.tags) + hidden('tags_sig', config.tags_sig) : '') +
      (config.double_opt_in && config.double_opt_in_sig
        ? hidden('double_opt_in', config.double_opt_in) + hidden('double_opt_in_sig', config.double_opt_in_sig)
        : '') +
      hidden('required_fields', required.join(',')) +
      hidden('conditions', config.conditions) +
      // The UI sets the fill time and a fresh key when it binds the form (dialog.ts).
      hidden('rendered_at', String(Date.now())) +
      hidden('consent_text', stripHtml(consentHtml)) +
      hidden('locale', config.locale) +
      hidden('page', config.page) +
      hidden('form_id', config.form_id ?? handleize(config.block).slice(0, 64)) +
      `<input type="hidden" name="idempotency_key" value="">`,
  );
  const privacyText = config.privacy_text?.trim() || t('contact_form.privacy_notice.text');
  const privacyLink = config.privacy_link_label?.trim() || t('contact_form.privacy_notice.link');
  parts.push(
    `<p class="cc__privacy" id="${formId}-privacy">${esc(privacyText)}${config.privacy_url ? ` <a href="${esc(config.privacy_url)}">${esc(privacyLink)}</a>` : ''}</p>` +
      `<div class="cc__actions"><button class="cc__submit" type="submit" aria-describedby="${formId}-privacy">${esc(config.submit_label || t('contact_form.submit'))}</button></div>`,
  );
  const success = config.success_message || t('contact_form.success');
  parts.push(`<div class="cc__status" data-cc-status role="status" aria-live="polite">${sample === 'success' ? esc(success) : ''}</div>`);
  const messages: Record<string, unknown> = {
    success,
    sending: t('contact_form.sending'),
    network: t('contact_form.network_error'),
    retry: t('contact_form.retry'),
    rate_limited: t('contact_form.rate_limited'),
    summary: t('contact_form.error_summary'),
    separator: t('contact_form.label_separator'),
    errors: Object.fromEntries(
      ['required', 'invalid_email', 'invalid_phone', 'too_long', 'invalid', 'consent_required'].map((code) => [code, t(`contact_form.errors.${code}`)]),
    ),
  };
  if (fileOn)
    messages.attachment = Object.fromEntries(
      ['hint', 'uploading', 'uploaded', 'too_large', 'wrong_type', 'failed', 'rate_limited'].map((k) => [k, t(`contact_form.attachment.${k}`)]),
    );
  // JSON inside <script>: `<` escaped so no string can end the element.
  parts.push(`<script type="application/json" data-cc-messages>${JSON.stringify(messages).replace(/</g, '\\u003c')}</script>`);

  const summary =
    sample === 'errors'
      ? `<p>${esc(t('contact_form.error_summary'))}</p><ul><li><a href="#${handleize(`${formId}-email`)}">${esc(t('contact_form.fields.email.label'))}${esc(t('contact_form.label_separator'))}${esc(emailSampleError)}</a></li></ul>`
      : '';
  const configBox =
    config.design && config.conditions
      ? `<div class="cc__config" data-cc-config role="alert" hidden><p>${esc(t('contact_form.conditions.errors.title'))}</p>` +
        `<script type="application/json">${JSON.stringify(
          Object.fromEntries(
            ['syntax', 'unknown_field', 'not_conditional', 'self', 'duplicate', 'cycle', 'too_many'].map((k) => [k, t(`contact_form.conditions.errors.${k}`)]),
          ),
        ).replace(/</g, '\\u003c')}</script><ul></ul></div>`
      : '';
  const heading = config.heading?.trim() || t('contact_form.heading');
  const style = `${config.accent_color ? `--cc-accent: ${config.accent_color};` : ''}--cc-gap: ${config.spacing ?? 16}px;`;
  return (
    `<style>${styles()}</style>` +
    `<dialog class="cc-embed__dialog" aria-modal="true" aria-labelledby="${formId}-heading" lang="${esc(locale)}">` +
    `<button type="button" class="cc-embed__close" data-cc-close aria-label="${esc(t('contact_embed.close'))}"><span aria-hidden="true">&times;</span></button>` +
    `<div class="cc" style="${style}">` +
    `<h2 class="cc__heading" id="${formId}-heading">${esc(heading)}</h2>` +
    `<form id="${formId}" class="cc__form" action="${esc(config.proxy ?? '/apps/contact-capture')}/submit" method="post" accept-charset="UTF-8" data-contact-capture` +
    `${config.design ? ' data-cc-design' : ''}${uiSrc ? ` data-ui-src="${esc(uiSrc)}"` : ''}${config.redirect_url ? ` data-redirect="${esc(config.redirect_url)}"` : ''} aria-labelledby="${formId}-heading">` +
    `<div class="cc__summary" data-cc-summary tabindex="-1"${sample === 'errors' ? '' : ' hidden'}>${summary}</div>` +
    configBox +
    `<p class="cc__live" data-cc-live aria-live="polite" data-shown="${esc(t('contact_form.conditions.shown'))}"></p>` +
    `<p class="cc__required-note">${esc(t('contact_form.required_note'))}</p>` +
    parts.join('') +
    `</form></div></dialog>`
  );
}
