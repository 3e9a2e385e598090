import { render } from 'preact';
import type { FieldErrorCode } from '../../schema/fields.js';
import { checkField, ruleKindOf } from '../../schema/rules.js';
import { openEmbedDialog } from './dialog.js';
import { freshKey } from './loader-key.js';
import { type AttachmentMessages, bindAttachment } from './attachment.js';

type FieldErrors = Record<string, FieldErrorCode>;

/**
 * The Preact UI, loaded on first interaction. It does not replace the Liquid form (that would move the page); it
 * renders into the slots the Liquid already reserved: one error line per field, the error summary, the status line.
 * Validation uses the server's own rules (schema/rules.ts), read from the field's data attributes, so the page and
 * the server never disagree; it carries no schema library, to keep what loads on interaction small.
 */
interface Messages {
  success: string;
  sending: string;
  network: string;
  retry: string;
  rate_limited: string;
  summary: string;
  /** Between a field's label and its error in the summary (French: a non-breaking space before the colon). */
  separator?: string;
  errors: Record<FieldErrorCode, string>;
  /** Present when the block has a file field. */
  attachment?: AttachmentMessages;
}

type Status = 'idle' | 'sending' | 'success' | 'failed' | 'rate_limited';

interface State {
  errors: FieldErrors;
  status: Status;
  touched: Set<string>;
  showSummary: boolean;
}

