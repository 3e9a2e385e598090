import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTACT_FIELDS } from '../../../../schema/contact-fields.js';
import type { ConditionRule } from '../../../../schema/conditions.js';
import type { DeclaredField, FieldErrors } from '../../../../schema/submission.js';
import type { Translator } from '../../core/i18n.js';
import { EXTENSION_DIR } from '../../core/paths.js';
import { contactControl } from './contact-input.js';
import { escapeForLiquid as esc, safeBackPath } from './liquid-pages.js';

/**
 * The form again, for a shopper without JavaScript whose post had errors: rendered inside the theme (Liquid
 * response), with what they typed, each error next to its field, an error summary linking to the fields, and the
 * block's hidden settings carried over. Nothing typed is echoed unescaped.
 */
const CARRIED = [
  'consent_text',
  'sms_consent_text',
  'whatsapp_consent_text',
  'locale',
  'page',
  'form_id',
  'custom_fields',
  'custom_fields_sig',
  'tags',
  'tags_sig',
  'required_fields',
  'conditions',
  'consent_required',
  'rendered_at',
  'idempotency_key',
];

/**
 * The block's privacy notice links the shop's policy: the page's only Liquid, fixed here (never built from anything
 * posted), which Shopify fills in when it renders the page in the theme.
 */
export const PRIVACY_LINK_LIQUID = ['{% if shop.privacy_policy %} <a href="{{ shop.privacy_policy.url }}">', '</a>{% endif %}'] as const;
const privacyLink = (label: string) => `${PRIVACY_LINK_LIQUID[0]}${label}${PRIVACY_LINK_LIQUID[1]}`;

