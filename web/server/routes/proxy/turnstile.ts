import * as z from 'zod';

/**
 * Optional Cloudflare Turnstile check, off unless TURNSTILE_SECRET_KEY is set. The verify URL is configurable so that
 * tests (and a self-hosted stand-in) can answer for Cloudflare.
 */
export interface TurnstileSettings {
  secret: string;
  verifyUrl: string;
  timeoutMs: number;
}

export const TURNSTILE_VERIFY_URL = 'https://challenges.cloudflare.com/turnstile/v0/siteverify';
const answer = z.object({ success: z.boolean(), 'error-codes': z.array(z.string()).optional() });

export type TurnstileVerdict = { ok: true } | { ok: false; reason: 'missing_token' | 'rejected' | 'unavailable' };

export async function verifyTurnstile(settings: TurnstileSettings, token: string | undefined, ip: string): Promise<TurnstileVerdict> {
  if (!token) return { ok: false, reason: 'missing_token' };
  try {
    const response = await fetch(settings.verifyUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ secret: settings.secret, response: token, ...(ip !== 'unknown' ? { remoteip: ip } : {}) }).toString(),
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
    const parsed = answer.safeParse(await response.json());
    if (!parsed.success) return { ok: false, reason: 'unavailable' };
    return parsed.data.success ? { ok: true } : { ok: false, reason: 'rejected' };
  } catch {
    return { ok: false, reason: 'unavailable' };
  }
}
