import { isIP } from 'node:net';

/**
 * The shopper's IP. Shopify's app proxy adds X-Forwarded-For, and so may our own load balancer, so which entry to
 * trust is configuration: `hops` counts from the right (1 = the entry added by the nearest proxy).
 */
export interface ClientIpSettings {
  header: string;
  hops: number;
}

export const UNKNOWN_IP = 'unknown';

/**
 * The address in its plain form: a port some proxies append is dropped (`1.2.3.4:5678`, `[2001:db8::1]:443`), as is
 * an IPv6 zone, and an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) is its IPv4 address, so one client is one bucket
 * however the proxy wrote it. `unknown` when nothing trustworthy was sent.
 */
export function clientIp(headers: Headers, settings: ClientIpSettings, fallback = UNKNOWN_IP): string {
  const value = headers.get(settings.header);
  if (!value) return fallback;
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const candidate = entries[entries.length - settings.hops] ?? entries[0];
  return (candidate && plainAddress(candidate)) ?? fallback;
}

export function plainAddress(raw: string): string | null {
  let value = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed) value = bracketed[1]!;
  else if (/^[\d.]+:\d{1,5}$/.test(value)) value = value.slice(0, value.lastIndexOf(':'));
  value = value.replace(/%[\w.-]+$/, '');
  const version = isIP(value);
  if (version === 4) return value;
  if (version !== 6) return null;
  const hextets = ipv6Hextets(value);
  if (!hextets) return null;
  if (hextets.slice(0, 5).every((h) => h === 0) && hextets[5] === 0xffff) {
    return [hextets[6]! >> 8, hextets[6]! & 255, hextets[7]! >> 8, hextets[7]! & 255].join('.');
  }
  return value.toLowerCase();
}

/** The eight 16-bit groups of an IPv6 address that isIP accepted (`::` expanded, an embedded IPv4 tail converted). */
function ipv6Hextets(address: string): number[] | null {
  let text = address.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -v4[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return null;
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right].map((h) => Number.parseInt(h, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

/**
 * What a per-IP limit counts: an IPv4 address, or an IPv6 address's /64. A single customer line or host gets a whole
 * /64 and can pick any address in it, so counting addresses would let one client rotate through 2^64 of them.
 */
export function rateBucket(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const hextets = ipv6Hextets(ip);
  return hextets
    ? `${hextets
        .slice(0, 4)
        .map((h) => h.toString(16))
        .join(':')}::/64`
    : ip;
}
