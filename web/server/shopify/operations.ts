/**
 * Every GraphQL operation the app sends to the Admin API, named, in one place. A test validates each against the
 * real 2026-10 Admin schema, and the local emulator rejects anything that does not validate.
 */
export const CUSTOMER_SET = /* GraphQL */ `
  mutation ContactCaptureCustomerSet($email: String!, $input: CustomerSetInput!) {
    customerSet(identifier: { email: $email }, input: $input) {
      customer { id }
      userErrors { field message code }
    }
  }
`;

/**
 * The customer who holds an email, with what an unverified submission may not overwrite: compared with the lead,
 * the differences become proposed changes for staff. SMS consent is read on the phone number's channel consent
 * (2026-10; the flat `marketingState` there and `Customer.smsMarketingConsent` are deprecated).
 */
export const CUSTOMER_FOR_SYNC = /* GraphQL */ `
  query ContactCaptureCustomerForSync($email: String!) {
    customerByIdentifier(identifier: { emailAddress: $email }) {
      id
      firstName
      lastName
      defaultPhoneNumber { phoneNumber smsMarketingConsent { state } whatsAppMarketingConsent { state } }
      defaultEmailAddress { marketingState }
      defaultAddress { id address1 address2 city zip countryCodeV2 provinceCode }
    }
  }
`;

/** The app's own metafields of a customer, read only when an unverified submission may fill the empty ones. */
export const CUSTOMER_APP_METAFIELDS = /* GraphQL */ `
  query ContactCaptureCustomerAppMetafields($id: ID!) {
    customer(id: $id) {
      id
      metafields(first: 50, namespace: "$app") { nodes { key value } }
    }
  }
`;

/**
 * The first write of a new customer. Unlike customerSet (an upsert by email), it cannot turn into an overwrite when
 * someone else creates the customer between our lookup and our write: Shopify answers "Email has already been taken".
 */
export const CUSTOMER_CREATE = /* GraphQL */ `
  mutation ContactCaptureCustomerCreate($input: CustomerInput!) {
    customerCreate(input: $input) {
      customer { id }
      userErrors { field message }
    }
  }
`;

export const METAFIELDS_SET = /* GraphQL */ `
  mutation ContactCaptureMetafieldsSet($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields { key namespace }
      userErrors { field message code elementIndex }
    }
  }
`;

export const EMAIL_CONSENT_UPDATE = /* GraphQL */ `
  mutation ContactCaptureEmailConsent($input: CustomerEmailMarketingConsentUpdateInput!) {
    customerEmailMarketingConsentUpdate(input: $input) {
      customer { id }
      userErrors { field message code }
    }
  }
`;

export const SMS_CONSENT_UPDATE = /* GraphQL */ `
  mutation ContactCaptureSmsConsent($input: CustomerSmsMarketingConsentUpdateInput!) {
    customerSmsMarketingConsentUpdate(input: $input) {
      customer { id }
      userErrors { field message code }
    }
  }
`;

/**
 * WhatsApp marketing consent (2026-07), held on the customer's phone number like SMS; read back through
 * `defaultPhoneNumber.whatsAppMarketingConsent`. Its input is the channel-neutral CustomerMarketingConsentInput
 * (`state`, `optInLevel`, `updatedAt`), not the email/SMS shape.
 */
export const WHATSAPP_CONSENT_UPDATE = /* GraphQL */ `
  mutation ContactCaptureWhatsAppConsent($input: CustomerWhatsAppMarketingConsentUpdateInput!) {
    customerWhatsAppMarketingConsentUpdate(input: $input) {
      customerPhoneNumber { phoneNumber whatsAppMarketingConsent { state optInLevel updatedAt } }
      userErrors { field message code }
    }
  }
`;

/** The app installation, owner of the app-data metafield that holds the shop's form key (read by the block). */
export const CURRENT_APP_INSTALLATION = /* GraphQL */ `
  query ContactCaptureAppInstallation {
    currentAppInstallation { id }
  }
`;

