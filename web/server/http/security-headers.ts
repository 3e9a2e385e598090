import { randomBytes } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { SHOP_DOMAIN } from '../core/shop-domain.js';

/** Headers every response carries; no CORS header is ever sent, so no other origin can read the API. */
export const baseSecurityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.res.headers.set('x-content-type-options', 'nosniff');
  c.res.headers.set('referrer-policy', 'strict-origin-when-cross-origin');
  if (c.req.path.startsWith('/api/')) c.res.headers.set('cache-control', 'no-store');
};

/**
 * The embedded page may be framed only by the shop's own admin (Shopify's requirement), and runs only its own script
 * (a per-response nonce) and App Bridge from Shopify's CDN.
 */
export function appPageHeaders(local: boolean): MiddlewareHandler<{ Variables: { cspNonce: string } }> {
  return async (c, next) => {
    const nonce = randomBytes(16).toString('base64');
    c.set('cspNonce', nonce);
    await next();
    const shop = c.req.query('shop');
    const ancestors = local ? "'self'" : shop && SHOP_DOMAIN.test(shop) ? `https://${shop} https://admin.shopify.com` : "'none'";
    c.res.headers.set(
      'content-security-policy',
      [
        "default-src 'self'",
        `script-src 'self' 'nonce-${nonce}' https://cdn.shopify.com`,
        "style-src 'self' 'unsafe-inline'",
        // Shoppers' attached images are previewed from Shopify's CDN, where the shop's Files live.
        "img-src 'self' data: https://cdn.shopify.com",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        `frame-ancestors ${ancestors}`,
      ].join('; '),
    );
  };
}
