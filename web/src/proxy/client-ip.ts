import { isIP } from 'node:net';

/**
 * The shopper's IP. Shopify's app proxy adds X-Forwarded-For, and so may our own load balancer, so which entry to
 * trust is configuration: `hops` counts from the right (1 = the entry added by the nearest proxy).
 */
export interface ClientIpSettings {
  header: string;
  hops: number;
}

export function clientIp(headers: Headers, settings: ClientIpSettings, fallback = 'unknown'): string {
  const value = headers.get(settings.header);
  if (!value) return fallback;
  const entries = value.split(',').map((s) => s.trim()).filter(Boolean);
  const candidate = entries[entries.length - settings.hops] ?? entries[0];
  return candidate && isIP(candidate) ? candidate : fallback;
}
