import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadAdminSchema } from '../../../dev/admin-emulator/schema.js';
import { OPERATIONS } from './operations.js';

describe('every Admin GraphQL operation the app sends', () => {
  const schema = loadAdminSchema();

  it.each(Object.entries(OPERATIONS))('%s validates against the real 2026-10 Admin schema', (_name, source) => {
    expect(validate(schema, parse(source)).map((e) => e.message)).toEqual([]);
  });

  it('is named, so logs and the emulator can tell them apart', () => {
    for (const source of Object.values(OPERATIONS)) expect(source).toMatch(/^\s*(mutation|query) ContactCapture\w+/);
  });

  it('the schema check can fail: a field that does not exist in 2026-10 is reported', () => {
    const errors = validate(schema, parse('mutation { customerSet(identifier: {email: "a@b.co"}, input: {metafields: []}) { customer { id } } }'));
    expect(errors.map((e) => e.message).join()).toContain('metafields');
  });
});
