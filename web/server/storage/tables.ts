import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { ConsentRecord, LeadSource, LeadStatus, Role } from '../../../schema/workspace-api.js';

/**
 * Table shapes shared by SQLite and PostgreSQL. Times are ISO-8601 UTC strings and flags are 0/1 integers, so the
 * same queries and the same migrations run on both engines.
 */
// The workspace API shows these as they are stored: one definition for the column and the staff UI.
export type { LeadSource, LeadStatus, Role };

export interface LeadsTable {
  id: string;
  shop: string;
  form_id: string | null;
  created_at: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  message: string | null;
  locale: string;
  page: string | null;
  logged_in_customer_id: string | null;
  email_consent: number;
  status: LeadStatus;
  shopify_customer_id: string | null;
  sync_error: string | null;
  synced_at: string | null;
  idempotency_key: string;
  body_hash: string;
  company: string | null;
  /** YYYY-MM-DD */
  birthday: string | null;
  /** JSON PostalAddress (schema/contact-fields.ts): { address1, address2, city, province, zip, country } */
  address: string | null;
  /** JSON: [{ key, kind, value }] for the block's custom fields */
  answers: string | null;
  /** JSON array of the merchant's tags (signed by the block) */
  tags: string | null;
  sms_consent: Generated<number>;
  /** 1 when the shopper ticked the WhatsApp marketing box (offered only with the block's own wording). */
  whatsapp_consent: Generated<number>;
  /** Keyed hashes of the normalised email and phone, for lookups; the values themselves are encrypted. */
  email_hash: string | null;
  phone_hash: string | null;
  /** When a staff member marked the lead handled (answered), and who. */
  handled_at: string | null;
  handled_by: string | null;
  /** Where the lead came from; only the contact form asks for email marketing consent. */
  source: Generated<LeadSource>;
  /** For purchase answers: the order (GID) they belong to. */
  order_id: string | null;
  /** 1 once the lead's search terms are written (by the worker, just after intake, or by a correction). */
  search_indexed: Generated<number>;
  /** The LOOKUP_KEYS key id its hashes and terms were written under; null = the old secret-derived key (or not yet known). */
  lookup_key: Generated<string | null>;
  /** Purchase answers: how the buyer was proven; null for the contact form. */
  buyer_proof: BuyerProof | null;
  /** A thank-you poster's claim, `customer:<GID>` or `checkout:<sha256 of its token>`; checked before any write. */
  buyer_claim: string | null;
  /** JSON [{ field, code, message }]: fields Shopify refused while the rest of the lead synced. */
  sync_warnings: string | null;
  /** JSON ProposedChanges (shopify/proposed-changes.ts): what an unverified submission may not write itself. */
  proposed_changes: string | null;
  /** Double opt-in: null (the form does not ask), pending (link sent; expired once doi_expires_at passes), confirmed. */
  doi_state: Generated<'pending' | 'confirmed' | null>;
  doi_expires_at: Generated<string | null>;
  doi_confirmed_at: Generated<string | null>;
  /** 1: while pending, the customer may be created without marketing consent (the shop's setting at intake). */
  doi_keep_contact: Generated<number>;
  /** The Shopify file (GID) the shopper attached, once its upload was checked (leads/uploads.ts); null without one. */
  attachment_file_id: Generated<string | null>;
  /**
   * Digest forms (leads/digest.ts): 'pending' while the lead waits for a digest, then the key of the one digest job that
   * took it (listed or counted it, or dropped it when the form had turned digests off); null while no digest took it.
   */
  digest: Generated<string | null>;
}

/**
 * Who says the purchase answers are the buyer's. webhook: Shopify's signed orders/create (its customer placed
 * the order); customer: a logged-in buyer's token names the order's customer; checkout_token: a guest knew the
 * order's checkout token; pending: claimed, to be checked against the order by the worker before any write; none: no
 * proof, the answers stay on the lead and are never written to a customer.
 */
export type BuyerProof = 'webhook' | 'customer' | 'checkout_token' | 'pending' | 'none';

export interface MetafieldDefinitionsTable {
  shop: string;
  key: string;
  type: string;
  created_at: string;
}

/** A lead whose answers used a definition's key (counted in the workspace's list of definitions). */
export interface MetafieldDefinitionLeadsTable {
  shop: string;
  key: string;
  lead_id: string;
}

export interface ConsentRecordsTable extends ConsentRecord {
  id: string;
  shop: string;
  lead_id: string;
}

export type JobState = 'pending' | 'done' | 'failed';

