import { customerView, metafieldView } from './customer-view.js';
import type { EmuConsent, EmuCustomer, EmuMetafield, ShopData } from './store.js';

/**
 * The mutations the app uses, with the validation rules and userErrors Shopify documents for them. Each is atomic:
 * when it returns userErrors it has changed nothing.
 */
type UserError = { field: string[] | null; message: string; code?: string | null; elementIndex?: number | null };
type Input = Record<string, unknown>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const METAFIELD_KEY = /^[A-Za-z0-9_-]{2,64}$/;
const METAFIELD_NAMESPACE = /^[A-Za-z0-9_-]{3,255}$/;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const now = () => new Date().toISOString();
/** A list input replaces the customer's tags, as Shopify documents: trimmed, blanks dropped. */
const tagSet = (tags: unknown[]) =>
  new Set(
    tags
      .map(String)
      .map((t) => t.trim())
      .filter(Boolean),
  );

export function customerSet(data: ShopData, args: { identifier?: Input | null; input: Input }) {
  const errors: UserError[] = [];
  const input = args.input;
  const identifier = args.identifier ?? null;
  let existing: EmuCustomer | undefined;
  if (identifier && input.id)
    errors.push({ field: ['input', 'id'], message: 'The id field is not allowed if identifier is provided.', code: 'ID_NOT_ALLOWED' });
  if (identifier?.email !== undefined) {
    const email = str(identifier.email) ?? '';
    if (input.email !== undefined && str(input.email)?.toLowerCase() !== email.toLowerCase()) {
      errors.push({
        field: ['input', 'email'],
        message: 'The identifier value does not match the value of the corresponding field in the input.',
        code: 'INPUT_MISMATCH',
      });
    }
    existing = data.byEmail(email);
    if (!existing && input.email === undefined)
      errors.push({ field: ['input', 'email'], message: 'The input field corresponding to the identifier is required.', code: 'MISSING_FIELD_REQUIRED' });
  } else if (identifier?.id !== undefined) {
    existing = data.customers.get(str(identifier.id) ?? '');
    if (!existing) errors.push({ field: ['identifier', 'id'], message: 'Resource matching the identifier was not found.', code: 'NOT_FOUND' });
  } else if (identifier?.phone !== undefined) {
    existing = data.byPhone(str(identifier.phone) ?? '');
  }
  const email = input.email === undefined ? (existing?.email ?? null) : str(input.email);
  const phone = input.phone === undefined ? (existing?.phone ?? null) : str(input.phone);
  if (email !== null && !EMAIL.test(email)) errors.push({ field: ['input', 'email'], message: 'Email is invalid', code: 'INVALID' });
  if (phone !== null && phone !== '' && !E164.test(phone)) errors.push({ field: ['input', 'phone'], message: 'Phone is invalid', code: 'INVALID' });
  if (phone) {
    const holder = data.byPhone(phone);
    if (holder && holder !== existing) errors.push({ field: ['input', 'phone'], message: 'Phone has already been taken', code: 'TAKEN' });
  }
  if (email) {
    const holder = data.byEmail(email);
    if (holder && holder !== existing) errors.push({ field: ['input', 'email'], message: 'Email has already been taken', code: 'TAKEN' });
  }
  for (const name of ['firstName', 'lastName'] as const) {
    if ((str(input[name])?.length ?? 0) > 255)
      errors.push({ field: ['input', name], message: `${name} is too long (maximum is 255 characters)`, code: 'TOO_LONG' });
  }
  if (!email && !phone && !str(input.firstName) && !str(input.lastName)) {
    errors.push({ field: ['input'], message: 'A name, phone number, or email address must be present', code: 'BLANK' });
  }
  if (errors.length) return { customer: null, userErrors: errors };

  const stamp = now();
  let customer = existing;
  customer ??= data.addCustomer();
  customer.email = email;
  customer.phone = phone || null;
  if (input.firstName !== undefined) customer.firstName = str(input.firstName);
  if (input.lastName !== undefined) customer.lastName = str(input.lastName);
  if (input.locale !== undefined) customer.locale = str(input.locale);
  if (input.note !== undefined) customer.note = str(input.note);
  // List fields are replaced, not merged, exactly as Shopify documents for customerSet.
  if (Array.isArray(input.tags)) customer.tags = tagSet(input.tags);
  if (Array.isArray(input.addresses)) {
    customer.addresses = input.addresses.map((a) => ({ id: data.newGid('MailingAddress').gid, fields: normaliseAddress(a as Input) }));
  }
  customer.updatedAt = stamp;
  return { customer: customerView(data, customer), userErrors: [] };
}

