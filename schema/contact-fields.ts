import { LIMITS } from './limits.js';

/**
 * The one definition of the contact form's standard fields and of the postal address: names, input types,
 * autocomplete tokens and length limits. The submission schema (submission.ts) is built from it, the server's no-JS
 * and self-service pages render from it, the workspace edits and shows addresses with it, and
 * tests/contact-fields.test.ts holds the Liquid block (which cannot import TypeScript) to it.
 * Order: the order the block shows the fields in.
 */
export type ContactInput = 'text' | 'email' | 'tel' | 'date' | 'textarea';

export interface ContactField {
  name: string;
  /** The block's `cc-field` kind, which is the input's type (a textarea for `textarea`). */
  input: ContactInput;
  /** The HTML autocomplete token; none for the message, which nobody's browser should fill. */
  autocomplete?: string;
  /** The longest value accepted, and the input's maxlength. */
  max: number;
  /** The block setting (hidden/optional/required) that shows the field; none for the email, always shown. */
  setting?: string;
  /** A two-letter country code rather than free text. */
  format?: 'country-code';
}

export const CONTACT_FIELDS = [
  { name: 'first_name', input: 'text', autocomplete: 'given-name', max: LIMITS.name, setting: 'first_name' },
  { name: 'last_name', input: 'text', autocomplete: 'family-name', max: LIMITS.name, setting: 'last_name' },
  { name: 'email', input: 'email', autocomplete: 'email', max: LIMITS.email },
  { name: 'phone', input: 'tel', autocomplete: 'tel', max: LIMITS.phone, setting: 'phone' },
  { name: 'company', input: 'text', autocomplete: 'organization', max: LIMITS.text, setting: 'company' },
  { name: 'birthday', input: 'date', autocomplete: 'bday', max: LIMITS.date, setting: 'birthday' },
  { name: 'address1', input: 'text', autocomplete: 'address-line1', max: LIMITS.text, setting: 'address' },
  { name: 'address2', input: 'text', autocomplete: 'address-line2', max: LIMITS.text, setting: 'address' },
  { name: 'city', input: 'text', autocomplete: 'address-level2', max: LIMITS.text, setting: 'address' },
  { name: 'zip', input: 'text', autocomplete: 'postal-code', max: LIMITS.zip, setting: 'address' },
  { name: 'province', input: 'text', autocomplete: 'address-level1', max: LIMITS.text, setting: 'address' },
  { name: 'country', input: 'text', autocomplete: 'country', max: LIMITS.country, setting: 'address', format: 'country-code' },
  { name: 'message', input: 'textarea', max: LIMITS.message, setting: 'message' },
] as const satisfies readonly ContactField[];

export type ContactFieldName = (typeof CONTACT_FIELDS)[number]['name'];

export const contactField = (name: string): ContactField | undefined => CONTACT_FIELDS.find((f) => f.name === name);

/**
 * The postal address's parts, in the order the lead's `address` JSON column stores them (and the workspace edits
 * them); the form shows zip before province.
 */
export const ADDRESS_PARTS = ['address1', 'address2', 'city', 'province', 'zip', 'country'] as const satisfies readonly ContactFieldName[];
export type AddressPart = (typeof ADDRESS_PARTS)[number];
/** The address as the lead stores it: every part optional, country upper-case. */
export type PostalAddress = Partial<Record<AddressPart, string>>;
/** The parts a block that requires the address requires. */
export const ADDRESS_REQUIRED_PARTS = ['address1', 'city', 'zip', 'country'] as const satisfies readonly AddressPart[];

/** The fields staff may correct on a lead (the workspace's edit form, the server's correction schema). */
export const CORRECTABLE_FIELDS = ['first_name', 'last_name', 'email', 'phone', ...ADDRESS_PARTS] as const satisfies readonly ContactFieldName[];

/** The lead's `address` column from a submission or a correction: null when no part is given. */
export function postalAddressJson(parts: Partial<Record<AddressPart, string | null | undefined>>): string | null {
  const address: Record<AddressPart, string | undefined> = {
    address1: parts.address1 ?? undefined,
    address2: parts.address2 ?? undefined,
    city: parts.city ?? undefined,
    province: parts.province ?? undefined,
    zip: parts.zip ?? undefined,
    country: parts.country?.toUpperCase() ?? undefined,
  };
  return Object.values(address).some(Boolean) ? JSON.stringify(address) : null;
}

/** An address on one line, as the workspace shows it: street, "zip city", province, country. */
export const addressLine = (a: PostalAddress): string =>
  [a.address1, a.address2, [a.zip, a.city].filter(Boolean).join(' '), a.province, a.country].filter(Boolean).join(', ');
