import type { PostalAddress } from './contact-fields.js';

/**
 * What the workspace API (/api/*, web/server/routes/workspace) answers, as types only: the server declares its
 * results with them and the staff UI (web/workspace) reads them, so a change on one side fails the typecheck of the
 * other instead of showing up as an empty cell in the browser.
 */
export type LeadStatus = 'pending' | 'synced' | 'failed' | 'no_consent' | 'quarantined';
export type Role = 'owner' | 'manager' | 'viewer';
export type LeadSource = 'contact_form' | 'cart' | 'checkout' | 'thank_you';
/** Why an answer is kept on the lead only (schema/submission.ts HELD_REASONS). */
export type HeldReasonName = 'unsigned' | 'reserved' | 'definition_cap';

/** GET /api/me */
export interface Me {
  shop: string;
  userId: string;
  name: string | null;
  role: Role;
  permissions: string[];
}

/** A custom or purchase answer as the lead keeps it. */
export interface LeadAnswer {
  key: string;
  kind: string;
  value: string;
  /** Kept on the lead only, never written to the customer. */
  held?: HeldReasonName;
}

/** A value Shopify refused while the rest of the lead synced. */
export interface SyncWarning {
  field: string;
  code: string | null;
  message: string;
}

/** A lead as the API shows it: flags as booleans, JSON columns parsed. */
export interface WorkspaceLead {
  id: string;
  created_at: string;
  form_id: string | null;
  /** Null when it cannot be decrypted (then named in `unreadable`). */
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  company: string | null;
  birthday: string | null;
  message: string | null;
  locale: string;
  page: string | null;
  email_consent: boolean;
  sms_consent: boolean;
  whatsapp_consent: boolean;
  status: LeadStatus;
  shopify_customer_id: string | null;
  sync_error: string | null;
  synced_at: string | null;
  logged_in_customer_id: string | null;
  address: PostalAddress | null;
  answers: LeadAnswer[];
  tags: string[];
  handled_at: string | null;
  handled_by: string | null;
  source: LeadSource;
  order_id: string | null;
  sync_warnings: SyncWarning[];
  /** Double opt-in: null when the form did not ask for it; `expired` once the link expired unconfirmed. */
  double_opt_in?: 'pending' | 'confirmed' | 'expired' | null;
  double_opt_in_confirmed_at?: string | null;
  /** Set when a viewer gets the lead: names, contact and ids are masked. */
  masked?: boolean;
  /** Fields the server could not decrypt: shown as unreadable, never as empty. */
  unreadable?: string[];
}

/** GET /api/leads */
export interface LeadPage {
  leads: WorkspaceLead[];
  nextCursor: string | null;
}

/** GET /api/leads/counts */
export interface LeadCounts {
  total: number;
  byStatus: Record<LeadStatus, number>;
  /** The count stopped at its cap: the page says "more than". */
  capped: boolean;
}

/** GET /api/leads/facets */
export interface LeadFacets {
  forms: string[];
  tags: string[];
}

/** What an unverified submission would change on the existing customer; viewers get the field names only. */
export interface ProposedChangesView {
  found_at: string;
  changes: Array<{ field: string; current?: string | null; proposed?: string }>;
  applying: { at: string; fields: string[] } | null;
}

/**
 * email/sms/whatsapp: marketing consent (`whatsapp`, 2026-07: asked by the form when the block has its wording for it,
 * and reported by Shopify's consent webhooks); profile: consent to keep purchase answers on the customer record.
 */
export type ConsentChannel = 'email' | 'sms' | 'whatsapp' | 'profile';

/** One row of the consent ledger as the workspace reads it (the table adds its ids: storage/tables.ts). */
export interface ConsentRecord {
  channel: ConsentChannel;
  granted: number;
  text: string | null;
  text_sha256: string | null;
  locale: string;
  page: string | null;
  source: string;
  opt_in_level: string;
  recorded_at: string;
}

