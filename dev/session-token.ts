import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';

/**
 * Mints a session token exactly like the Shopify admin does for an embedded app (HS256 with the app secret,
 * iss/dest/aud/sub/exp/nbf/iat/jti/sid). Used by the local dev sign-in and by tests, never in production mode.
 */
export interface SessionTokenClaims {
  shop: string;
  apiKey: string;
  secret: string;
  userId?: string;
  /** Seconds from now; Shopify's tokens live one minute. */
  expiresIn?: number;
  issuedAt?: number;
}

export async function mintSessionToken(claims: SessionTokenClaims): Promise<string> {
  const now = claims.issuedAt ?? Math.floor(Date.now() / 1000);
  return new SignJWT({ dest: `https://${claims.shop}`, sid: randomUUID() })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(`https://${claims.shop}/admin`)
    .setAudience(claims.apiKey)
    .setSubject(claims.userId ?? '1')
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + (claims.expiresIn ?? 60))
    .setJti(randomUUID())
    .sign(new TextEncoder().encode(claims.secret));
}

/**
 * A checkout UI extension's session token (`shopify.sessionToken.get()`): HS256 with the app secret, `dest` = the shop
 * domain, `aud` = the API key, `sub` = the buyer's customer GID when logged in. Tests and local mode only.
 */
export async function mintCheckoutToken(claims: { shop: string; apiKey: string; secret: string; customerId?: string; expiresIn?: number }): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ dest: claims.shop })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setAudience(claims.apiKey)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + (claims.expiresIn ?? 300))
    .setJti(randomUUID());
  if (claims.customerId) jwt.setSubject(claims.customerId);
  return jwt.sign(new TextEncoder().encode(claims.secret));
}

/**
 * A customer account UI extension's session token: like a checkout one, with `sub` = the signed-in customer's GID
 * always (the account pages exist only for a signed-in customer). Tests and local mode only.
 */
export function mintCustomerAccountToken(claims: { shop: string; apiKey: string; secret: string; customerId: string; expiresIn?: number }): Promise<string> {
  return mintCheckoutToken(claims);
}
