import '@shopify/ui-extensions/preact';
import { render } from 'preact';
import type { AccountApi } from './api.js';
import backend from './backend.json' with { type: 'json' };
import { Profile } from './Profile.js';

declare const shopify: AccountApi;

// customer-account.profile.block.render: the app's customer fields on the profile page.
export default async () => {
  render(<Profile api={shopify} backendUrl={backend.url} />, document.body);
};
