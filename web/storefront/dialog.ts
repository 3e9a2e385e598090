import { freshKey } from './loader-key.js';

/**
 * The app embed's dialog, in the UI bundle (loaded on the trigger, shared with the contact block). The page carries
 * only the embed's config (a small JSON script, signatures made in Liquid included); on the first trigger the form
 * is fetched from the app (`POST <proxy>/embed-form`, rendered in the shopper's language) and kept for the page view.
 * A native modal <dialog>: the page behind becomes inert and Escape closes it; on top of that, Tab and Shift+Tab
 * cycle inside it (the browser would let focus leave for its own toolbar) and focus goes back to where it was.
 */
type Mount = (form: HTMLFormElement) => unknown;
type EmbedConfig = { proxy?: string; design?: boolean };

const FOCUSABLE =
  'a[href],button:not([disabled]),input:not([type="hidden"]):not([disabled]),select:not([disabled]),textarea:not([disabled]),[tabindex]:not([tabindex="-1"])';
const dialogs = new WeakMap<HTMLElement, Promise<HTMLDialogElement | null>>();

async function fetchForm(root: HTMLElement): Promise<{ html: string; config: EmbedConfig }> {
  const text = root.querySelector('script[data-cc-embed-config]')?.textContent ?? '{}';
  const config = JSON.parse(text) as EmbedConfig;
  const proxy = typeof config.proxy === 'string' && /^\/[\w/-]*$/.test(config.proxy) ? config.proxy : '/apps/contact-capture';
  const response = await fetch(`${proxy}/embed-form`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: text,
    credentials: 'same-origin',
  });
  const body = (await response.json()) as { html?: unknown };
  if (!response.ok || typeof body.html !== 'string') throw new Error(`embed form: ${response.status}`);
  return { html: body.html, config };
}

/**
 * Tells the app once per page view that the embed's form was seen, when it opens (never at page load: a popup that
 * never fires was not seen), with the block's beacon: the form's id only, nothing about the shopper.
 */
function countView(form: HTMLFormElement): void {
  const formId = form.querySelector<HTMLInputElement>('input[name="form_id"]')?.value;
  const url = form.action.replace(/\/submit$/, '/view');
  if (!formId || url === form.action || !('sendBeacon' in navigator)) return;
  navigator.sendBeacon(url, new URLSearchParams({ form_id: formId }));
}

function create(html: string, mount: Mount): HTMLDialogElement | null {
  const template = document.createElement('template');
  template.innerHTML = html;
  const fragment = template.content;
  const dialog = fragment.querySelector('dialog');
  const form = fragment.querySelector<HTMLFormElement>('form[data-contact-capture]');
  if (!dialog || !form) return null;
  // Bound here, so that a contact block's loader on the same page leaves this form alone.
  form.setAttribute('data-cc-bound', '');
  document.body.append(fragment);
  // What the loader does for the block's form: a key of this shopper's own, and the fill time from now.
  const keyInput = form.querySelector<HTMLInputElement>('input[name="idempotency_key"]');
  if (keyInput) keyInput.value = freshKey();
  const renderedAt = form.querySelector<HTMLInputElement>('input[name="rendered_at"]');
  if (renderedAt) renderedAt.value = String(Date.now());
  mount(form);
  // Conditional fields: the parser ships beside this bundle, loaded only for a form with rules, as the loader does.
  const conditions = form.querySelector<HTMLInputElement>('input[name="conditions"]');
  if (conditions?.value) {
    (import(/* @vite-ignore */ new URL('contact-form-conditions.js', import.meta.url).href) as Promise<{ bindConditions(f: HTMLFormElement): void }>).then(
      (m) => m.bindConditions(form),
      () => undefined,
    );
  }

  let returnTo: HTMLElement | null = null;
  dialog.addEventListener('cc:opening', (event) => {
    const opener = (event as CustomEvent<Element | null>).detail;
    returnTo = opener instanceof HTMLElement ? opener : null;
  });
  dialog.addEventListener('close', () => {
    if (returnTo?.isConnected) returnTo.focus();
    returnTo = null;
  });
  dialog.querySelector('[data-cc-close]')?.addEventListener('click', () => dialog.close());
  // A click on the backdrop (the dialog element itself, outside its content box) closes it, as Escape does.
  dialog.addEventListener('click', (event) => {
    if (event.target !== dialog) return;
    const box = dialog.getBoundingClientRect();
    const inside = event.clientX >= box.left && event.clientX <= box.right && event.clientY >= box.top && event.clientY <= box.bottom;
    if (!inside) dialog.close();
  });
  dialog.addEventListener('keydown', (event) => {
    if (event.key !== 'Tab') return;
    const items = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null || el === document.activeElement);
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });
  return dialog;
}

export async function openEmbedDialog(root: HTMLElement, modal: boolean, mount: Mount): Promise<void> {
  // Focus returns to where the shopper was when they asked, not to wherever it is once the form has arrived.
  const opener = document.activeElement;
  let pending = dialogs.get(root);
  if (!pending) {
    pending = fetchForm(root).then(({ html, config }) => {
      const made = create(html, mount);
      const form = made?.querySelector<HTMLFormElement>('form[data-contact-capture]');
      if (form && !config.design) countView(form);
      return made;
    });
    dialogs.set(root, pending);
    // A failed fetch is forgotten, so the next trigger tries again.
    pending.catch(() => dialogs.delete(root));
  }
  const dialog = await pending;
  if (!dialog || dialog.open) return;
  dialog.dispatchEvent(new CustomEvent('cc:opening', { detail: opener }));
  // In the theme editor the dialog shows without trapping the page, so the merchant can still pick other sections.
  if (modal) dialog.showModal();
  else dialog.show();
}