function normaliseAddress(a: Input): Record<string, string | null> {
  const keys = ['address1', 'address2', 'city', 'company', 'countryCode', 'firstName', 'lastName', 'phone', 'provinceCode', 'zip'];
  const out: Record<string, string | null> = {};
  for (const key of keys) out[key] = str(a[key]);
  out.country = out.countryCode ?? null;
  out.countryCodeV2 = out.countryCode ?? null;
  out.province = out.provinceCode ?? null;
  return out;
}

const COUNTRY_CODE = /^[A-Z]{2}$/;

/**
 * Postal code formats of a few countries, as Shopify checks them (it knows every country's; these are the ones the
 * tests and the local shop use). A code that does not fit is refused on the zip field.
 */
const ZIP_FORMATS: Record<string, RegExp> = {
  FR: /^\d{5}$/,
  DE: /^\d{5}$/,
  ES: /^\d{5}$/,
  IT: /^\d{5}$/,
  US: /^\d{5}(-\d{4})?$/,
  CA: /^[A-Z]\d[A-Z] ?\d[A-Z]\d$/i,
  GB: /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/i,
  NL: /^\d{4} ?[A-Z]{2}$/i,
  BE: /^\d{4}$/,
  CH: /^\d{4}$/,
};

const COUNTRY_NAMES: Record<string, string> = {
  FR: 'France',
  DE: 'Germany',
  ES: 'Spain',
  IT: 'Italy',
  US: 'United States',
  CA: 'Canada',
  GB: 'United Kingdom',
  NL: 'Netherlands',
  BE: 'Belgium',
  CH: 'Switzerland',
};

/** `prefix` is the path of the address in the input: ['address'] for the address mutations, ['addresses', i] in CustomerInput. */
function addressProblems(address: Input, prefix: string[] = ['address']): UserError[] {
  const errors: UserError[] = [];
  const code = str(address.countryCode);
  if (code !== null && !COUNTRY_CODE.test(code)) errors.push({ field: [...prefix, 'countryCode'], message: 'Country is not a valid country code' });
  for (const key of ['address1', 'address2', 'city', 'zip', 'company', 'firstName', 'lastName'] as const) {
    if ((str(address[key])?.length ?? 0) > 255) errors.push({ field: [...prefix, key], message: `${key} is too long (maximum is 255 characters)` });
  }
  const zip = str(address.zip);
  const format = code ? ZIP_FORMATS[code] : undefined;
  if (zip && format && !format.test(zip.trim()))
    errors.push({ field: [...prefix, 'zip'], message: `Enter a valid postal code for ${COUNTRY_NAMES[code!] ?? code}` });
  return errors;
}

/**
 * customerCreate: a new customer, never an existing one. An email another customer holds is "taken" (so a create
 * racing another writer cannot overwrite it), as is a phone; the addresses given become the customer's, the first
 * one the default. The plain UserError of CustomerInput mutations carries no code in 2026-10.
 */
export function customerCreate(data: ShopData, args: { input: Input }) {
  const input = args.input;
  const errors: UserError[] = [];
  if (input.id !== undefined && input.id !== null) errors.push({ field: ['id'], message: 'Id must be blank when creating a customer' });
  const email = str(input.email);
  const phone = str(input.phone);
  if (email !== null && !EMAIL.test(email)) errors.push({ field: ['email'], message: 'Email is invalid' });
  else if (email && data.byEmail(email)) errors.push({ field: ['email'], message: 'Email has already been taken' });
  if (phone && !E164.test(phone)) errors.push({ field: ['phone'], message: 'Phone is invalid' });
  else if (phone && data.byPhone(phone)) errors.push({ field: ['phone'], message: 'Phone has already been taken' });
  for (const name of ['firstName', 'lastName'] as const) {
    if ((str(input[name])?.length ?? 0) > 255)
      errors.push({ field: [name], message: `${name === 'firstName' ? 'First name' : 'Last name'} is too long (maximum is 255 characters)` });
  }
  const addresses = Array.isArray(input.addresses) ? (input.addresses as Input[]) : [];
  addresses.forEach((a, i) => errors.push(...addressProblems(a, ['addresses', String(i)])));
  if (!email && !phone && !str(input.firstName) && !str(input.lastName))
    errors.push({ field: null, message: 'A name, phone number, or email address must be present' });
  if (errors.length) return { customer: null, userErrors: errors };
  const customer = data.addCustomer({ email, phone: phone || null, firstName: str(input.firstName), lastName: str(input.lastName), locale: str(input.locale) });
  if (input.note !== undefined) customer.note = str(input.note);
  if (Array.isArray(input.tags)) customer.tags = tagSet(input.tags);
  customer.addresses = addresses.map((a) => ({ id: data.newGid('MailingAddress').gid, fields: normaliseAddress(a) }));
  return { customer: customerView(data, customer), userErrors: [] };
}

