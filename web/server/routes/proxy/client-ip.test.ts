import { describe, expect, it } from 'vitest';
import { clientIp, rateBucket } from './client-ip.js';

const read = (value: string | null, hops = 1) => clientIp(new Headers(value === null ? {} : { 'x-forwarded-for': value }), { header: 'x-forwarded-for', hops });

describe('client address', () => {
  it('strips ports and zones, and reads an IPv4-mapped IPv6 address as its IPv4 address', () => {
    expect(read('1.2.3.4:5678')).toBe('1.2.3.4');
    expect(read('[2001:db8::1]:443')).toBe('2001:db8::1');
    expect(read('[2001:db8::1]')).toBe('2001:db8::1');
    expect(read('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(read('::FFFF:c633:6407')).toBe('198.51.100.7');
    expect(read('[::ffff:198.51.100.7]:8080')).toBe('198.51.100.7');
    expect(read('fe80::1%eth0')).toBe('fe80::1');
    expect(read('10.0.0.1, 203.0.113.9:1234')).toBe('203.0.113.9');
    expect(read('203.0.113.9, 10.0.0.1', 2)).toBe('203.0.113.9');
  });

  it('is unknown when nothing trustworthy was sent', () => {
    for (const value of [null, '', 'garbage', '1.2.3.4:notaport', '999.1.1.1', '[2001:db8::1']) expect(read(value)).toBe('unknown');
  });

  it('counts IPv6 clients per /64 and IPv4 clients per address', () => {
    const a = rateBucket('2001:db8:aa:bb:1:2:3:4');
    expect(rateBucket('2001:db8:aa:bb::99')).toBe(a);
    expect(rateBucket('2001:0db8:00aa:00bb:ffff:ffff:ffff:ffff')).toBe(a);
    expect(rateBucket('2001:db8:aa:bc::1')).not.toBe(a);
    expect(rateBucket('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(rateBucket('198.51.100.7')).toBe('198.51.100.7');
    expect(rateBucket('unknown')).toBe('unknown');
  });
});
