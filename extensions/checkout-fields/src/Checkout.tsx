import '@shopify/ui-extensions/preact';
import { render } from 'preact';
import type { FieldsApi } from './api.js';
import backend from './backend.json' with { type: 'json' };
import { PurchaseQuestions } from './PurchaseQuestions.js';

declare const shopify: FieldsApi;

// purchase.checkout.contact.render-after (Shopify Plus: the information step).
export default async () => {
  render(<PurchaseQuestions api={shopify} mode="checkout" backendUrl={backend.url} />, document.body);
};
