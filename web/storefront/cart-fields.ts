/**
 * The cart page block's script (Shopify's app block budget: 10,000 bytes raw). Its inputs belong to the theme's cart
 * form; before that form goes to checkout, each answer is checked with the same rules as the server
 * (schema/rules.ts). An invalid answer stops the submit, is marked (aria-invalid + message) and receives focus.
 */
import { type FieldKind, checkField } from '../../schema/rules.js';

interface Messages {
  summary: string;
  errors: Record<string, string>;
}

function bind(fieldset: HTMLElement): void {
  fieldset.setAttribute('data-cc-bound', '');
  const form = document.getElementById(fieldset.dataset.ccCartForm ?? 'cart');
  if (!(form instanceof HTMLFormElement)) return;
  form.noValidate = true;
  const messages = JSON.parse(fieldset.querySelector('[data-cc-messages]')?.textContent ?? '{}') as Messages;
  const fields = [...fieldset.querySelectorAll<HTMLElement>('[data-cc-field]')];
  const summary = fieldset.querySelector<HTMLElement>('[data-cc-summary]');

  const check = (field: HTMLElement): string | null => {
    const input = field.querySelector<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>('input:not([type=hidden]), textarea, select');
    if (!input) return null;
    const kind = (field.dataset.ccKind ?? 'text') as FieldKind;
    const required = field.hasAttribute('data-cc-required');
    const value = input instanceof HTMLInputElement && input.type === 'checkbox' ? (input.checked ? 'on' : '') : input.value;
    const options = field.dataset.ccOptions?.split('|').filter(Boolean);
    const code = checkField({ kind, required, ...(options?.length ? { options } : {}) }, value);
    const error = field.querySelector<HTMLElement>('[data-cc-error]');
    const message = code ? ((kind === 'checkbox' && code === 'required' ? messages.errors.consent_required : messages.errors[code]) ?? code) : '';
    if (error) error.textContent = message;
    input.setAttribute('aria-invalid', String(Boolean(code)));
    const described = new Set((input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean));
    if (error?.id) {
      if (code) described.add(error.id);
      else described.delete(error.id);
    }
    if (described.size) input.setAttribute('aria-describedby', [...described].join(' '));
    else input.removeAttribute('aria-describedby');
    return code ? input.id : null;
  };

  // Capture phase: the answers are checked before the theme's own submit handlers run.
  form.addEventListener(
    'submit',
    (event) => {
      const invalid = fields.map(check).filter((id): id is string => id !== null);
      if (summary) {
        summary.hidden = invalid.length === 0;
        summary.textContent = invalid.length ? messages.summary : '';
      }
      if (!invalid.length) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      document.getElementById(invalid[0]!)?.focus();
    },
    true,
  );
  // Once marked, a field is checked again as the shopper corrects it.
  for (const field of fields) {
    field.addEventListener('change', () => field.querySelector('[aria-invalid=true]') && check(field));
    field.addEventListener('focusout', () => field.querySelector('[aria-invalid=true]') && check(field));
  }
}

function bindAll(): void {
  document.querySelectorAll<HTMLElement>('[data-cc-cart]:not([data-cc-bound])').forEach(bind);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', bindAll);
else bindAll();
document.addEventListener('shopify:section:load', bindAll);
