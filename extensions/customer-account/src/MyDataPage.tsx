import '@shopify/ui-extensions/preact';
import { render } from 'preact';
import type { AccountApi } from './api.js';
import backend from './backend.json' with { type: 'json' };
import { MyData } from './MyData.js';

declare const shopify: AccountApi;

// customer-account.page.render: the "My data" page.
export default async () => {
  render(<MyData api={shopify} backendUrl={backend.url} />, document.body);
};