/** customerUpdate: like customerSet's checks, for a customer known by id. Omitted fields are left as they are. */
export function customerUpdate(data: ShopData, args: { input: Input }) {
  const input = args.input;
  const customer = data.customers.get(str(input.id) ?? '');
  if (!customer) return { customer: null, userErrors: [{ field: ['id'], message: 'Customer does not exist' }] };
  const errors: UserError[] = [];
  const email = input.email === undefined ? customer.email : str(input.email);
  const phone = input.phone === undefined ? customer.phone : str(input.phone);
  if (email && !EMAIL.test(email)) errors.push({ field: ['email'], message: 'Email is invalid' });
  if (phone && !E164.test(phone)) errors.push({ field: ['phone'], message: 'Phone is invalid' });
  if (email && data.byEmail(email) && data.byEmail(email) !== customer) errors.push({ field: ['email'], message: 'Email has already been taken' });
  if (phone && data.byPhone(phone) && data.byPhone(phone) !== customer) errors.push({ field: ['phone'], message: 'Phone has already been taken' });
  if (Array.isArray(input.addresses)) errors.push({ field: ['addresses'], message: 'Use customerAddressCreate or customerAddressUpdate to change addresses' });
  if (errors.length) return { customer: null, userErrors: errors };
  customer.email = email;
  customer.phone = phone || null;
  if (input.firstName !== undefined) customer.firstName = str(input.firstName);
  if (input.lastName !== undefined) customer.lastName = str(input.lastName);
  if (input.note !== undefined) customer.note = str(input.note);
  if (input.locale !== undefined) customer.locale = str(input.locale);
  customer.updatedAt = now();
  return { customer: customerView(data, customer), userErrors: [] };
}

function placeAddress(customer: EmuCustomer, address: EmuCustomer['addresses'][number], setAsDefault: unknown): void {
  const rest = customer.addresses.filter((a) => a.id !== address.id);
  // The first address is the default one, as in Shopify's own ordering.
  customer.addresses = setAsDefault === true || rest.length === 0 ? [address, ...rest] : [...rest, address];
  customer.updatedAt = now();
}

export function customerAddressCreate(data: ShopData, args: { customerId: string; address: Input; setAsDefault?: boolean | null }) {
  const customer = data.customers.get(args.customerId);
  if (!customer) return { address: null, userErrors: [{ field: ['customerId'], message: 'Customer does not exist' }] };
  const errors = addressProblems(args.address);
  if (errors.length) return { address: null, userErrors: errors };
  const address = { id: data.newGid('MailingAddress').gid, fields: normaliseAddress(args.address) };
  placeAddress(customer, address, args.setAsDefault);
  return { address: { __typename: 'MailingAddress', id: address.id, ...address.fields }, userErrors: [] };
}

export function customerAddressUpdate(data: ShopData, args: { customerId: string; addressId: string; address: Input; setAsDefault?: boolean | null }) {
  const customer = data.customers.get(args.customerId);
  if (!customer) return { address: null, userErrors: [{ field: ['customerId'], message: 'Customer does not exist' }] };
  const existing = customer.addresses.find((a) => a.id === args.addressId);
  if (!existing) return { address: null, userErrors: [{ field: ['addressId'], message: 'Address does not exist' }] };
  const errors = addressProblems(args.address);
  if (errors.length) return { address: null, userErrors: errors };
  // Fields left out of the input keep their values.
  const given = normaliseAddress(args.address);
  for (const [key, value] of Object.entries(given)) if (value !== null || key in args.address) existing.fields[key] = value;
  placeAddress(customer, existing, args.setAsDefault);
  return { address: { __typename: 'MailingAddress', id: existing.id, ...existing.fields }, userErrors: [] };
}

const METAFIELD_TYPES = new Set([
  'single_line_text_field',
  'multi_line_text_field',
  'json',
  'number_integer',
  'number_decimal',
  'boolean',
  'date',
  'date_time',
  'url',
  'color',
  'list.single_line_text_field',
  'rich_text_field',
  'file_reference',
]);

