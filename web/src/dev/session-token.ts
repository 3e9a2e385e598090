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
