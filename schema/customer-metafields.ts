import { METAFIELDS } from './fields.js';
import { PURCHASE_QUESTIONS } from './purchase-questions.js';

/**
 * The app's own customer metafields, as declared in `shopify.app.toml` (`[customer.metafields.app.<key>]`): Shopify
 * makes these definitions in every shop when the app is deployed, so the app never creates them through the API.
 * Only keys a merchant invents (custom form fields, custom purchase questions) are still created at run time, capped
 * per shop. tests/declared-definitions.test.ts fails when this list, the toml, the contact form's METAFIELDS and the
 * purchase questions' catalogue disagree.
 *
 * `admin`: what merchants may do with the values in the Shopify admin. The submission's record (its proof of
 * consent, message, form, address as given) is read-only there, as evidence; what describes the person is editable.
 * `customer_account`: what the customer may do through the Customer Account API (the account page's profile block
 * edits the person's own fields); left out means no access there.
 */
export type AdminAccess = 'merchant_read' | 'merchant_read_write';
export type CustomerAccountAccess = 'read' | 'read_write';

export interface DeclaredMetafield {
  key: string;
  type: string;
  name: string;
  description: string;
  access: { admin: AdminAccess; customer_account?: CustomerAccountAccess };
}

const question = (key: (typeof PURCHASE_QUESTIONS)[number]['key']) => PURCHASE_QUESTIONS.find((q) => q.key === key)!.metafield;

export const DECLARED_METAFIELDS: readonly DeclaredMetafield[] = [
  {
    ...METAFIELDS.consentProof,
    name: 'Consent proof',
    description: 'The marketing consent the customer gave through Contact Capture: the wording they saw, its language, page and time.',
    access: { admin: 'merchant_read' },
  },
  {
    ...METAFIELDS.lastMessage,
    name: 'Last message',
    description: 'The last message the customer sent through a Contact Capture form.',
    access: { admin: 'merchant_read' },
  },
  { ...METAFIELDS.sourceForm, name: 'Source form', description: 'The Contact Capture form the customer last wrote from.', access: { admin: 'merchant_read' } },
  {
    ...METAFIELDS.postalAddress,
    name: 'Postal address (as given)',
    description: 'The postal address as the customer typed it in a Contact Capture form.',
    access: { admin: 'merchant_read' },
  },
  {
    ...METAFIELDS.company,
    name: 'Company',
    description: 'The company the customer gave.',
    access: { admin: 'merchant_read_write', customer_account: 'read_write' },
  },
  {
    ...METAFIELDS.birthday,
    name: 'Birthday',
    description: 'The birthday the customer gave.',
    access: { admin: 'merchant_read_write', customer_account: 'read_write' },
  },
  {
    ...question('heard_about'),
    name: 'Heard about us',
    description: 'How the customer heard about the shop, as answered at purchase.',
    access: { admin: 'merchant_read_write', customer_account: 'read_write' },
  },
  {
    ...question('delivery_notes'),
    name: 'Delivery notes',
    description: 'Delivery instructions the customer gave at purchase.',
    access: { admin: 'merchant_read_write', customer_account: 'read_write' },
  },
  {
    ...METAFIELDS.attachment,
    name: 'Attachment',
    description: "The file the customer last attached to a Contact Capture form (in the shop's Files).",
    access: { admin: 'merchant_read' },
  },
];

export const DECLARED_KEYS: ReadonlySet<string> = new Set(DECLARED_METAFIELDS.map((m) => m.key));
