/**
 * Why a lead did not reach Shopify, as the app stores it (`leads.sync_error`, and the job's `last_error`): a code and
 * its parameters, so that the workspace says it in the staff member's language. Parameters are Shopify's own words
 * (a transport detail, its userErrors) or the app's: never personal data. English text stored before codes existed
 * stays as it is, and reads as itself.
 */
export const SYNC_ERROR_CODES = [
  'throttled',
  'shopify_unavailable',
  'token_refused',
  'request_refused',
  'no_payload',
  'rejected',
  'customer_gone',
  'kept_refusing',
  'no_customer_id',
  'metafields_refused',
  'customer_update_refused',
  'email_taken_pending',
  'order_no_customer',
  'order_not_visible',
  'order_not_buyers',
  'buyer_unproven',
  'no_token',
  'undecryptable',
  'gave_up',
] as const;
export type SyncErrorCode = (typeof SYNC_ERROR_CODES)[number];

/** What Shopify was asked to write, named in a reason (`{what}`): the workspace translates these. */
export const SYNC_SUBJECTS = [
  'customer',
  'address',
  'metafields',
  'tags',
  'marketing consent',
  'SMS marketing consent',
  'WhatsApp marketing consent',
  'proposed changes',
  'corrected contact',
] as const;
export type SyncSubject = (typeof SYNC_SUBJECTS)[number];

export interface SyncError {
  code: SyncErrorCode;
  /** Values for the message's `{name}` slots; `last` (of gave_up) is itself a stored sync error. */
  params: Record<string, string>;
}

/** The English messages: exports, logs for developers, and the workspace's English dictionary. */
export const SYNC_ERRORS_EN: Record<SyncErrorCode, string> = {
  throttled: 'Shopify asked us to slow down (THROTTLED)',
  shopify_unavailable: 'Shopify was unavailable: {detail}',
  token_refused: "The shop's access token was refused; reinstall or reopen the app. {detail}",
  request_refused: 'Shopify refused the request: {detail}',
  no_payload: 'Shopify returned no {what} payload',
  rejected: 'Shopify rejected the {what}: {errors}',
  customer_gone: 'The Shopify customer was deleted or merged during the sync. {errors}',
  kept_refusing: 'Shopify kept refusing the {what}.',
  no_customer_id: 'Shopify returned no customer id',
  metafields_refused: 'Shopify refused the metafields',
  customer_update_refused: 'Shopify refused the customer update',
  email_taken_pending: 'Shopify said the email was taken but no customer holds it yet.',
  order_no_customer: 'The order has no customer to keep these answers on (guest checkout without an email).',
  order_not_visible: 'Shopify does not show the order yet; its buyer is checked again before anything is written.',
  order_not_buyers: 'Kept on this lead, not written to a customer: Shopify says the order was placed by someone other than whoever sent these answers.',
  buyer_unproven:
    'Kept on this lead, not written to a customer: nothing proves that whoever sent these answers placed the order (the thank-you page sent neither a logged-in customer nor the checkout token).',
  no_token: 'The app has no access token for this shop (not installed, or uninstalled).',
  undecryptable: 'A field of this lead cannot be decrypted; correct the lead to sync it.',
  gave_up: 'Gave up after {attempts} attempts. Last problem: {last}',
};

/** The stored form of a sync error. */
export function syncError(code: SyncErrorCode, params: Record<string, string | number> = {}): string {
  return JSON.stringify({ code, params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) });
}

/** The code and parameters of a stored sync error, or null for text stored before codes (or a spam reason). */
export function readSyncError(stored: string): SyncError | null {
  if (!stored.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(stored);
    if (typeof value !== 'object' || value === null) return null;
    const { code, params } = value as { code?: unknown; params?: unknown };
    if (typeof code !== 'string' || !(SYNC_ERROR_CODES as readonly string[]).includes(code)) return null;
    const clean: Record<string, string> = {};
    if (typeof params === 'object' && params !== null) for (const [k, v] of Object.entries(params)) if (typeof v === 'string') clean[k] = v;
    return { code: code as SyncErrorCode, params: clean };
  } catch {
    return null;
  }
}

/**
 * A stored sync error in words, from a table of messages by code (English by default): an old row's text as it was.
 * `subject` names what Shopify was asked to write in that language.
 */
export function syncErrorWords(
  stored: string,
  messages: Record<SyncErrorCode, string> = SYNC_ERRORS_EN,
  subject: (what: string) => string = (what) => what,
): string {
  const error = readSyncError(stored);
  if (!error) return stored;
  const values: Record<string, string> = { ...error.params };
  if (values.what !== undefined) values.what = subject(values.what);
  if (values.last !== undefined) values.last = syncErrorWords(values.last, messages, subject);
  return messages[error.code].replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '').trim();
}
