import type { Shopify } from '@shopify/shopify-api';
import type { MiddlewareHandler } from 'hono';
import { verifiedSessionToken } from '../../http/bearer.js';
import { unauthorized } from '../../http/errors.js';
import { staffSessionClaims } from '../../shopify/session-claims.js';

export interface StaffSession {
  shop: string;
  /** Shopify staff user id (`sub`). */
  userId: string;
  token: string;
}

/**
 * Every /api/* call carries a Shopify session token (App Bridge in the admin; the dev sign-in locally): HS256 with the
 * app secret, audience = API key, checked by @shopify/shopify-api with its clock tolerance. The shop comes from `dest`;
 * a token missing `iss`, `exp`, an https `dest` or a numeric `sub` is refused (shopify/session-claims.ts).
 */
export function requireSession(shopify: Shopify): MiddlewareHandler<{ Variables: { session: StaffSession } }> {
  return async (c, next) => {
    const { token, payload } = await verifiedSessionToken(shopify, c.req.header('authorization'));
    const claims = staffSessionClaims(payload);
    if (!claims) throw unauthorized('invalid_session_token');
    c.set('session', { shop: claims.shop, userId: claims.userId, token });
    await next();
  };
}
