/**
 * The only script that runs with the page, inlined by the block (no request; Shopify's app block budget still applies:
 * 10,000 bytes raw). It gives each form a fresh
 * idempotency key and loads the Preact UI on the shopper's first interaction. Until then, and if loading fails, the
 * Liquid form works on its own.
 */
import { freshKey } from './loader-key.js';

type UiModule = { mount(form: HTMLFormElement): { submit(): void } };

const SELECTOR = 'form[data-contact-capture]:not([data-cc-bound])';
const TRIGGERS = ['focusin', 'pointerdown', 'keydown'] as const;

function bind(form: HTMLFormElement): void {
  form.setAttribute('data-cc-bound', '');
  // The UI validates with the server's rules and messages; the browser's own bubbles would stop the first submit
  // before the UI could load.
  form.noValidate = true;
  const keyInput = form.querySelector<HTMLInputElement>('input[name="idempotency_key"]');
  if (keyInput) keyInput.value = freshKey();
  // The minimum fill time counts from when this shopper saw the form, not from when a cached page was rendered.
  const renderedAt = form.querySelector<HTMLInputElement>('input[name="rendered_at"]');
  if (renderedAt) renderedAt.value = String(Date.now());
  // Conditional fields load their rules' parser only on forms that have rules, right away (a field that does not
  // apply should disappear before the shopper reaches it). If it cannot load, every field stays, as without script.
  const conditionsSrc = form.dataset.conditionsSrc;
  if (conditionsSrc && form.querySelector('input[name="conditions"]')) {
    (import(/* @vite-ignore */ conditionsSrc) as Promise<{ bindConditions(form: HTMLFormElement): void }>).then(
      (m) => m.bindConditions(form),
      () => undefined,
    );
  }
  let loading: Promise<{ submit(): void }> | null = null;
  // In the theme editor the form never posts, not even as plain HTML.
  const design = form.hasAttribute('data-cc-design');

  // A submit before the UI is ready waits for it; if the UI cannot load, the form posts as plain HTML.
  function onSubmit(event: Event): void {
    event.preventDefault();
    load().then(
      (ui) => ui.submit(),
      () => design || HTMLFormElement.prototype.submit.call(form),
    );
  }
  // A focus or pointer only warms the UI up: if its import fails, the submit path reports it (onSubmit), so a
  // rejection here is not left unhandled.
  function prefetch(): void {
    load().catch(() => undefined);
  }
  function load(): Promise<{ submit(): void }> {
    if (!loading) {
      for (const type of TRIGGERS) form.removeEventListener(type, prefetch);
      const src = form.dataset.uiSrc ?? '';
      loading = (import(/* @vite-ignore */ src) as Promise<UiModule>).then((ui) => {
        // From here on the UI handles submits itself.
        form.removeEventListener('submit', onSubmit);
        return ui.mount(form);
      });
    }
    return loading;
  }
  for (const type of TRIGGERS) form.addEventListener(type, prefetch, { passive: true });
  form.addEventListener('submit', onSubmit);
  if (!design) countView(form);
}

/**
 * Tells the app once per page view that this form was seen (for the merchant's conversion rate): the form's id only,
 * through the same app proxy, as a beacon that never delays the page. Nothing about the shopper is sent.
 */
function countView(form: HTMLFormElement): void {
  const formId = form.querySelector<HTMLInputElement>('input[name="form_id"]')?.value;
  const url = form.action.replace(/\/submit$/, '/view');
  if (!formId || url === form.action || !('sendBeacon' in navigator)) return;
  // After the page has loaded and gone idle: a request in flight before the largest paint counts against it.
  const send = () =>
    afterLoad(() => {
      navigator.sendBeacon(url, new URLSearchParams({ form_id: formId }));
    });
  if (!('IntersectionObserver' in window)) return void send();
  const observer = new IntersectionObserver((entries) => {
    if (!entries.some((e) => e.isIntersecting)) return;
    observer.disconnect();
    send();
  });
  observer.observe(form);
}

function afterLoad(run: () => void): void {
  const idle = () => ('requestIdleCallback' in window ? requestIdleCallback(run, { timeout: 3000 }) : setTimeout(run, 1000));
  if (document.readyState === 'complete') idle();
  else addEventListener('load', idle, { once: true });
}

function bindAll(): void {
  document.querySelectorAll<HTMLFormElement>(SELECTOR).forEach(bind);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', bindAll);
else bindAll();
// The theme editor re-renders sections in place; bind the new forms it inserts.
document.addEventListener('shopify:section:load', bindAll);