function metafieldValueProblem(type: string, value: string): string | null {
  switch (type) {
    case 'single_line_text_field':
      return value.includes('\n') ? 'Value must be a single line of text.' : null;
    case 'json':
    case 'list.single_line_text_field':
    case 'rich_text_field':
      try {
        JSON.parse(value);
        return null;
      } catch {
        return 'Value must be valid JSON.';
      }
    case 'number_integer':
      return /^-?\d+$/.test(value) ? null : 'Value must be an integer.';
    case 'number_decimal':
      return /^-?\d+(\.\d+)?$/.test(value) ? null : 'Value must be a decimal.';
    case 'boolean':
      return value === 'true' || value === 'false' ? null : 'Value must be true or false.';
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(value) ? null : 'Value must be in YYYY-MM-DD format.';
    default:
      return null;
  }
}

export function metafieldsSet(data: ShopData, args: { metafields: Input[] }) {
  const errors: UserError[] = [];
  if (args.metafields.length > 25) {
    return {
      metafields: null,
      userErrors: [{ field: ['metafields'], message: 'Exceeded the maximum metafields input limit of 25.', code: 'LESS_THAN_OR_EQUAL_TO', elementIndex: null }],
    };
  }
  const planned = args.metafields.map((m, elementIndex) => {
    const owner: { metafields: Map<string, EmuMetafield>; updatedAt?: string } | undefined =
      String(m.ownerId) === data.installation.id ? data.installation : data.customers.get(String(m.ownerId));
    const namespace = data.resolveNamespace(str(m.namespace));
    const key = String(m.key);
    const existing = owner?.metafields.get(`${namespace}.${key}`);
    const type = str(m.type) ?? existing?.type ?? null;
    const value = String(m.value);
    const field = (name: string) => ['metafields', String(elementIndex), name];
    if (!owner) errors.push({ field: field('ownerId'), message: 'Owner does not exist.', code: 'INVALID', elementIndex });
    if (!METAFIELD_KEY.test(key))
      errors.push({
        field: field('key'),
        message: 'Key must be 2-64 characters long and only contain alphanumeric, hyphen, and underscore characters.',
        code: 'INVALID',
        elementIndex,
      });
    if (m.namespace && m.namespace !== '$app' && !METAFIELD_NAMESPACE.test(namespace))
      errors.push({ field: field('namespace'), message: 'Namespace is invalid.', code: 'INVALID', elementIndex });
    if (!type) errors.push({ field: field('type'), message: "Type can't be blank", code: 'BLANK', elementIndex });
    else if (!METAFIELD_TYPES.has(type))
      errors.push({ field: field('type'), message: `Type '${type}' is not a valid type.`, code: 'INVALID_TYPE', elementIndex });
    else if (existing && existing.type !== type)
      errors.push({ field: field('type'), message: 'Type cannot be changed for an existing metafield.', code: 'INVALID_TYPE', elementIndex });
    else {
      const problem =
        type === 'file_reference' && !data.files.has(value) ? 'Value must be a file reference to an existing file.' : metafieldValueProblem(type, value);
      if (problem) errors.push({ field: field('value'), message: problem, code: 'INVALID_VALUE', elementIndex });
    }
    // compareDigest given as null means "only if the metafield does not exist yet" (schema: metafieldsSet).
    const digestGiven = 'compareDigest' in m;
    if (digestGiven && existing && (m.compareDigest === null || m.compareDigest !== metafieldView(existing).compareDigest)) {
      errors.push({ field: field('compareDigest'), message: 'The resource has been updated since it was loaded.', code: 'STALE_OBJECT', elementIndex });
    } else if (digestGiven && !existing && m.compareDigest !== null && m.compareDigest !== undefined) {
      errors.push({
        field: field('compareDigest'),
        message: 'The compareDigest is invalid: the metafield does not exist.',
        code: 'INVALID_COMPARE_DIGEST',
        elementIndex,
      });
    }
    // A definition the merchant made (or edited) for this key rules its type and what values it takes.
    const definition = owner && owner !== data.installation ? data.definitions.get(`CUSTOMER/${namespace}.${key}`) : undefined;
    if (definition && type && METAFIELD_TYPES.has(type)) {
      if (definition.type !== type)
        errors.push({
          field: field('type'),
          message: `Type '${type}' must be consistent with the definition's type: '${definition.type}'.`,
          code: 'INVALID_TYPE',
          elementIndex,
        });
      else {
        const refused = validationProblem(definition.validations ?? [], value);
        if (refused) errors.push({ field: field('value'), message: refused, code: 'INVALID_VALUE', elementIndex });
      }
    }
    return { owner, namespace, key, type: type ?? '', value, existing };
  });
  if (errors.length) return { metafields: null, userErrors: errors };
  const stamp = now();
  const written = planned.map(({ owner, namespace, key, type, value, existing }) => {
    const metafield = existing
      ? { ...existing, value, updatedAt: stamp }
      : { id: data.newGid('Metafield').gid, namespace, key, type, value, createdAt: stamp, updatedAt: stamp };
    owner!.metafields.set(`${namespace}.${key}`, metafield);
    if (owner!.updatedAt !== undefined) owner!.updatedAt = stamp;
    return metafieldView(metafield);
  });
  return { metafields: written, userErrors: [] };
}

