import type { EmuConsent, EmuCustomer, EmuMetafield, ShopData } from './store.js';
import { type FilesContext, fileView } from './files.js';

/** Customer objects as the schema's resolvers expect them: plain fields, and functions for fields with arguments. */
export function connection<T>(items: T[], first?: number | null) {
  const nodes = typeof first === 'number' ? items.slice(0, first) : items;
  return {
    nodes,
    edges: nodes.map((node, i) => ({ node, cursor: Buffer.from(String(i)).toString('base64') })),
    pageInfo: {
      hasNextPage: nodes.length < items.length,
      hasPreviousPage: false,
      startCursor: nodes.length ? Buffer.from('0').toString('base64') : null,
      endCursor: nodes.length ? Buffer.from(String(nodes.length - 1)).toString('base64') : null,
    },
  };
}

export function metafieldView(m: EmuMetafield, ownerType = 'CUSTOMER') {
  return {
    __typename: 'Metafield',
    ...m,
    ownerType,
    jsonValue: m.type === 'json' ? (JSON.parse(m.value) as unknown) : m.value,
    compareDigest: Buffer.from(m.updatedAt + m.value).toString('base64'),
  };
}

/**
 * One channel's consent as 2026-10 reads it on CustomerPhoneNumber (`CustomerMarketingConsent`). The channel
 * states say NEVER_SUBSCRIBED where the older email/SMS enums say NOT_SUBSCRIBED. Consent the app (or any app) set
 * through the Admin API reads as collected from OTHER; Shopify's own surfaces would say SHOPIFY.
 */
function channelConsent(consent: EmuConsent | null) {
  const state = consent?.marketingState ?? 'NEVER_SUBSCRIBED';
  return {
    state: state === 'NOT_SUBSCRIBED' ? 'NEVER_SUBSCRIBED' : state,
    optInLevel: consent?.marketingOptInLevel ?? null,
    updatedAt: consent?.consentUpdatedAt ?? null,
    collectedFrom: consent ? (consent.collectedFrom ?? 'OTHER') : null,
    sourceLocation: null,
  };
}

/** A file_reference metafield's `reference`: the file, or null once it was deleted from the shop's Files. */
function withReference(data: ShopData, m: EmuMetafield, files: FilesContext | undefined) {
  const view = metafieldView(m);
  if (m.type !== 'file_reference' || !files) return view;
  const file = data.files.get(m.value);
  return { ...view, reference: file ? fileView(files, file) : null };
}

export function customerView(data: ShopData, c: EmuCustomer, files?: FilesContext) {
  const consent = c.emailConsent;
  const metafieldList = () => [...c.metafields.values()];
  return {
    __typename: 'Customer',
    id: c.id,
    legacyResourceId: String(c.legacyId),
    firstName: c.firstName,
    lastName: c.lastName,
    displayName: [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || c.phone || '',
    email: c.email,
    phone: c.phone,
    locale: c.locale ?? 'en',
    note: c.note,
    tags: [...c.tags].sort(),
    state: 'DISABLED',
    verifiedEmail: c.verifiedEmail ?? true,
    validEmailAddress: c.email !== null,
    taxExempt: false,
    taxExemptions: [],
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    canDelete: true,
    numberOfOrders: '0',
    defaultEmailAddress: c.email
      ? {
          emailAddress: c.email,
          marketingState: consent?.marketingState ?? 'NOT_SUBSCRIBED',
          marketingOptInLevel: consent?.marketingOptInLevel ?? null,
          marketingUpdatedAt: consent?.consentUpdatedAt ?? null,
          validFormat: true,
          openTrackingLevel: 'UNKNOWN',
        }
      : null,
    defaultPhoneNumber: c.phone
      ? {
          phoneNumber: c.phone,
          // The flat fields are deprecated in 2026-10 but still answered, as Shopify does.
          marketingState: c.smsConsent?.marketingState ?? 'NOT_SUBSCRIBED',
          marketingOptInLevel: c.smsConsent?.marketingOptInLevel ?? null,
          marketingUpdatedAt: c.smsConsent?.consentUpdatedAt ?? null,
          marketingCollectedFrom: null,
          smsMarketingConsent: channelConsent(c.smsConsent),
          whatsAppMarketingConsent: channelConsent(c.whatsAppConsent ?? null),
        }
      : null,
    emailMarketingConsent: c.email
      ? {
          marketingState: consent?.marketingState ?? 'NOT_SUBSCRIBED',
          marketingOptInLevel: consent?.marketingOptInLevel ?? null,
          consentUpdatedAt: consent?.consentUpdatedAt ?? null,
        }
      : null,
    addressesV2: ({ first }: { first?: number }) =>
      connection(
        c.addresses.map((a) => ({ __typename: 'MailingAddress', id: a.id, ...a.fields })),
        first,
      ),
    addresses: () => c.addresses.map((a) => ({ __typename: 'MailingAddress', id: a.id, ...a.fields })),
    defaultAddress: c.addresses[0] ? { __typename: 'MailingAddress', id: c.addresses[0].id, ...c.addresses[0].fields } : null,
    metafields: ({ first, namespace, keys }: { first?: number; namespace?: string; keys?: string[] }) => {
      const ns = namespace === undefined ? undefined : data.resolveNamespace(namespace);
      const wanted = metafieldList().filter((m) => (ns === undefined || m.namespace === ns) && (!keys || keys.includes(`${m.namespace}.${m.key}`)));
      return connection(
        wanted.map((m) => withReference(data, m, files)),
        first,
      );
    },
    metafield: ({ namespace, key }: { namespace?: string; key: string }) => {
      const m = c.metafields.get(`${data.resolveNamespace(namespace)}.${key}`);
      return m ? withReference(data, m, files) : null;
    },
  };
}
