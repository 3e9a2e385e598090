import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Liquid } from 'liquidjs';
import { DEV_CUSTOMER_COOKIE, layout } from './storefront-preview.js';
import { signProxyQuery } from './proxy-signer.js';

export interface ProxyEmulatorOptions {
  shop: string;
  secret: string;
  /** The storefront path merchants see, e.g. /apps/contact-capture. */
  pathPrefix: string;
  /** The app's own handler; requests are forwarded to `/proxy/*` on it, in process. */
  forward: (request: Request) => Promise<Response>;
  engine: Liquid;
  languageLinks: () => string;
}

/**
 * Shopify's app proxy, locally: takes /apps/contact-capture/*, adds shop, logged_in_customer_id, path_prefix,
 * timestamp and signature, drops cookies, forwards to the app's /proxy/*, strips Set-Cookie from the answer, and
 * renders an `application/liquid` answer inside the theme.
 */
export function proxyEmulator(options: ProxyEmulatorOptions) {
  const app = new Hono();
  app.all(`${options.pathPrefix}/*`, async (c) => {
    const url = new URL(c.req.url);
    const rest = url.pathname.slice(options.pathPrefix.length);
    const customer = getCookie(c, DEV_CUSTOMER_COOKIE) ?? null;
    const signed = signProxyQuery(
      url.searchParams,
      { shop: options.shop, loggedInCustomerId: customer && /^\d+$/.test(customer) ? customer : null, pathPrefix: options.pathPrefix },
      options.secret,
    );
    const headers = new Headers(c.req.raw.headers);
    headers.delete('cookie');
    const forwardedFor = headers.get('x-forwarded-for');
    headers.set('x-forwarded-for', forwardedFor ? `${forwardedFor}, 127.0.0.1` : '127.0.0.1');
    const method = c.req.method;
    const target = new Request(`${url.origin}/proxy${rest}?${signed.toString()}`, {
      method,
      headers,
      body: method === 'GET' || method === 'HEAD' ? undefined : await c.req.arrayBuffer(),
    });
    const response = await options.forward(target);
    const out = new Headers(response.headers);
    out.delete('set-cookie');
    if ((out.get('content-type') ?? '').startsWith('application/liquid')) {
      const liquid = await response.text();
      const locale = (c.req.header('accept-language') ?? 'en').split(',')[0]?.split('-')[0] ?? 'en';
      const body = String(
        await options.engine.parseAndRender(liquid, {
          request: { locale: { iso_code: locale }, path: url.pathname },
          shop: { name: 'Élégance Parisienne', privacy_policy: { title: 'Privacy policy', url: '/policies/privacy-policy' } },
        }),
      );
      out.set('content-type', 'text/html; charset=utf-8');
      out.delete('content-length');
      return new Response(layout(locale, 'Élégance Parisienne', '', body).replace('LANG_LINKS', options.languageLinks()), {
        status: response.status,
        headers: out,
      });
    }
    return new Response(response.body, { status: response.status, headers: out });
  });
  return app;
}
