import { freshKey } from './loader-key.js';

/**
 * The app embed's dialog, in the UI bundle (loaded on the trigger, shared with the contact block). A native modal
 * <dialog>: the page behind becomes inert and Escape closes it; on top of that, Tab and Shift+Tab cycle inside it
 * (the browser would let focus leave for its own toolbar) and focus goes back to where it was.
 */
type Mount = (form: HTMLFormElement) => unknown;

const FOCUSABLE =
  'a[href],button:not([disabled]),input:not([type="hidden"]):not([disabled]),select:not([disabled]),textarea:not([disabled]),[tabindex]:not([tabindex="-1"])';
const dialogs = new WeakMap<HTMLTemplateElement, HTMLDialogElement>();

function create(template: HTMLTemplateElement, mount: Mount): HTMLDialogElement | null {
  const fragment = template.content.cloneNode(true) as DocumentFragment;
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

  let returnTo: HTMLElement | null = null;
  dialog.addEventListener('cc:opening', () => {
    returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
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

export function openEmbedDialog(template: HTMLTemplateElement, modal: boolean, mount: Mount): void {
  let dialog = dialogs.get(template) ?? null;
  if (!dialog) {
    dialog = create(template, mount);
    if (!dialog) return;
    dialogs.set(template, dialog);
  }
  if (dialog.open) return;
  dialog.dispatchEvent(new Event('cc:opening'));
  // In the theme editor the dialog shows without trapping the page, so the merchant can still pick other sections.
  if (modal) dialog.showModal();
  else dialog.show();
}
