import { describe, expect, it } from 'vitest';
import { CONTACT_FIELDS } from '../../../../schema/contact-fields.js';
import { contactControl } from './contact-input.js';

/**
 * The server's pages (the no-JS form again, the self-service correction form) render the standard fields from the
 * same definition as the block: the block gives each its `max` as maxlength (tests/contact-fields.test.ts), so a
 * shopper correcting a value on the server's page meets the same limit rather than a 422 after posting.
 */
describe('contactControl', () => {
  it.each(CONTACT_FIELDS.map((f) => [f.name, f] as const))('gives %s the maxlength of its definition', (_name, field) => {
    expect(contactControl(field, '', 'id="x"', false)).toContain(` maxlength="${field.max}"`);
  });

  it('escapes the value and keeps it out of the markup', () => {
    const text = CONTACT_FIELDS.find((f) => f.input === 'text')!;
    const area = CONTACT_FIELDS.find((f) => f.input === 'textarea')!;
    const evil = '"><script>x</script>{{ a }}{% b %}</textarea>';
    for (const field of [text, area]) {
      const html = contactControl(field, evil, 'id="x"', false);
      expect(html).not.toMatch(/<script|\{\{|\{%|<\/textarea>.*<\/textarea>/);
    }
  });
});
