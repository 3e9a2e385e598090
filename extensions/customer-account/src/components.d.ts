// The Polaris web components of both targets, typed for Preact's JSX, as the CLI's generated shopify.d.ts would
// bring them in: each target's declarations import the components they allow.
import type {} from '@shopify/ui-extensions/customer-account.page.render';
import type {} from '@shopify/ui-extensions/customer-account.profile.block.render';