/** The validations a definition can carry that the emulator checks: max, min (text length), regex, choices. */
function validationProblem(validations: Array<{ name: string; value: string }>, value: string): string | null {
  for (const v of validations) {
    if (v.name === 'max' && value.length > Number(v.value)) return `Value has a maximum length of ${v.value}.`;
    if (v.name === 'min' && value.length < Number(v.value)) return `Value has a minimum length of ${v.value}.`;
    if (v.name === 'regex' && !new RegExp(v.value).test(value)) return `Value does not match the pattern: ${v.value}.`;
    if (v.name === 'choices') {
      const choices = JSON.parse(v.value) as string[];
      if (!choices.includes(value)) return `Value does not exist in provided choices: ${JSON.stringify(choices)}.`;
    }
  }
  return null;
}

const DEFINITION_OWNER_TYPES = new Set(['CUSTOMER', 'ORDER', 'PRODUCT', 'PRODUCTVARIANT', 'SHOP', 'COMPANY']);

/** metafieldDefinitionCreate: one definition per owner type, namespace and key; a second one is TAKEN. */
export function metafieldDefinitionCreate(data: ShopData, args: { definition: Input }) {
  const d = args.definition;
  const errors: UserError[] = [];
  const namespace = data.resolveNamespace(str(d.namespace));
  const key = str(d.key) ?? '';
  const type = str(d.type) ?? '';
  const ownerType = str(d.ownerType) ?? '';
  const name = str(d.name) ?? '';
  if (!name.trim()) errors.push({ field: ['definition', 'name'], message: "Name can't be blank", code: 'BLANK' });
  if (!METAFIELD_KEY.test(key)) errors.push({ field: ['definition', 'key'], message: 'Key is invalid', code: 'INVALID' });
  if (!METAFIELD_TYPES.has(type)) errors.push({ field: ['definition', 'type'], message: `Type name ${type} is not a valid type`, code: 'INCLUSION' });
  if (!DEFINITION_OWNER_TYPES.has(ownerType)) errors.push({ field: ['definition', 'ownerType'], message: 'Owner type is not supported', code: 'INCLUSION' });
  const id = `${ownerType}/${namespace}.${key}`;
  if (data.definitions.has(id))
    errors.push({ field: ['definition', 'key'], message: "Key is in use for Customer metafields on the '" + namespace + "' namespace.", code: 'TAKEN' });
  if (errors.length) return { createdDefinition: null, userErrors: errors };
  const validations = Array.isArray(d.validations) ? (d.validations as Input[]).map((v) => ({ name: String(v.name), value: String(v.value) })) : [];
  const access = d.access && typeof d.access === 'object' ? (d.access as Input) : {};
  const customerAccount = access.customerAccount === 'READ_WRITE' || access.customerAccount === 'READ' ? access.customerAccount : 'NONE';
  const definition = { id: data.newGid('MetafieldDefinition').gid, namespace, key, name, type, ownerType, validations, customerAccount } as const;
  data.definitions.set(id, definition);
  return {
    createdDefinition: {
      __typename: 'MetafieldDefinition',
      ...definition,
      type: { name: type, category: 'TEXT', valueType: 'STRING', supportsDefinitionMigrations: false, supportedValidations: [] },
    },
    userErrors: [],
  };
}

const ACCEPTED_STATES = new Set(['SUBSCRIBED', 'UNSUBSCRIBED', 'PENDING']);