let css: string | null = null;
function styles(): string {
  if (css === null) {
    try {
      const built = readFileSync(join(EXTENSION_DIR, 'assets', 'contact-form.css'), 'utf8');
      // CSS braces are harmless to Liquid; only `{{` and `{%` would be read as Liquid, and minified CSS has neither.
      css = /\{\{|\{%|<\//.test(built) ? '' : built;
    } catch {
      css = '';
    }
  }
  return css;
}

/**
 * `custom`: the fields as the server parsed and checked the posted spec, never the raw JSON again. `conditions`: the
 * rules as the server parsed them: each conditional field shows, with its condition beside it, as in the block
 * without JavaScript.
 */
export function formAgainPage(
  translator: Translator,
  locale: string,
  errors: FieldErrors,
  posted: Record<string, unknown>,
  action: string,
  custom: readonly DeclaredField[],
  conditions: readonly ConditionRule[] = [],
): string {
  const t = (key: string) => esc(translator.t(locale, key));
  const str = (name: string) => (typeof posted[name] === 'string' ? posted[name] : '');
  const required = new Set(
    str('required_fields')
      .split(',')
      .map((s) => s.trim()),
  );
  const idOf = (name: string) => `cc-again-${name.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
  const labelled: Array<{ name: string; label: string }> = [];

  const labelOf = (name: string): string => {
    const c = custom.find((f) => `custom.${f.key}` === name);
    return c ? (c.label ?? c.key) : translator.t(locale, `contact_form.fields.${name}.label`);
  };
  const or = translator.t(locale, 'contact_form.conditions.or');
  // The same wording as the block's (cc-field.liquid), from the same locale keys.
  const conditionText = (rule: ConditionRule): string =>
    translator.t(locale, `contact_form.conditions.only_if_${rule.op}`, { field: labelOf(rule.source), value: rule.values.join(or) });
  const field = (name: string, label: string, control: (attrs: string) => string, isRequired: boolean, checkbox = false) => {
    labelled.push({ name, label });
    const code = errors[name];
    const id = idOf(name);
    const rule = conditions.find((r) => r.target === name);
    const described = [rule ? `${id}-condition` : '', code ? `${id}-error` : ''].filter(Boolean).join(' ');
    // A conditional field may not apply: the browser must not insist on it; the server decides with the same rule.
    const htmlRequired = isRequired && !rule;
    const attrs = `id="${id}" name="${esc(name)}"${htmlRequired ? ' required aria-required="true"' : ''}${code ? ' aria-invalid="true"' : ''}${described ? ` aria-describedby="${described}"` : ''}`;
    const labelHtml = `<label class="${checkbox ? 'cc__consent-label' : 'cc__label'}" for="${id}">${esc(label)}${isRequired ? ' <span aria-hidden="true">*</span>' : ''}</label>`;
    const note = rule ? `<p class="cc__condition" id="${id}-condition">${esc(conditionText(rule))}</p>` : '';
    const error = `<p class="cc__error" id="${id}-error">${code ? t(`contact_form.errors.${code}`) : ''}</p>`;
    // A box sits before its label, as in the block (cc-field.liquid's cc__consent).
    return checkbox
      ? `<div class="cc__consent">${control(attrs)}${labelHtml}${note}${error}</div>`
      : `<div class="cc__field">${labelHtml}${note}${control(attrs)}${error}</div>`;
  };

  const parts: string[] = [];
  for (const f of CONTACT_FIELDS) {
    const shown = f.name === 'email' || posted[f.name] !== undefined || errors[f.name] || required.has(f.name) || conditions.some((r) => r.target === f.name);
    if (!shown) continue;
    const label = translator.t(locale, `contact_form.fields.${f.name}.label`);
    parts.push(field(f.name, label, (attrs) => contactControl(f, str(f.name), attrs, true), f.name === 'email' || required.has(f.name)));
  }
  for (const c of custom) {
    const name = `custom.${c.key}`;
    const value = str(name);
    const label = c.label ?? c.key;
    if (c.kind === 'checkbox') {
      parts.push(field(name, label, (attrs) => `<input class="cc__checkbox" type="checkbox" value="on"${value ? ' checked' : ''} ${attrs}>`, c.required, true));
    } else if (c.kind === 'select') {
      const options = (c.options ?? []).map((o) => `<option value="${esc(o)}"${o === value ? ' selected' : ''}>${esc(o)}</option>`).join('');
      parts.push(
        field(
          name,
          label,
          (attrs) => `<select class="cc__input" ${attrs}><option value="">${t('contact_form.choose')}</option>${options}</select>`,
          c.required,
        ),
      );
    } else {
      const type = c.kind === 'date' ? 'date' : 'text';
      parts.push(
        field(
          name,
          label,
          (attrs) =>
            c.kind === 'textarea'
              ? `<textarea class="cc__input cc__textarea" rows="4" ${attrs}>${esc(value)}</textarea>`
              : `<input class="cc__input" type="${type}" value="${esc(value)}" ${attrs}>`,
          c.required,
        ),
      );
    }
  }
  for (const [name, textField] of [
    ['email_marketing_consent', 'consent_text'],
    ['sms_marketing_consent', 'sms_consent_text'],
    ['whatsapp_marketing_consent', 'whatsapp_consent_text'],
  ] as const) {
    // A channel is offered only with its own wording; only email falls back to the default text.
    if (!str(textField) && name !== 'email_marketing_consent') continue;
    const label = str(textField) || translator.t(locale, 'contact_form.consent.default');
    const checked = posted[name] === 'on' || posted[name] === true;
    parts.push(
      field(
        name,
        label,
        (attrs) => `<input class="cc__checkbox" type="checkbox" value="on"${checked ? ' checked' : ''} ${attrs}>`,
        name === 'email_marketing_consent' && str('consent_required') === 'on',
        true,
      ),
    );
  }
  parts.push(`<p class="cc__privacy" id="cc-again-privacy">${t('contact_form.privacy_notice.text')}${privacyLink(t('contact_form.privacy_notice.link'))}</p>`);
  const hidden = CARRIED.filter((name) => str(name))
    .map((name) => `<input type="hidden" name="${name}" value="${esc(str(name))}">`)
    .join('');
  const summary = labelled
    .filter((l) => errors[l.name])
    .map((l) => `<li><a href="#${idOf(l.name)}">${esc(l.label)}${t('contact_form.label_separator')}${t(`contact_form.errors.${errors[l.name]}`)}</a></li>`)
    .join('');
  return (
    `<style>${styles()}</style>` +
    `<div class="cc page-width" lang="${esc(locale)}" style="max-width:40rem;margin:3rem auto;padding:0 1rem">` +
    `<form class="cc__form" action="${esc(action)}" method="post" accept-charset="UTF-8" aria-labelledby="cc-again-title">` +
    `<h1 id="cc-again-title">${t('contact_form.heading')}</h1>` +
    `<div class="cc__summary" role="alert" tabindex="-1"><p>${t('contact_form.error_summary')}</p><ul>${summary}</ul></div>` +
    parts.join('') +
    hidden +
    `<div class="cc__actions"><button class="cc__submit" type="submit" aria-describedby="cc-again-privacy">${t('contact_form.submit')}</button></div>` +
    `<p><a href="${esc(safeBackPath(str('page') || undefined))}">${t('contact_form.confirmation.back')}</a></p>` +
    `</form></div>`
  );
}
