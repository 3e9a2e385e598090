import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOP, type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';
import { WINDOW_MS } from '../web/server/leads/rate-limit.js';

/**
 * Attacker review of the embed form's per-address limit (039ea67): one client writing its address in every way the
 * trusted header allows, or adding entries before it, is one address.
 */
describe('POST /proxy/embed-form limit against one client in many spellings', () => {
  let t: TestApp | null;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
  });
  afterAll(async () => t?.close());

  const render = (xff: string, headers: Record<string, string> = {}) =>
    t!.proxy('/embed-form', { ...jsonPost({ block: 'E9' }), headers: { 'content-type': 'application/json', 'x-forwarded-for': xff, ...headers }, shop: SHOP });

  it("held: spoofed entries left of the proxy's, ports, brackets, zones, case, mapped IPv4 and addresses of one /64 share one count", async (ctx) => {
    if (!t) return ctx.skip();
    const left = WINDOW_MS - (Date.now() % WINDOW_MS);
    if (left < 15_000) await new Promise((r) => setTimeout(r, left + 50));
    const v6 = [
      '2001:db8:1:2::1',
      '2001:DB8:1:2::1',
      '[2001:db8:1:2::1]:443',
      '2001:db8:1:2:0:0:0:1',
      '2001:db8:1:2::1%eth0',
      '2001:db8:1:2:ffff::9',
      '2001:0db8:0001:0002::7',
    ];
    const v4 = ['198.51.100.9', '198.51.100.9:1234', '::ffff:198.51.100.9', '::ffff:c633:6409', '[::ffff:198.51.100.9]:80', '0:0:0:0:0:ffff:198.51.100.9'];
    const spoofed = (i: number) => `10.0.0.${i}, 127.0.0.1, unknown`;
    const answers6: number[] = [];
    for (let i = 0; i < 31; i++) answers6.push((await render(`${spoofed(i)}, ${v6[i % v6.length]!}`)).status);
    expect(answers6.filter((s) => s === 200)).toHaveLength(30);
    expect(answers6.at(-1)).toBe(429);
    const answers4: number[] = [];
    for (let i = 0; i < 31; i++) answers4.push((await render(`${spoofed(i)}, ${v4[i % v4.length]!}`)).status);
    expect(answers4.filter((s) => s === 200)).toHaveLength(30);
    expect(answers4.at(-1)).toBe(429);
    // The header sent twice is read joined, the proxy's entry last.
    const twice = new Headers({ 'content-type': 'application/json' });
    twice.append('x-forwarded-for', '192.0.2.77');
    twice.append('x-forwarded-for', '198.51.100.9');
    const again = await t.proxy('/embed-form', { ...jsonPost({ block: 'E9' }), headers: twice });
    expect(again.status).toBe(429);
  });
});