/** Where one channel's consent is read from the input, what the customer needs, and what it sets. */
interface ConsentChannel {
  input: 'emailMarketingConsent' | 'smsMarketingConsent' | 'whatsAppMarketingConsent';
  keys: { state: string; level: string; at: string };
  needs: { has: (customer: EmuCustomer) => boolean; field: string[]; message: string };
  set: (customer: EmuCustomer, consent: EmuConsent) => void;
}

/** The three consent mutations check the same things in the same order; only names and the field they need differ. */
function updateConsent(data: ShopData, customerId: string, consent: Input, channel: ConsentChannel) {
  const customer = data.customers.get(customerId);
  const fail = (field: string[], message: string, code: string) => ({ customer: null, userErrors: [{ field, message, code }] });
  if (!customer) return fail(['input', 'customerId'], 'Customer not found', 'INVALID');
  if (!channel.needs.has(customer)) return fail(channel.needs.field, channel.needs.message, 'INVALID');
  const state = String(consent[channel.keys.state]);
  if (!ACCEPTED_STATES.has(state)) return fail(['input', channel.input, channel.keys.state], `Marketing state ${state} is not accepted as input`, 'INCLUSION');
  const at = str(consent[channel.keys.at]);
  if (at && Date.parse(at) > Date.now() + 60_000)
    return fail(['input', channel.input, channel.keys.at], 'Consent updated at cannot be in the future', 'INVALID');
  channel.set(customer, { marketingState: state, marketingOptInLevel: str(consent[channel.keys.level]) ?? 'SINGLE_OPT_IN', consentUpdatedAt: at ?? now() });
  customer.updatedAt = now();
  return { customer: customerView(data, customer), userErrors: [] };
}

const MARKETING_KEYS = { state: 'marketingState', level: 'marketingOptInLevel', at: 'consentUpdatedAt' };
const PHONE_NEEDED = (input: string) => ({ has: (c: EmuCustomer) => Boolean(c.phone), field: ['input', input], message: 'Customer must have a phone number' });

export function customerEmailMarketingConsentUpdate(data: ShopData, args: { input: { customerId: string; emailMarketingConsent: Input } }) {
  return updateConsent(data, args.input.customerId, args.input.emailMarketingConsent, {
    input: 'emailMarketingConsent',
    keys: MARKETING_KEYS,
    needs: { has: (c) => Boolean(c.email), field: ['input', 'customerId'], message: 'Customer must have an email address' },
    set: (c, consent) => (c.emailConsent = consent),
  });
}

export function customerSmsMarketingConsentUpdate(data: ShopData, args: { input: { customerId: string; smsMarketingConsent: Input } }) {
  return updateConsent(data, args.input.customerId, args.input.smsMarketingConsent, {
    input: 'smsMarketingConsent',
    keys: MARKETING_KEYS,
    needs: PHONE_NEEDED('smsMarketingConsent'),
    set: (c, consent) => (c.smsConsent = consent),
  });
}

/**
 * customerWhatsAppMarketingConsentUpdate (2026-07): the consent is held on the customer's phone number, so the
 * customer needs one; the payload is that CustomerPhoneNumber. Which states Shopify takes as input is not documented
 * beyond the enum: the emulator takes the three the email and SMS mutations take and refuses NEVER_SUBSCRIBED and
 * REDACTED, the states only Shopify itself sets.
 */
export function customerWhatsAppMarketingConsentUpdate(data: ShopData, args: { input: { customerId: string; whatsAppMarketingConsent: Input } }) {
  const { customer, userErrors } = updateConsent(data, args.input.customerId, args.input.whatsAppMarketingConsent, {
    input: 'whatsAppMarketingConsent',
    keys: { state: 'state', level: 'optInLevel', at: 'updatedAt' },
    needs: PHONE_NEEDED('whatsAppMarketingConsent'),
    set: (c, consent) => (c.whatsAppConsent = consent),
  });
  return { customerPhoneNumber: customer ? (customer.defaultPhoneNumber as Record<string, unknown> | null) : null, userErrors };
}

export function tagsAdd(data: ShopData, args: { id: string; tags: string[] }) {
  const customer = data.customers.get(args.id);
  if (!customer) return { node: null, userErrors: [{ field: ['id'], message: 'Resource not found' }] };
  const tags = args.tags
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter(Boolean);
  const tooLong = tags.find((t) => t.length > 255);
  if (tooLong) return { node: null, userErrors: [{ field: ['tags'], message: 'Tag is too long (maximum is 255 characters)' }] };
  for (const tag of tags) customer.tags.add(tag);
  customer.updatedAt = now();
  return { node: customerView(data, customer), userErrors: [] };
}
