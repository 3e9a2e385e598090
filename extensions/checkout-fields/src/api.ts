/**
 * The part of the checkout extension API (the global `shopify`) these fields use, as plain types: the same shape in
 * checkout, on the thank-you page and in the component tests' stand-in.
 */
export interface Signal<T> {
  value: T;
}

export type SettingValue = string | number | boolean | undefined;

export type AttributeChange = { type: 'updateAttribute'; key: string; value: string } | { type: 'removeAttribute'; key: string };

export interface InterceptorResult {
  behavior: 'allow' | 'block';
  reason?: string;
  errors?: Array<{ message: string }>;
}

export interface FieldsApi {
  settings: Signal<Record<string, SettingValue>>;
  i18n: { translate(key: string, options?: Record<string, string | number>): string };
  localization: { language: Signal<{ isoCode: string }> };
  /** Checkout only (information step on Plus). */
  applyAttributeChange?: (change: AttributeChange) => Promise<{ type: 'success' } | { type: 'error'; message: string }>;
  /**
   * Checkout only. `intercept` is deprecated (2026-07) and will be removed, so it may be missing: only
   * required-answers-intercept.ts uses it.
   */
  buyerJourney?: { intercept?(interceptor: (context: { canBlockProgress: boolean }) => InterceptorResult): Promise<() => void> };
  /** The capabilities the merchant granted (`block_progress` lets the extension hold the buyer at a step). */
  extension?: { capabilities: Signal<readonly string[]> };
  /** Thank-you page only. */
  orderConfirmation?: Signal<{ order: { id: string } }>;
  /** This checkout's token (`Order.checkoutToken` once the order exists); undefined until checkout has one. */
  checkoutToken?: Signal<string | undefined>;
  sessionToken: { get(): Promise<string> };
}
