import type { Translator } from '../../core/i18n.js';

/**
 * Pages for the form posted without JavaScript. Shopify renders an `application/liquid` response inside the shop's
 * theme, so the shopper stays on the shop. Nothing the shopper typed is echoed as Liquid: every dynamic value is
 * HTML-escaped and braces are neutralised, so no submitted text can run as a Liquid tag.
 */
export const LIQUID_CONTENT_TYPE = 'application/liquid; charset=utf-8';

export function escapeForLiquid(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/\{/g, '&#123;')
    .replace(/\}/g, '&#125;');
}

/** The storefront path the shopper posted through (merchants may change the proxy prefix), from the signed query. */
export function storefrontPrefix(pathPrefix: string | null): string {
  return pathPrefix && /^\/[a-z]+\/[a-z0-9_-]+$/i.test(pathPrefix) ? pathPrefix : '/apps/contact-capture';
}

/** Only same-site paths: a submitted page must not turn the back link into an open redirect. */
export function safeBackPath(page: string | undefined): string {
  return page && /^\/(?!\/)/.test(page) && !/[\\\s]/.test(page) ? page : '/';
}

// `lang`: the shopper's locale as the form carried it, which the theme around this page may not be in.
const frame = (locale: string, body: string) =>
  `<div class="contact-capture-result page-width" lang="${escapeForLiquid(locale)}" style="max-width:40rem;margin:3rem auto;padding:0 1rem">${body}</div>`;

export function confirmationPage(translator: Translator, locale: string, back: string): string {
  const t = (key: string) => escapeForLiquid(translator.t(locale, key));
  return frame(
    locale,
    `<h1 tabindex="-1">${t('contact_form.confirmation.title')}</h1>` +
      `<p role="status">${t('contact_form.success')}</p>` +
      `<p><a href="${escapeForLiquid(back)}">${t('contact_form.confirmation.back')}</a></p>`,
  );
}