export function mount(form: HTMLFormElement): { submit(): void } {
  form.noValidate = true;
  const messages = JSON.parse(form.querySelector('[data-cc-messages]')?.textContent ?? '{}') as Messages;
  const summarySlot = form.querySelector<HTMLElement>('[data-cc-summary]');
  const statusSlot = form.querySelector<HTMLElement>('[data-cc-status]');
  const button = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  const keyInput = form.querySelector<HTMLInputElement>('input[name="idempotency_key"]');
  const fields = [...form.querySelectorAll<HTMLElement>('[data-cc-field]')];
  const state: State = { errors: {}, status: 'idle', touched: new Set(), showSummary: false };
  const design = form.hasAttribute('data-cc-design');
  const attachmentSettled = bindAttachment(form, messages.attachment);

  const inputOf = (field: HTMLElement) =>
    field.querySelector<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>('input[name], textarea[name], select[name]');
  const labelOf = (field: HTMLElement) => (field.querySelector('label')?.textContent ?? '').replace('*', '').trim();

  function values(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    new FormData(form).forEach((value, name) => {
      if (typeof value === 'string') out[name] = value;
    });
    delete out.idempotency_key;
    // A disabled box belongs to a field its condition hides (conditions.ts): not sent, like any disabled input.
    for (const box of form.querySelectorAll<HTMLInputElement>('input[type="checkbox"][name]:not(:disabled)')) out[box.name] = box.checked;
    return out;
  }

  function validate(): FieldErrors {
    const errors: FieldErrors = {};
    for (const field of fields) {
      const name = field.dataset.ccField ?? '';
      const input = inputOf(field);
      // Disabled: hidden by its condition, so neither checked nor required (the server skips it the same way).
      if (!input || input.disabled) continue;
      // The block's kind of a standard field is its input type (`tel`); the rule kind comes from the definition's mapping.
      const kind = ruleKindOf(field.dataset.ccKind ?? '');
      const required = field.dataset.ccRequired !== undefined;
      const value = input instanceof HTMLInputElement && input.type === 'checkbox' ? (input.checked ? 'on' : '') : input.value;
      const options = field.dataset.ccOptions?.split('|');
      const code = checkField({ kind, required, ...(options ? { options } : {}) }, value);
      if (code) errors[name] = code === 'required' && name === 'email_marketing_consent' ? 'consent_required' : code;
    }
    // SMS and WhatsApp consent are held on a phone number: either box ticked needs one.
    const onPhone = form.querySelectorAll<HTMLInputElement>('input[name="sms_marketing_consent"], input[name="whatsapp_marketing_consent"]');
    const phone = form.querySelector<HTMLInputElement>('input[name="phone"]');
    if ([...onPhone].some((box) => box.checked) && phone && !phone.disabled && !phone.value.trim()) errors.phone ??= 'required';
    return errors;
  }

  function paint(): void {
    for (const field of fields) {
      const name = field.dataset.ccField ?? '';
      const input = inputOf(field);
      const slot = field.querySelector<HTMLElement>('[data-cc-error]');
      const code = state.errors[name];
      if (slot) render(code ? <>{messages.errors[code]}</> : null, slot);
      if (!input || !slot) continue;
      const hint = field.querySelector('.cc__hint')?.id;
      input.setAttribute('aria-invalid', code ? 'true' : 'false');
      const described = [hint, code ? slot.id : null].filter(Boolean).join(' ');
      if (described) input.setAttribute('aria-describedby', described);
      else input.removeAttribute('aria-describedby');
    }
    const failing = fields.filter((f) => state.errors[f.dataset.ccField ?? '']);
    if (summarySlot) {
      summarySlot.hidden = !(state.showSummary && failing.length);
      render(
        state.showSummary && failing.length ? (
          <>
            <p>{messages.summary}</p>
            <ul>
              {failing.map((f) => {
                const input = inputOf(f);
                const code = state.errors[f.dataset.ccField ?? ''] as FieldErrorCode;
                return (
                  <li key={f.dataset.ccField}>
                    <a
                      href={`#${input?.id ?? ''}`}
                      onClick={(e) => {
                        e.preventDefault();
                        input?.focus();
                      }}
                    >
                      {labelOf(f)}
                      {messages.separator ?? ': '}
                      {messages.errors[code]}
                    </a>
                  </li>
                );
              })}
            </ul>
          </>
        ) : null,
        summarySlot,
      );
    }
    if (statusSlot) {
      const text = { idle: '', sending: messages.sending, success: messages.success, failed: messages.network, rate_limited: messages.rate_limited }[
        state.status
      ];
      render(
        <>
          {text}
          {state.status === 'failed' || state.status === 'rate_limited' ? (
            <button type="button" onClick={() => submit()}>
              {messages.retry}
            </button>
          ) : null}
        </>,
        statusSlot,
      );
    }
    if (button) button.setAttribute('aria-disabled', state.status === 'sending' ? 'true' : 'false');
  }

  function focusFirstInvalid(): void {
    const first = fields.find((f) => state.errors[f.dataset.ccField ?? '']);
    first && inputOf(first)?.focus();
  }

  async function submit(): Promise<void> {
    if (state.status === 'sending') return;
    state.errors = validate();
    // The theme editor's preview never posts: a valid form shows the success message the shopper would see.
    if (design && !Object.keys(state.errors).length) {
      state.status = 'success';
      state.showSummary = false;
      paint();
      return;
    }
    fields.forEach((f) => state.touched.add(f.dataset.ccField ?? ''));
    if (Object.keys(state.errors).length) {
      state.showSummary = true;
      state.status = 'idle';
      paint();
      focusFirstInvalid();
      return;
    }
    state.status = 'sending';
    state.showSummary = false;
    paint();
    await attachmentSettled();
    let response: Response;
    try {
      response = await fetch(form.action, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'idempotency-key': keyInput?.value ?? freshKey() },
        body: JSON.stringify(values()),
      });
    } catch {
      state.status = 'failed';
      paint();
      return;
    }
    if (response.status === 202) {
      const redirect = form.dataset.redirect;
      if (redirect) {
        window.location.assign(redirect);
        return;
      }
      state.status = 'success';
      state.errors = {};
      state.touched.clear();
      form.reset();
      // The app embed stops offering its popup to a shopper who has written (when it may remember that).
      form.dispatchEvent(new CustomEvent('cc:sent', { bubbles: true }));
      // A new message from the same page is a new submission; the retry of a failed one keeps its key.
      if (keyInput) keyInput.value = freshKey();
    } else if (response.status === 422) {
      const body = (await response.json().catch(() => ({}))) as { fields?: Record<string, { code: FieldErrorCode }> };
      state.errors = Object.fromEntries(Object.entries(body.fields ?? {}).map(([name, v]) => [name, v.code]));
      state.status = Object.keys(state.errors).length ? 'idle' : 'failed';
      state.showSummary = true;
    } else {
      state.status = response.status === 429 ? 'rate_limited' : 'failed';
    }
    paint();
    if (state.status === 'idle') focusFirstInvalid();
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });
  form.addEventListener('focusout', (event) => {
    const target = event.target as HTMLInputElement | null;
    if (!target?.name || target.type === 'hidden' || target.type === 'checkbox') return;
    // Only fields the shopper has typed in are checked on leaving, so tabbing through does not shout.
    if (!target.value && !state.touched.has(target.name)) return;
    state.touched.add(target.name);
    const errors = validate();
    const next: FieldErrors = {};
    for (const name of state.touched) if (errors[name]) next[name] = errors[name];
    state.errors = next;
    paint();
  });
  form.addEventListener('input', (event) => {
    const name = (event.target as HTMLInputElement | null)?.name;
    if (!name || !state.errors[name]) return;
    if (!validate()[name]) {
      delete state.errors[name];
      paint();
    }
  });
  return { submit: () => void submit() };
}

/** The app embed's dialog around a form of its own (see dialog.ts), opened by the embed's trigger script. */
export function openEmbed(root: HTMLElement, modal: boolean): Promise<void> {
  return openEmbedDialog(root, modal, mount);
}
