import { createHmac, timingSafeEqual } from 'node:crypto';
import { type UploadLimits, parseUploadLimits } from '../../../schema/uploads.js';

/**
 * Tags and custom-field specs come from the merchant's block settings but travel in hidden fields, where a shopper
 * could change them (tags can grant prices or access in other apps; a spec names the customer metafields the app
 * writes and defines). The block signs each in Liquid with `hmac_sha256` and a per-shop form key that the app stores
 * as an app-data metafield (readable by the block, never sent to the browser); the server ignores what does not match.
 * The signature covers the exact string Liquid emitted, as the browser posts it back (HTML-unescaped), so the server
 * checks it before any trimming or parsing.
 */
export const FORM_KEY_METAFIELD = { namespace: 'contact_capture', key: 'form_key' } as const;

export function formKey(apiSecret: string, shop: string): string {
  return createHmac('sha256', apiSecret).update(`contact-capture form key v1:${shop}`).digest('hex');
}

/** What Liquid's `{{ tags | hmac_sha256: key }}` computes. */
export function signTags(key: string, tags: string): string {
  return createHmac('sha256', key).update(tags).digest('hex');
}

export function tagsSignatureValid(key: string, tags: string, signature: string | undefined): boolean {
  return formSignatureValid(key, tags, signature);
}

/**
 * What the block's `{{ 'spec:' | append: custom_spec | hmac_sha256: form_key }}` computes. The label keeps the two
 * signatures apart: a spec's signature resent with the spec as `tags` must not pass for tags, nor tags' for a spec.
 */
export const SPEC_LABEL = 'spec:';
export function signSpec(key: string, spec: string): string {
  return signTags(key, `${SPEC_LABEL}${spec}`);
}

export function specSignatureValid(key: string, spec: string, signature: string | undefined): boolean {
  return formSignatureValid(key, `${SPEC_LABEL}${spec}`, signature);
}

/**
 * Signatures found good, by key, value and signature. Every shopper of a form posts the same signed settings (the
 * double opt-in setting, the tags, the custom-field spec: rendered once in the block), so intake would compute the same
 * HMAC for each post; a hit here gives the answer that computing it would. Only good ones are kept: a signature is
 * already public (it is in the page), and a forged one never gets in. Bounded: emptied when full.
 */
const goodSignatures = new Set<string>();

/** Whether `signature` is the block's `{{ value | hmac_sha256: form_key }}` of this value. */
export function formSignatureValid(key: string, value: string, signature: string | undefined): boolean {
  if (!signature || !/^[0-9a-f]{64}$/.test(signature)) return false;
  const remembered = `${key}\n${signature}\n${value}`;
  if (goodSignatures.has(remembered)) return true;
  const good = timingSafeEqual(Buffer.from(signTags(key, value), 'hex'), Buffer.from(signature, 'hex'));
  if (good) {
    if (goodSignatures.size >= 1_000) goodSignatures.clear();
    goodSignatures.add(remembered);
  }
  return good;
}

/**
 * The block's double opt-in setting, `doi:<days>` (`doi:0` when off), always signed and bound to the form it is for:
 * `{{ 'opt-in:' | append: posted_form_id | append: ':' | append: doi_value | hmac_sha256: form_key }}`. Returns the
 * link's validity in days (0 = the block does not ask), or null when the value is missing, unsigned, signed for
 * another form, or out of range. The caller fails safe on null (intake then asks for double opt-in): a post without
 * the block's signature must not be able to turn it off.
 */
export const OPT_IN_LABEL = 'opt-in:';
export function signOptIn(key: string, formId: string, value: string): string {
  return signTags(key, `${OPT_IN_LABEL}${formId}:${value}`);
}
export function signedOptInDays(key: string, formId: string | undefined, value: string | undefined, signature: string | undefined): number | null {
  if (!value || !formSignatureValid(key, `${OPT_IN_LABEL}${formId ?? ''}:${value}`, signature)) return null;
  const days = Number(/^doi:(\d{1,2})$/.exec(value)?.[1]);
  return Number.isInteger(days) && days >= 0 && days <= 30 ? days : null;
}

/**
 * The block's attachment settings (types and size limit), `<file_accept>:<file_max_mb>`, signed bound to the form as
 * `{{ 'upload:' | append: form_id | append: ':' | append: limits | hmac_sha256: form_key }}`: a signature is good only
 * for the form it was made for. Returns null without a valid one (missing, stripped, changed, another form's, or
 * settings out of range): the caller refuses the upload, since only a form whose block offers a file field and
 * signed its settings may stage files in the shop, and never more than the merchant set.
 */
export const UPLOAD_LABEL = 'upload:';
export function signedUploadLimits(key: string, formId: string | undefined, value: string | undefined, signature: string | undefined): UploadLimits | null {
  if (!formId || !value || !formSignatureValid(key, `${UPLOAD_LABEL}${formId}:${value}`, signature)) return null;
  return parseUploadLimits(value);
}
