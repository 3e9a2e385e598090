import * as z from 'zod';
import { ADDRESS_PARTS, type AddressPart, type PostalAddress } from '../../../schema/contact-fields.js';
import type { LeadAnswer, SyncWarning } from '../../../schema/workspace-api.js';

/**
 * The one way a JSON column is read: parsed and checked against the shape the column is meant to hold, never cast.
 * A value that is not JSON or not of that shape (a damaged row, a row from an older version) gives null, so one bad
 * cell never fails the job or the page it is on; the caller says what null stands for.
 */
export function parseJsonColumn<S extends z.core.$ZodType>(schema: S, json: string | null | undefined): z.output<S> | null {
  if (json === null || json === undefined || json === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  const parsed = z.safeParse(schema, value);
  return parsed.success ? parsed.data : null;
}

/** leads.address: the postal address (schema/contact-fields.ts); parts are optional, unknown keys are dropped. */
export const addressColumn = z.object(
  Object.fromEntries(ADDRESS_PARTS.map((part) => [part, z.string().optional()])) as Record<AddressPart, z.ZodOptional<z.ZodString>>,
) satisfies z.ZodType<PostalAddress>;

/** leads.answers: the custom and purchase answers. */
export const answersColumn = z.array(
  // Loose: a job that rewrites the column (metafield-definitions.ts) must not drop what it does not know.
  z.looseObject({ key: z.string(), kind: z.string(), value: z.string(), held: z.enum(['unsigned', 'reserved', 'definition_cap']).optional() }),
) satisfies z.ZodType<LeadAnswer[]>;

/** leads.tags: the merchant's tags. */
export const tagsColumn = z.array(z.string());

/** leads.sync_warnings: values Shopify refused while the rest synced. */
export const syncWarningsColumn = z.array(z.object({ field: z.string(), code: z.string().nullable(), message: z.string() })) satisfies z.ZodType<SyncWarning[]>;

/** Who a compliance request is about (compliance_requests.customer, and inside a package). */
export const customerRefColumn = z.object({ id: z.union([z.number(), z.string()]).nullish(), email: z.string().nullish(), phone: z.string().nullish() });

/** A JSON object whose values are not checked further (audit details). */
export const objectColumn = z.record(z.string(), z.unknown());

/** compliance_requests.result: counts by what was done. */
export const resultColumn = z.record(z.string(), z.number());

/** compliance_requests.package: what a data request hands over; loose, since it is handed over as it was stored. */
export const packageColumn = z.looseObject({ leads: z.array(z.record(z.string(), z.unknown())) });
