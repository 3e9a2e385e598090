import { bindOpen, embedRoot } from './embed-open.js';

/**
 * The popup embed's only script before a trigger fires (with its markup and config: at most 1 KB brotli, held by
 * tests/theme-embed.test.ts). It watches for the trigger the merchant chose, then loads the same UI bundle as the
 * contact block, which fetches the form from the app and opens the dialog. Targeting is decided in Liquid: on a page
 * that is not targeted neither this script nor any markup is there.
 *
 * Frequency memory (local storage) only while the Customer Privacy API says preferences processing is allowed;
 * otherwise the popup shows at most once per page view. It says nothing about marketing consent, and is never read as such.
 */
type Privacy = { preferencesProcessingAllowed?(): boolean };
type ShopifyGlobal = { customerPrivacy?: Privacy; loadFeatures?(features: Array<{ name: string; version: string }>, done?: () => void): void };
type Memory = { at?: number; sent?: 1 };

const root = embedRoot();

function start(root: HTMLElement): void {
  const d = root.dataset;
  const key = `contact-capture:embed:${d.id ?? ''}`;
  const design = d.design !== undefined;
  const shopify = (window as { Shopify?: ShopifyGlobal }).Shopify;
  if (shopify && !shopify.customerPrivacy) shopify.loadFeatures?.([{ name: 'consent-tracking-api', version: '0.1' }]);
  const allowed = (): boolean => {
    try {
      return !design && !!shopify?.customerPrivacy?.preferencesProcessingAllowed?.();
    } catch {
      return false;
    }
  };
  const recall = (): Memory => {
    try {
      return allowed() ? (JSON.parse(localStorage.getItem(key) ?? '{}') as Memory) : {};
    } catch {
      return {};
    }
  };
  const remember = (memory: Memory): void => {
    try {
      if (allowed()) localStorage.setItem(key, JSON.stringify({ ...recall(), ...memory }));
    } catch {
      // Storage full or blocked: the popup then shows once per page view.
    }
  };

  const open = bindOpen(root);
  let shown = false;
  // Automatic popups respect the cap; a shopper who asks (button, marked link) always gets the form.
  const auto = (): void => {
    const memory = recall();
    const days = Number(d.days) || 7;
    if (shown || memory.sent || (memory.at && Date.now() - memory.at < days * 864e5)) return;
    shown = true;
    remember({ at: Date.now() });
    open();
  };

  document.addEventListener('cc:sent', () => remember({ sent: 1 }));
  if (design) return open();
  if (d.trigger === 'scroll') {
    const depth = () => {
      const el = document.documentElement;
      // One pixel of slack: a zoomed page never quite reaches its fractional bottom.
      if (((scrollY + innerHeight + 1) / el.scrollHeight) * 100 >= (Number(d.scroll) || 50)) {
        removeEventListener('scroll', depth);
        auto();
      }
    };
    addEventListener('scroll', depth, { passive: true });
  } else if (d.trigger === 'exit') {
    // Exit intent exists only where a mouse can leave the page toward the tabs and address bar.
    if (matchMedia('(hover:hover) and (pointer:fine)').matches) {
      document.addEventListener('mouseout', (event) => {
        if (!event.relatedTarget && event.clientY <= 0) auto();
      });
    }
  } else setTimeout(auto, (Number(d.delay) || 0) * 1e3);
}

if (root) start(root);
