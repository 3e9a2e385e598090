import { describe, expect, it } from 'vitest';
import { formSignatureValid, signOptIn, signTags, signedOptInDays } from './form-key.js';

describe('form signatures', () => {
  const key = 'a'.repeat(64);
  const other = 'b'.repeat(64);

  it('answer the same the second time, good ones remembered included, and remembering one opens nothing else', () => {
    const sig = signTags(key, 'vip,wholesale');
    for (let i = 0; i < 2; i++) {
      expect(formSignatureValid(key, 'vip,wholesale', sig)).toBe(true);
      // Another value, another key, a signature one digit off: each refused, before and after the good one is known.
      expect(formSignatureValid(key, 'vip,wholesale,staff', sig)).toBe(false);
      expect(formSignatureValid(other, 'vip,wholesale', sig)).toBe(false);
      expect(formSignatureValid(key, 'vip,wholesale', `${sig.slice(0, 63)}${sig.endsWith('0') ? '1' : '0'}`)).toBe(false);
      expect(formSignatureValid(key, 'vip,wholesale', undefined)).toBe(false);
    }
  });

  it('bind the double opt-in setting to its form, however often it is checked', () => {
    const sig = signOptIn(key, 'contact', 'doi:0');
    for (let i = 0; i < 3; i++) {
      expect(signedOptInDays(key, 'contact', 'doi:0', sig)).toBe(0);
      expect(signedOptInDays(key, 'wholesale', 'doi:0', sig)).toBeNull();
      expect(signedOptInDays(key, 'contact', 'doi:7', sig)).toBeNull();
    }
  });
});
