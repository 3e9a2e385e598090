import type { Shopify } from '@shopify/shopify-api';
import { unauthorized } from './errors.js';

/** The token of an `Authorization: Bearer <token>` header, or null. The scheme is case-insensitive (RFC 7235). */
export function bearerToken(header: string | undefined): string | null {
  return /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1] ?? null;
}

export type SessionTokenPayload = Awaited<ReturnType<Shopify['session']['decodeSessionToken']>>;

/**
 * A Shopify session token from the bearer header (the admin's App Bridge, the checkout extension), checked by
 * @shopify/shopify-api: signature, audience and expiry with its clock tolerance. What the claims must say is the
 * caller's (shopify/session-claims.ts). No token: 401 `missing_session_token`; a bad one: `invalid_session_token`.
 */
export async function verifiedSessionToken(shopify: Shopify, header: string | undefined): Promise<{ token: string; payload: SessionTokenPayload }> {
  const token = bearerToken(header);
  if (!token) throw unauthorized('missing_session_token');
  try {
    return { token, payload: await shopify.session.decodeSessionToken(token) };
  } catch {
    // The library's message repeats the token; it is not passed on.
    throw unauthorized('invalid_session_token');
  }
}