export const TAGS_ADD = /* GraphQL */ `
  mutation ContactCaptureTagsAdd($id: ID!, $tags: [String!]!) {
    tagsAdd(id: $id, tags: $tags) {
      node { id }
      userErrors { field message }
    }
  }
`;

/** A staff correction of a synced contact: the customer is known by id (the email itself may be what changed). */
export const CUSTOMER_UPDATE = /* GraphQL */ `
  mutation ContactCaptureCustomerUpdate($input: CustomerInput!) {
    customerUpdate(input: $input) {
      customer { id }
      userErrors { field message }
    }
  }
`;

export const CUSTOMER_DEFAULT_ADDRESS = /* GraphQL */ `
  query ContactCaptureCustomerDefaultAddress($id: ID!) {
    customer(id: $id) { id defaultAddress { id address1 address2 city zip countryCodeV2 provinceCode } }
  }
`;

/** Address writes touch one address; customerSet would replace the whole list and delete the others. */
export const CUSTOMER_ADDRESS_CREATE = /* GraphQL */ `
  mutation ContactCaptureCustomerAddressCreate($customerId: ID!, $address: MailingAddressInput!) {
    customerAddressCreate(customerId: $customerId, address: $address, setAsDefault: true) {
      address { id }
      userErrors { field message }
    }
  }
`;

export const CUSTOMER_ADDRESS_UPDATE = /* GraphQL */ `
  mutation ContactCaptureCustomerAddressUpdate($customerId: ID!, $addressId: ID!, $address: MailingAddressInput!) {
    customerAddressUpdate(customerId: $customerId, addressId: $addressId, address: $address, setAsDefault: true) {
      address { id }
      userErrors { field message }
    }
  }
`;

/** A customer metafield definition in the app-reserved namespace, so merchants see the field named and typed. */
export const METAFIELD_DEFINITION_CREATE = /* GraphQL */ `
  mutation ContactCaptureMetafieldDefinitionCreate($definition: MetafieldDefinitionInput!) {
    metafieldDefinitionCreate(definition: $definition) {
      createdDefinition { id key type { name } }
      userErrors { field message code }
    }
  }
`;

/**
 * Who placed an order, to prove a thank-you page post came from its buyer: the customer a logged-in buyer's token
 * must name, or the checkout token a guest's extension must know. Asked before any answer is tied to a customer.
 */
export const ORDER_OWNER = /* GraphQL */ `
  query ContactCaptureOrderOwner($id: ID!) {
    order(id: $id) { id email checkoutToken customer { id } }
  }
`;

/** Used by tests and the local mode to look at what the sync wrote. */
export const CUSTOMER_BY_EMAIL = /* GraphQL */ `
  query ContactCaptureCustomerByEmail($email: String!) {
    customerByIdentifier(identifier: { emailAddress: $email }) {
      id
      firstName
      lastName
      tags
      defaultAddress { address1 address2 city zip countryCodeV2 provinceCode }
      defaultEmailAddress { emailAddress marketingState marketingOptInLevel marketingUpdatedAt }
      defaultPhoneNumber {
        phoneNumber
        smsMarketingConsent { state optInLevel updatedAt }
        whatsAppMarketingConsent { state optInLevel updatedAt }
      }
      metafields(first: 25) { nodes { namespace key type value } }
    }
  }
`;

/**
 * The email Shopify holds for a logged-in customer, for self-service to match leads sent with it. `verifiedEmail`
 * matters: a classic customer account can be opened with an address its owner never confirmed.
 */
export const CUSTOMER_EMAIL = /* GraphQL */ `
  query ContactCaptureCustomerEmail($id: ID!) {
    customer(id: $id) { id verifiedEmail defaultEmailAddress { emailAddress } }
  }
`;

