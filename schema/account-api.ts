import type { PostalAddress } from './contact-fields.js';
import type { ConsentRecord, LeadAnswer } from './workspace-api.js';

/**
 * What the customer account backend (`GET /account/data`, web/server/routes/account/) answers the "My data" page of
 * the customer account extension: written once here so that the server and the extension cannot drift apart.
 */

/** One lead the customer sent, as their data package holds it, with its JSON columns opened. */
export interface AccountLead {
  id: string;
  created_at: string;
  form_id: string | null;
  email: string;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  company: string | null;
  birthday: string | null;
  address: PostalAddress | null;
  message: string | null;
  answers: LeadAnswer[];
  tags: string[];
  locale: string;
  page: string | null;
  email_consent: number;
  sms_consent: number;
  whatsapp_consent: number;
  status: string;
  shopify_customer_id: string | null;
  synced_at: string | null;
  source: string;
  order_id: string | null;
  /** Fields whose stored value could not be decrypted (named, never shown as a marker). */
  unreadable?: string[];
}

/** One entry of the consent ledger about the customer, with the lead it came with. */
export interface AccountConsentRecord extends ConsentRecord {
  lead_id: string;
}

/** What staff wrote about the customer's leads: theirs to see too. */
export interface AccountNote {
  lead_id: string;
  kind: string;
  body: string;
  created_at: string;
}

export interface AccountData {
  customer: { id: string };
  leads: AccountLead[];
  consent_records: AccountConsentRecord[];
  notes: AccountNote[];
}
