/**
 * What the sync does with each userError Shopify can answer, per mutation, decided once for every code the 2026-10
 * schema lists (a test reads the schema's enums and fails when a code has no decision here).
 *
 * - `field`: about one value (a phone another customer has, an invalid address, a metafield value its definition
 *   refuses). The write is retried without that value, which stays on the lead, and the lead syncs with a warning.
 *   When the error names a value the sync cannot do without (the email, the customer's id), it is `customer`.
 * - `customer`: about the customer or the request as a whole: the lead fails with Shopify's reason.
 * - `transient`: Shopify's own hiccup: the job is retried later.
 * - `gone`: the customer was deleted or merged during the sync: the job is retried against the current record.
 * - `exists`: what was to be created exists already (another writer got there first): read it and go on.
 *
 * customerCreate, customerUpdate, customerAddressCreate/Update and tagsAdd answer the plain `UserError`, which has
 * no code in 2026-10: for them the field path decides (FIELD_PATHS below).
 */
export type Verdict = 'field' | 'customer' | 'transient' | 'gone' | 'exists';

export const CODE_DECISIONS = {
  customerSet: {
    BLANK: 'customer', // neither name, phone nor email
    ID_NOT_ALLOWED: 'customer',
    INCLUSION: 'field', // a value outside its list (locale, country)
    INPUT_MISMATCH: 'customer',
    INVALID: 'field',
    METAFIELD_MISMATCH: 'customer',
    MISSING_FIELD_REQUIRED: 'customer',
    NOT_FOUND: 'gone',
    PRESENT: 'field',
    TAKEN: 'field', // a phone another customer holds; TAKEN on the email itself is `customer` (see fieldTarget)
    TOO_LONG: 'field',
    TOO_SHORT: 'field',
  },
  metafieldsSet: {
    APP_NOT_AUTHORIZED: 'field',
    BLANK: 'field',
    CAPABILITY_VIOLATION: 'field',
    INCLUSION: 'field', // a value outside the definition's choices
    INTERNAL_ERROR: 'transient',
    INVALID: 'field', // on ownerId: the customer is gone
    INVALID_COMPARE_DIGEST: 'exists',
    INVALID_TYPE: 'field', // the type differs from the definition the merchant made
    INVALID_VALUE: 'field', // refused by the definition's validations
    LESS_THAN_OR_EQUAL_TO: 'field', // per value; without elementIndex (over 25 values) it is `customer`
    PRESENT: 'field',
    STALE_OBJECT: 'exists', // compareDigest null and someone filled the value first: theirs stays
    TAKEN: 'field',
    TOO_LONG: 'field',
    TOO_SHORT: 'field',
  },
  customerEmailMarketingConsentUpdate: {
    INCLUSION: 'customer',
    INTERNAL_ERROR: 'transient',
    INVALID: 'customer', // on customerId: gone
    MISSING_ARGUMENT: 'customer',
  },
  // SMS consent is one more value of the customer: refused, it is dropped with a warning; email consent stays.
  customerSmsMarketingConsentUpdate: {
    INCLUSION: 'field',
    INTERNAL_ERROR: 'transient',
    INVALID: 'field', // on customerId: gone
    MISSING_ARGUMENT: 'customer',
  },
  // WhatsApp consent (2026-07) likewise: refused, it alone is dropped with a warning.
  customerWhatsAppMarketingConsentUpdate: {
    INCLUSION: 'field',
    INTERNAL_ERROR: 'transient',
    INVALID: 'field', // no phone on the customer, or a state only Shopify sets
    MISSING_ARGUMENT: 'customer',
  },
  // A definition that cannot be made leaves the value without one; metafieldsSet's answer then decides.
  metafieldDefinitionCreate: {
    ADMIN_ACCESS_INPUT_NOT_ALLOWED: 'field',
    BLANK: 'field',
    CAPABILITY_REQUIRED_BUT_DISABLED: 'field',
    DUPLICATE_OPTION: 'field',
    INCLUSION: 'field',
    INVALID: 'field',
    INVALID_CAPABILITY: 'field',
    INVALID_CHARACTER: 'field',
    INVALID_CONSTRAINTS: 'field',
    INVALID_INPUT_COMBINATION: 'field',
    INVALID_OPTION: 'field',
    LIMIT_EXCEEDED: 'field',
    OWNER_TYPE_LIMIT_EXCEEDED_FOR_AUTOMATED_COLLECTIONS: 'field',
    OWNER_TYPE_LIMIT_EXCEEDED_FOR_USE_AS_ADMIN_FILTERS: 'field',
    PINNED_LIMIT_REACHED: 'field',
    PRESENT: 'field',
    RESERVED_NAMESPACE_KEY: 'field',
    RESOURCE_TYPE_LIMIT_EXCEEDED: 'field',
    RESOURCE_TYPE_LIMIT_EXCEEDED_BY_APP: 'field',
    TAKEN: 'exists',
    TOO_LONG: 'field',
    TOO_SHORT: 'field',
    TYPE_NOT_ALLOWED_FOR_CONDITIONS: 'field',
    UNSTRUCTURED_ALREADY_EXISTS: 'exists',
    UNSUPPORTED_PINNING: 'field',
  },
} as const satisfies Record<string, Record<string, Verdict>>;

