// The Polaris web components of both targets, typed for Preact's JSX, as the CLI's generated shopify.d.ts would
// bring them in: each target's declarations import the components they allow.
import type {} from '@shopify/ui-extensions/purchase.checkout.contact.render-after';
import type {} from '@shopify/ui-extensions/purchase.thank-you.block.render';