export interface SyncJob {
  id: string;
  kind: 'sync_lead' | 'update_customer' | 'flow_trigger';
  state: 'pending' | 'done' | 'failed';
  attempts: number;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

/** An e-mail the app owes about a lead (a confirmation, a reply): whether it went out, and why not. */
export interface MailEntry {
  id: string;
  template: string;
  status: 'queued' | 'sending' | 'sent' | 'retrying' | 'failed';
  attempts: number;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

/** GET/PUT /api/settings/mail: the shop's sender, and why mail cannot go out now (empty when it can). */
export interface MailSettings {
  from: string | null;
  fromName: string | null;
  /** Where shoppers' answers go (Reply-To of replies and autoresponders); null = the sender address. */
  replyTo?: string | null;
  /** The language of staff e-mail (notifications, digests). */
  locale?: 'en' | 'fr';
  problems: ('smtp_not_configured' | 'sender_missing')[];
}

/**
 * GET/PUT /api/settings/opt-in (owner only): the shop's double opt-in, authoritative over the block's own setting.
 * `all` applies to every form; an entry in `forms` replaces it for that form.
 */
export interface OptInSetting {
  /** Consenting leads must confirm by e-mail before Shopify gets their marketing consent. */
  requireDoubleOptIn: boolean;
  /** How long the confirmation link is valid, 1-30 days. */
  linkDays: number;
  /** While a lead waits for its confirmation, its customer may be created in Shopify without marketing consent. */
  keepContact: boolean;
}
export interface OptInSettings {
  all: OptInSetting;
  forms: ({ form: string } & OptInSetting)[];
}
/** PUT body: the setting of every form (`form` omitted or '*') or of one form; `clear: true` removes a form's own. */
export type OptInSettingsUpdate = { form?: string } & ({ clear: true } | OptInSetting);
/** GET/PUT /api/settings/forms/:form/mail: a form's staff notifications and its autoresponder. */
export interface FormMailSettings {
  form: string;
  notifyTo: string[];
  /** each: one e-mail per lead; hourly, daily: one digest per period (UTC hours and days). */
  mode: 'off' | 'each' | 'hourly' | 'daily';
  autoreply: { enabled: boolean; subject: string | null; text: string | null };
}

/** GET /api/mail-settings: the E-mail screen, for every role; only the owner may change it (`canEdit`). */
export interface MailSettingsOverview {
  sender: MailSettings;
  forms: FormMailSettings[];
  canEdit: boolean;
}

export interface LeadNote {
  id: string;
  author: string;
  body: string | null;
  created_at: string;
  /** note: for staff only; reply: sent to the shopper (POST /api/leads/:id/replies) as the e-mail `mail_id`. */
  kind?: 'note' | 'reply';
  mail_id?: string | null;
  unreadable?: string[];
}

/** GET /api/leads/:id */
/** The file a shopper attached (issue 14 §3): in the shop's Files; `url` is null until Shopify has processed it. */
export interface LeadAttachment {
  filename: string;
  type: string | null;
  size: number;
  fileId: string | null;
  url: string | null;
}

export interface LeadDetail {
  lead: WorkspaceLead;
  consent: ConsentRecord[];
  history: SyncJob[];
  notes: LeadNote[];
  proposed: ProposedChangesView | null;
  /** The lead's e-mails, oldest first. */
  mail?: MailEntry[];
  /** The Shopify Flow triggers this lead owed, and whether (and when) each went out. */
  flow: FlowTriggerView[];
  /** Absent or null without an attachment, and for staff who see personal data masked. */
  attachment?: LeadAttachment | null;
}

/** One Flow trigger event of a lead (extensions/lead-captured-flow, extensions/lead-consent-changed-flow). */
export interface FlowTriggerView {
  handle: 'lead-captured' | 'lead-consent-changed';
  created_at: string;
  sent_at: string | null;
  /** null while owed; sent, not_listening, lead_gone, or `refused: <Shopify's message>`. */
  outcome: string | null;
}

/** PATCH /api/leads/:id */
export interface CorrectionResult {
  id: string;
  status: LeadStatus;
  /** Names of the fields that changed (never their values). */
  changed: string[];
  queued: boolean;
}

/** GET /api/insights: per form and per day. */
export interface DayFigures {
  day: string;
  views: number;
  submissions: number;
  consented: number;
  spam: number;
}

export interface FormInsight {
  form: string;
  views: number;
  submissions: number;
  consented: number;
  spam: number;
  /** Submissions (spam excluded) per view; null before any view was counted. */
  conversionRate: number | null;
  consentRate: number | null;
  /** Double opt-in: consenting leads asked to confirm (spam excluded), how many did, and the share. */
  doiRequested?: number;
  doiConfirmed?: number;
  confirmationRate?: number | null;
  days: DayFigures[];
}

export interface Insights {
  from: string;
  to: string;
  forms: FormInsight[];
}

/** GET /api/staff */
export interface StaffMember {
  user_id: string;
  name: string | null;
  role: Role;
  is_owner: boolean;
  updated_at: string;
  updated_by: string | null;
}

/** GET /api/audit */
export interface AuditEntry {
  id: string;
  user_id: string;
  name: string | null;
  action: string;
  lead_id: string | null;
  detail: Record<string, unknown> | null;
  at: string;
}

/** GET /api/compliance/requests */
export interface ComplianceRequest {
  id: string;
  topic: string;
  status: string;
  received_at: string;
  completed_at: string | null;
  result: Record<string, number> | null;
  delivered_at: string | null;
  has_package: boolean;
}

/** GET /api/metafield-definitions */
export interface DefinitionListing {
  cap: number;
  /** Custom definitions the app made in this shop (its own keys aside), counted against `cap`. */
  custom: number;
  /** `created_at` is null for the app's declared definitions (shopify.app.toml), which Shopify makes on deploy. */
  definitions: Array<{ key: string; type: string; created_at: string | null; leads: number; app: boolean }>;
}

/** GET /api/setup: the theme editor's deep links, and what the live theme already has (null: Shopify did not say). */
export interface SetupStatus {
  links: { block: string; embed: string };
  live: { theme: string | null; block: boolean; embed: boolean } | null;
}