export type CodedMutation = keyof typeof CODE_DECISIONS;
export type CodelessMutation = 'customerCreate' | 'customerUpdate' | 'customerAddressCreate' | 'customerAddressUpdate' | 'tagsAdd';
export type Mutation = CodedMutation | CodelessMutation;

/** A value of the lead the sync can leave out of a write: the lead keeps it, staff see why. */
export type Droppable = 'first_name' | 'last_name' | 'phone' | 'locale' | 'address' | 'tags' | 'sms_consent' | 'whatsapp_consent' | `metafield:${string}`;

/** Where a field path points, for the mutations' inputs (leading `input` and list indexes stripped). */
const FIELD_PATHS: Record<string, Droppable | 'gone' | 'customer'> = {
  firstName: 'first_name',
  lastName: 'last_name',
  phone: 'phone',
  locale: 'locale',
  addresses: 'address',
  address: 'address',
  tags: 'tags',
  email: 'customer',
  identifier: 'customer',
  id: 'gone',
  customerId: 'gone',
  addressId: 'gone',
  ownerId: 'gone',
};

export interface UserError {
  field?: string[] | null;
  message: string;
  code?: string | null;
  elementIndex?: number | null;
}

export interface Decision {
  verdict: Verdict;
  /** For `field`: what to leave out. */
  drop?: Droppable;
}

const CUSTOMER_GONE = /owner does not exist|customer not found|customer does not exist|resource not found|does not exist/i;

/**
 * The decision for one userError of `mutation`. `metafieldKeys` names the metafields of a metafieldsSet call in
 * order, so an error's elementIndex names the value to drop.
 */
export function decide(mutation: Mutation, error: UserError, metafieldKeys: string[] = []): Decision {
  const path = (error.field ?? []).filter((p) => p !== 'input' && !/^\d+$/.test(p));
  const head = path[0];
  if (mutation === 'metafieldsSet') {
    const byCode = CODE_DECISIONS.metafieldsSet[error.code as keyof (typeof CODE_DECISIONS)['metafieldsSet']] as Verdict | undefined;
    if (path.includes('ownerId') || CUSTOMER_GONE.test(error.message)) return { verdict: 'gone' };
    const index = error.elementIndex ?? (error.field?.[0] === 'metafields' && /^\d+$/.test(error.field[1] ?? '') ? Number(error.field[1]) : null);
    const key = index === null ? undefined : metafieldKeys[index];
    if (byCode === 'field' || byCode === 'exists') return key === undefined ? { verdict: 'customer' } : { verdict: byCode, drop: `metafield:${key}` };
    return { verdict: byCode ?? 'customer' };
  }
  if (mutation === 'customerSmsMarketingConsentUpdate' || mutation === 'customerWhatsAppMarketingConsentUpdate') {
    const table: Record<string, Verdict> = CODE_DECISIONS[mutation];
    const byCode = error.code ? table[error.code] : undefined;
    if (CUSTOMER_GONE.test(error.message)) return { verdict: 'gone' };
    // Without a code (older answers) a refusal of the consent is still about that one value.
    const drop = mutation === 'customerSmsMarketingConsentUpdate' ? 'sms_consent' : 'whatsapp_consent';
    if (byCode === 'field' || (byCode === undefined && !error.code)) return { verdict: 'field', drop };
    return { verdict: byCode ?? 'customer' };
  }
  const target = head === undefined ? undefined : FIELD_PATHS[head];
  if (target === 'gone' || (target === undefined && CUSTOMER_GONE.test(error.message))) return { verdict: 'gone' };
  if (mutation in CODE_DECISIONS) {
    const table = CODE_DECISIONS[mutation as CodedMutation] as Record<string, Verdict>;
    const byCode = error.code ? table[error.code] : undefined;
    if (byCode !== 'field') return { verdict: byCode ?? 'customer' };
  }
  if (mutation === 'customerCreate' && target === 'customer' && head === 'email' && /taken/i.test(error.message)) return { verdict: 'exists' };
  if (target === undefined || target === 'customer') return { verdict: 'customer' };
  return { verdict: 'field', drop: target };
}
