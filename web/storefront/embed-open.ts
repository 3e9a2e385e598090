/**
 * Opening the app embed's form on request: a click on the floating button or on a link the merchant marked
 * (`href` ending in `#contact-capture`) loads the contact block's UI bundle, which fetches the form and opens the
 * dialog. Shared by both trigger scripts; alone it is the whole script of a button or link embed (the popup's
 * timers and frequency memory stay out of pages that do not need them).
 */
type EmbedUi = { openEmbed(root: HTMLElement, modal: boolean): Promise<void> };

export function bindOpen(root: HTMLElement): () => void {
  const d = root.dataset;
  let ui: Promise<EmbedUi> | null = null;
  const open = (): void => {
    ui ??= import(/* @vite-ignore */ d.uiSrc ?? '') as Promise<EmbedUi>;
    // A failed download or form fetch is tried again on the next trigger.
    ui.then((m) => m.openEmbed(root, d.design === undefined)).catch(() => (ui = null));
  };
  document.addEventListener('click', (event) => {
    if (!(event.target as Element | null)?.closest?.('a[href$="#contact-capture"],[data-cc-open]')) return;
    event.preventDefault();
    open();
  });
  const fab = root.querySelector<HTMLElement>('[data-cc-open]');
  if (fab) fab.hidden = false;
  return open;
}

export const embedRoot = (): HTMLElement | null => document.querySelector<HTMLElement>('[data-cc-embed]');
