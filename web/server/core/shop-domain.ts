/** A shop's permanent domain, the only form of shop identity the app accepts from anything Shopify signed. */
export const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/**
 * The shop named by a session token's `dest`: `https://shop.myshopify.com` in admin tokens, the bare domain in
 * checkout extension tokens. Null when it is neither.
 */
export function shopFromDest(dest: unknown): string | null {
  const text = typeof dest === 'string' ? dest : '';
  try {
    const host = new URL(text.includes('://') ? text : `https://${text}`).hostname;
    return SHOP_DOMAIN.test(host) ? host : null;
  } catch {
    return null;
  }
}