export interface OutboxJobsTable {
  id: string;
  shop: string;
  /** The lead the job is about; null for a shop's job (mail_digest). */
  lead_id: string | null;
  /**
   * sync_lead: the first write of a consenting lead; update_customer: a staff correction of a synced contact;
   * send_mail: an e-mail the app owes (mail_messages); flow_trigger: the lead's Flow trigger events still owed
   * (flow_events), sent with flowTriggerReceive; mail_digest: a form's digest of one period (leads/notifications.ts),
   * which queues one send_mail per recipient when the period is over.
   */
  kind: 'sync_lead' | 'update_customer' | 'send_mail' | 'flow_trigger' | 'mail_digest';
  /** Unique per shop when set: the same work queued twice (two instances, a retry) is one job. */
  idempotency_key: ColumnType<string | null, string | null | undefined, string | null>;
  state: JobState;
  attempts: Generated<number>;
  run_after: string;
  lease_until: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

/** Whether a shop's Flow has an enabled workflow using one of the app's triggers (Flow's lifecycle callback). */
export interface FlowSubscriptionsTable {
  shop: string;
  /** The trigger's extension handle (lead-captured, lead-consent-changed). */
  handle: string;
  enabled: number;
  /** The callback's own timestamp: an older callback arriving late changes nothing. */
  notified_at: string;
  updated_at: string;
}

/** A Flow trigger the app owes a shop for one event; unique per (shop, handle, event_key). */
export interface FlowEventsTable {
  id: string;
  shop: string;
  lead_id: string;
  handle: string;
  /** The lead id (Lead captured) or the consent record id (Lead consent changed). */
  event_key: string;
  consent_record_id: string | null;
  created_at: string;
  /** A sender's claim on the event, so two workers never send it at once. */
  claimed_until: string | null;
  /** When Shopify accepted it. */
  sent_at: string | null;
  /** sent, not_listening (the shop's Flow stopped listening before it went), or refused: <Shopify's userErrors>. */
  outcome: string | null;
}

export interface ShopsTable {
  shop: string;
  access_token_encrypted: string | null;
  scope: string | null;
  installed_at: string;
  uninstalled_at: string | null;
  /** How long leads are kept; older ones are erased automatically. */
  retention_months: Generated<number>;
  purged_at: string | null;
  /** The shop's sender address and name for e-mail (mail/); null until the merchant sets them. */
  mail_from: Generated<string | null>;
  mail_from_name: Generated<string | null>;
  /** The language of staff e-mail (notifications): en or fr; en when unset. */
  mail_locale: Generated<string | null>;
  /** Reply-To of the e-mails shoppers may answer (replies, autoresponders); null = the sender address. */
  mail_reply_to: Generated<string | null>;
}

export type ComplianceTopic = 'customers/data_request' | 'customers/redact' | 'shop/redact';

/** Shopify's compliance webhooks, answered at once and worked off here, tracked to completion. */
export interface ComplianceRequestsTable {
  id: string;
  shop: string;
  topic: ComplianceTopic;
  webhook_id: string;
  /** JSON { id, email, phone } as Shopify named the customer; erased once the request is done. */
  customer: string | null;
  status: 'received' | 'done';
  received_at: string;
  completed_at: string | null;
  /** JSON counts, never personal data. */
  result: string | null;
  /** For data requests: the JSON package for the shop owner. */
  package: string | null;
  delivered_at: string | null;
}

export type ErasureReason = 'customer_redact' | 'shop_redact' | 'retention' | 'self_service' | 'staff_delete' | 'customer_account';

/** Anonymous counts of what was erased and why, kept after the data is gone. */
export interface ErasureLogTable {
  id: string;
  shop: string;
  reason: ErasureReason;
  leads_erased: number;
  at: string;
}

export interface WebhookDeliveriesTable {
  webhook_id: string;
  shop: string;
  topic: string;
  received_at: string;
}

export interface RateCountersTable {
  key: string;
  window: number;
  count: number;
}

export interface LeadTermsTable {
  shop: string;
  term: string;
  created_at: string;
  lead_id: string;
  /** 1 when a viewer's search may match it (message words, tags). */
  visible: Generated<number>;
}

export interface LeadNotesTable {
  id: string;
  shop: string;
  lead_id: string;
  /** Staff user id. */
  author: string;
  body: string;
  created_at: string;
  /** note: staff-only; reply: sent to the shopper as the e-mail mail_id. */
  kind: Generated<'note' | 'reply'>;
  mail_id: Generated<string | null>;
}

export interface StaffTable {
  shop: string;
  user_id: string;
  name: string | null;
  role: Role;
  is_owner: number;
  updated_at: string;
  updated_by: string | null;
  /** When Shopify last said whether this user is the account owner. */
  owner_checked_at: Generated<string | null>;
}

/** mail_sender, mail_settings: the shop's sender, a form's notifications or autoresponder changed (routes/workspace/mail-settings.ts). */
export type AuditAction =
  | 'view_list'
  | 'view_lead'
  | 'export'
  | 'edit'
  | 'delete'
  | 'role_change'
  | 'download_package'
  | 'searched'
  | 'reply'
  | 'opt_in_settings'
  | 'mail_sender'
  | 'mail_settings';

/** Who saw or changed personal data, and when. Details name fields and counts, never the values. */
export interface AuditLogTable {
  id: string;
  shop: string;
  user_id: string;
  action: AuditAction;
  lead_id: string | null;
  detail: string | null;
  at: string;
}

export interface FormViewsTable {
  shop: string;
  form_id: string;
  /** YYYY-MM-DD (UTC) */
  day: string;
  count: number;
}

export type MailStatus = 'queued' | 'sending' | 'sent' | 'retrying' | 'failed';

/** One e-mail the app owes (mail/README.md): rendered from its template when sent; its job is `job_id`. */
export interface MailMessagesTable {
  id: string;
  shop: string;
  /** Null for a shop's mail that is no one lead's (a digest). */
  lead_id: string | null;
  /** What caused it, unique per shop (e.g. `confirm:<lead id>`): the same event never makes two e-mails. */
  event_key: string;
  template: string;
  locale: string;
  /** Encrypted. */
  to_address: string;
  /** JSON of the template's values; encrypted (names, messages). */
  params: string;
  job_id: string;
  status: MailStatus;
  attempts: Generated<number>;
  /** While one worker is talking to the SMTP server: another finding the job (an expired lease) waits until then. */
  sending_until: string | null;
  last_error: string | null;
  /** The Message-ID header, fixed at enqueue: a resend after an unknown outcome carries the same one. */
  message_id: string;
  created_at: string;
  sent_at: string | null;
}

/** Staff notifications of one form: to whom (comma-separated addresses), and whether for each lead. */
/** The shop's double opt-in setting (leads/opt-in-settings.ts), per form or for every form (form_id '*'). */
export interface OptInSettingsTable {
  shop: string;
  form_id: string;
  require_doi: number;
  link_days: number;
  keep_contact: number;
  updated_at: string;
}

export interface FormMailSettingsTable {
  shop: string;
  form_id: string;
  notify_to: string | null;
  notify_mode: 'off' | 'each' | 'hourly' | 'daily';
  updated_at: string;
  /** 1: the shopper gets an automatic answer (leads/autoresponder.ts). */
  autoreply: Generated<number>;
  /** The merchant's wording; null = the app's default in the shopper's language. */
  autoreply_subject: Generated<string | null>;
  autoreply_text: Generated<string | null>;
}

/**
 * A shopper's file upload (leads/uploads.ts): issued a staged target, checked by its bytes, made a Shopify file, then
 * claimed by exactly one lead. `checking`: one completion holds it while it checks the bytes and makes the file
 * (leads/uploads.ts, claimCheck). `doomed` rows wait for the worker to delete their Shopify file (fileDelete).
 */
export type UploadStatus = 'staged' | 'checking' | 'ready' | 'rejected' | 'doomed';

export interface UploadsTable {
  /** 32 random bytes, base64url: the reference the browser holds; unguessable, and only valid for its shop. */
  id: string;
  shop: string;
  /** The form whose signed attachment settings it was staged under; only a lead of that form may claim it. */
  form_id: string | null;
  status: UploadStatus;
  /** The filename reduced to a safe base name (no path, no control characters). */
  filename: string;
  declared_mime: string;
  declared_size: number;
  /** What the bytes are (magic bytes), once checked. */
  detected_mime: string | null;
  /** The staged object's resourceUrl: fetched to check the bytes, then fileCreate's originalSource. */
  resource_url: string;
  file_id: string | null;
  /** A URL of the file for the workspace's preview and link, when Shopify gave one. */
  file_url: string | null;
  lead_id: string | null;
  /** Why a rejected upload was refused (a machine-readable reason). */
  reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface Database {
  mail_messages: MailMessagesTable;
  form_mail_settings: FormMailSettingsTable;
  opt_in_settings: OptInSettingsTable;
  uploads: UploadsTable;
  metafield_definitions: MetafieldDefinitionsTable;
  metafield_definition_leads: MetafieldDefinitionLeadsTable;
  lead_terms: LeadTermsTable;
  lead_notes: LeadNotesTable;
  staff: StaffTable;
  audit_log: AuditLogTable;
  form_views: FormViewsTable;
  compliance_requests: ComplianceRequestsTable;
  erasure_log: ErasureLogTable;
  rate_counters: RateCountersTable;
  leads: LeadsTable;
  consent_records: ConsentRecordsTable;
  outbox_jobs: OutboxJobsTable;
  flow_subscriptions: FlowSubscriptionsTable;
  flow_events: FlowEventsTable;
  shops: ShopsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

export type Lead = Selectable<LeadsTable>;
export type NewLead = Insertable<LeadsTable>;
export type OutboxJob = Selectable<OutboxJobsTable>;
