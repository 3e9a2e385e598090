import { describe, expect, it } from 'vitest';
import { DEFAULT_SPAM_SETTINGS, spamVerdict } from './spam.js';

const now = 1_800_000_000_000;
const human = { honeypot: undefined, renderedAt: now - 30_000, email: 'ann@gmail.com', message: 'See https://example.com for my order.' };

describe('spam verdict', () => {
  it('lets an ordinary human submission through', () => {
    expect(spamVerdict(human, DEFAULT_SPAM_SETTINGS, now)).toBeNull();
  });
  it.each([
    ['a filled honeypot', { honeypot: 'http://spam' }, 'honeypot'],
    ['a form sent within the minimum fill time', { renderedAt: now - 500 }, 'too_fast'],
    ['a render time of 0, which would skip the fill-time check', { renderedAt: 0 }, 'no_fill_time'],
    ['a negative render time', { renderedAt: -1 }, 'no_fill_time'],
    ['a render time two days ahead', { renderedAt: now + 2 * 86_400_000 }, 'no_fill_time'],
    ['a form with no render time', { renderedAt: undefined }, 'no_fill_time'],
    ['a disposable email domain', { email: 'x@mailinator.com' }, 'disposable_email'],
    ['link stuffing', { message: 'http://a.co http://b.co www.c.co [url=http://d.co]d[/url]' }, 'link_stuffing'],
  ])('quarantines %s', (_name, change, reason) => {
    expect(spamVerdict({ ...human, ...change }, DEFAULT_SPAM_SETTINGS, now)).toBe(reason);
  });
});
