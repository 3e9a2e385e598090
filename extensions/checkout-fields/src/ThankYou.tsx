import '@shopify/ui-extensions/preact';
import { render } from 'preact';
import type { FieldsApi } from './api.js';
import backend from './backend.json' with { type: 'json' };
import { PurchaseQuestions } from './PurchaseQuestions.js';

declare const shopify: FieldsApi;

// purchase.thank-you.block.render (every plan).
export default async () => {
  render(<PurchaseQuestions api={shopify} mode="thank-you" backendUrl={backend.url} />, document.body);
};
