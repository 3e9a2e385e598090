import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADDRESS_REQUIRED_PARTS, CONTACT_FIELDS, type ContactField } from '../schema/contact-fields.js';
import { submissionSchema } from '../schema/submission.js';
import { EXTENSION_DIR } from '../web/server/core/paths.js';

/**
 * Liquid cannot import TypeScript: the contact block spells out its standard fields, and this test holds it to the
 * one definition (schema/contact-fields.ts) the server, the widget and the workspace follow. A field renamed, retyped
 * or given another autocomplete token or length on one side only fails here.
 */
const block = readFileSync(join(EXTENSION_DIR, 'blocks', 'contact-form.liquid'), 'utf8');
const snippet = readFileSync(join(EXTENSION_DIR, 'snippets', 'cc-field.liquid'), 'utf8');

/** Every `render 'cc-field', ...` of a block, its literal parameters by name. */
function renders(liquid = block): Array<Record<string, string>> {
  return [...liquid.matchAll(/render 'cc-field',([^%]*?)-?%\}/g)].map((m) => {
    const params: Record<string, string> = {};
    for (const p of (m[1] ?? '').matchAll(/(\w+):\s*('([^']*)'|[^,]+?)\s*(?:,|$)/g)) params[p[1]!] = p[3] ?? p[2]!.trim();
    return params;
  });
}

/** The snippet's maxlength when the block gives none, for an input and for a textarea. */
function defaultMaxlength(textarea: boolean): number {
  const all = [...snippet.matchAll(/maxlength="\{\{ maxlength \| default: (\d+) \}\}"/g)].map((m) => Number(m[1]));
  const textareaAt = snippet.indexOf('<textarea');
  const textareaDefault = Number(/maxlength \| default: (\d+)/.exec(snippet.slice(textareaAt))?.[1]);
  return textarea ? textareaDefault : all.find((n) => n !== textareaDefault)!;
}

describe('the contact block and the field definition', () => {
  const standard = renders().filter((r) => CONTACT_FIELDS.some((f) => f.name === r.name));

  it('renders every standard field exactly once, in the order of the definition', () => {
    expect(standard.map((r) => r.name)).toEqual(CONTACT_FIELDS.map((f) => f.name));
  });

  it.each(CONTACT_FIELDS.map((f) => [f.name, f] as [string, ContactField]))(
    'renders %s with the name, input type, autocomplete token and length of the definition',
    (name, field) => {
      const r = standard.find((x) => x.name === name)!;
      expect(r.kind).toBe(field.input);
      expect(r.autocomplete).toBe(field.autocomplete);
      expect(r.maxlength === undefined ? defaultMaxlength(field.input === 'textarea') : Number(r.maxlength)).toBe(field.max);
      expect(r.label_key).toBe(`contact_form.fields.${name}.label`);
    },
  );

  it('shows and requires fields by the settings the definition names', () => {
    const optional = /assign optional_fields = '([^']+)'/.exec(block)?.[1]?.split(',');
    const settings = [...new Set(CONTACT_FIELDS.flatMap((f): string[] => ('setting' in f ? [f.setting] : [])))];
    expect(new Set(optional)).toEqual(new Set(settings));
    for (const f of CONTACT_FIELDS) {
      if ('setting' in f) expect(block, f.name).toContain(`s.${f.setting} != 'hidden'`);
    }
    const addressRequired = standard.filter((r) => r.required === 'address_required').map((r) => r.name);
    expect(new Set(addressRequired)).toEqual(new Set(ADDRESS_REQUIRED_PARTS));
  });

  it('is what the server parses: every standard field is a key of the submission schema', () => {
    for (const f of CONTACT_FIELDS) expect(Object.keys(submissionSchema.shape)).toContain(f.name);
  });

  it("gives the cart block's birthday and company the autocomplete token and type of the contact fields", () => {
    const cart = renders(readFileSync(join(EXTENSION_DIR, 'blocks', 'cart-fields.liquid'), 'utf8'));
    for (const name of ['birthday', 'company'] as const) {
      const field: ContactField = CONTACT_FIELDS.find((f) => f.name === name)!;
      const r = cart.find((x) => x.name === `attributes[cc_${name}]`);
      expect(r, name).toMatchObject({ kind: field.input, autocomplete: field.autocomplete });
    }
  });
});
