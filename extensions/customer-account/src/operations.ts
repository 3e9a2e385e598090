/**
 * Every Customer Account API operation the extension sends, checked against schema/customer_2026-10.json.gz by
 * tests/customer-account-operations.test.ts (and executed by the local emulator, dev/customer-account-emulator.ts).
 */
export const MARKETING = `query ContactCaptureMarketing {
  customer { id emailAddress { emailAddress marketingState } phoneNumber { phoneNumber whatsAppMarketingConsent { state } } }
}`;

export const EMAIL_SUBSCRIBE = `mutation ContactCaptureEmailSubscribe {
  customerEmailMarketingSubscribe { emailAddress { marketingState } userErrors { field message code } }
}`;

export const EMAIL_UNSUBSCRIBE = `mutation ContactCaptureEmailUnsubscribe {
  customerEmailMarketingUnsubscribe { emailAddress { marketingState } userErrors { field message code } }
}`;

export const WHATSAPP_UPDATE = `mutation ContactCaptureWhatsApp($input: CustomerWhatsAppMarketingConsentUpdateInput!) {
  customerWhatsAppMarketingConsentUpdate(input: $input) { customerPhoneNumber { whatsAppMarketingConsent { state } } userErrors { field message code } }
}`;

export const PROFILE = `query ContactCaptureProfile($identifiers: [HasMetafieldsIdentifier!]!) {
  customer { id metafields(identifiers: $identifiers) { namespace key value type } }
}`;

export const PROFILE_SET = `mutation ContactCaptureProfileSet($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) { metafields { key value } userErrors { field message code elementIndex } }
}`;

export const CUSTOMER_ACCOUNT_OPERATIONS = { MARKETING, EMAIL_SUBSCRIBE, EMAIL_UNSUBSCRIBE, WHATSAPP_UPDATE, PROFILE, PROFILE_SET };