/**
 * The live theme's JSON templates, sections and settings_data.json, where Shopify records app blocks and app embeds
 * (read_themes): the workspace's setup card says whether the contact block and the embed are already there. A page
 * of 50 files (about 155 cost points; 250 at once cost ~755 and starved the throttle), paged with `after`
 * (shopify/theme-setup.ts decides how far).
 */
export const LIVE_THEME_FILES = /* GraphQL */ `
  query ContactCaptureLiveThemeFiles($after: String) {
    themes(first: 1, roles: [MAIN]) {
      nodes {
        id
        name
        files(first: 50, after: $after, filenames: ["templates/*.json", "sections/*.json", "config/settings_data.json"]) {
          nodes { filename body { ... on OnlineStoreThemeFileBodyText { content } } }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
  }
`;

/**
 * A Shopify Flow trigger (extensions/*-flow): `payload` is the trigger's fields by key, plus `customer_id` for its
 * customer_reference; `body` is deprecated in 2026-10. Flow answers only userErrors (an unknown handle, a payload over
 * the size limit or not matching the trigger's fields).
 */
export const FLOW_TRIGGER_RECEIVE = /* GraphQL */ `
  mutation ContactCaptureFlowTrigger($handle: String!, $payload: JSON!) {
    flowTriggerReceive(handle: $handle, payload: $payload) {
      userErrors { field message }
    }
  }
`;

/**
 * Shopify Files (leads/uploads.ts): a staged POST target for the shopper's browser, then the file made from the
 * staged object, its URL for the workspace, and its removal when the lead is erased or the upload is abandoned.
 */
export const STAGED_UPLOADS_CREATE = /* GraphQL */ `
  mutation ContactCaptureStagedUploadsCreate($input: [StagedUploadInput!]!) {
    stagedUploadsCreate(input: $input) {
      stagedTargets { url resourceUrl parameters { name value } }
      userErrors { field message }
    }
  }
`;

export const FILE_CREATE = /* GraphQL */ `
  mutation ContactCaptureFileCreate($files: [FileCreateInput!]!) {
    fileCreate(files: $files) {
      files {
        id
        fileStatus
        ... on MediaImage { image { url } }
        ... on GenericFile { url }
      }
      userErrors { field message code }
    }
  }
`;

export const FILE_DELETE = /* GraphQL */ `
  mutation ContactCaptureFileDelete($fileIds: [ID!]!) {
    fileDelete(fileIds: $fileIds) {
      deletedFileIds
      userErrors { field message code }
    }
  }
`;

/**
 * Whether the shop runs new customer accounts, and their address: the app-proxy privacy page sends a logged-in
 * customer of such a shop to "My data" in their account (shopify/customer-accounts.ts caches it per shop).
 */
export const SHOP_CUSTOMER_ACCOUNTS = /* GraphQL */ `
  query ContactCaptureShopCustomerAccounts {
    shop { customerAccountsV2 { customerAccountsVersion url } }
  }
`;

export const OPERATIONS = {
  SHOP_CUSTOMER_ACCOUNTS,
  LIVE_THEME_FILES,
  STAGED_UPLOADS_CREATE,
  FILE_CREATE,
  FILE_DELETE,
  CUSTOMER_FOR_SYNC,
  CUSTOMER_APP_METAFIELDS,
  CUSTOMER_CREATE,
  METAFIELD_DEFINITION_CREATE,
  ORDER_OWNER,
  CUSTOMER_EMAIL,
  CUSTOMER_UPDATE,
  CUSTOMER_DEFAULT_ADDRESS,
  CUSTOMER_ADDRESS_CREATE,
  CUSTOMER_ADDRESS_UPDATE,
  CUSTOMER_SET,
  METAFIELDS_SET,
  EMAIL_CONSENT_UPDATE,
  SMS_CONSENT_UPDATE,
  WHATSAPP_CONSENT_UPDATE,
  TAGS_ADD,
  FLOW_TRIGGER_RECEIVE,
  CUSTOMER_BY_EMAIL,
  CURRENT_APP_INSTALLATION,
} as const;
