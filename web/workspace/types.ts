/** The shapes the workspace API returns (web/server/routes/workspace/routes.ts). */
export type Status = 'pending' | 'synced' | 'failed' | 'no_consent' | 'quarantined';
export type Role = 'owner' | 'manager' | 'viewer';

export interface Me {
  shop: string;
  userId: string;
  name: string | null;
  role: Role;
  permissions: string[];
}

export interface Lead {
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
  status: Status;
  shopify_customer_id: string | null;
  sync_error: string | null;
  address: Record<string, string | undefined> | null;
  /** `held`: kept on the lead only, never written to the customer (see schema/submission.ts HELD_REASONS). */
  answers: Array<{ key: string; kind: string; value: string; held?: 'unsigned' | 'reserved' | 'definition_cap' }>;
  tags: string[];
  handled_at: string | null;
  source: 'contact_form' | 'cart' | 'checkout' | 'thank_you';
  order_id: string | null;
  /** Values Shopify refused while the rest of the lead synced. */
  sync_warnings: Array<{ field: string; code: string | null; message: string }>;
  masked?: boolean;
  /** Fields the server could not decrypt: shown as unreadable, never as empty. */
  unreadable?: string[];
}

/** What an unverified submission would change on the existing customer; viewers get the field names only. */
export interface ProposedChanges {
  found_at: string;
  changes: Array<{ field: string; current?: string | null; proposed?: string }>;
  applying: { at: string; fields: string[] } | null;
}

export interface LeadDetail {
  lead: Lead;
  consent: Array<{ channel: string; granted: number; text: string | null; text_sha256: string | null; locale: string; page: string | null; source: string; opt_in_level: string; recorded_at: string }>;
  history: Array<{ id: string; kind: 'sync_lead' | 'update_customer'; state: 'pending' | 'done' | 'failed'; attempts: number; last_error: string | null; created_at: string; updated_at: string }>;
  notes: Array<{ id: string; author: string; body: string | null; created_at: string; unreadable?: string[] }>;
  proposed: ProposedChanges | null;
}

export interface Filter {
  q: string;
  form: string;
  from: string;
  to: string;
  consent: string;
  status: string;
  tag: string;
  handled: string;
  sort: string;
}

export const EMPTY_FILTER: Filter = { q: '', form: '', from: '', to: '', consent: '', status: '', tag: '', handled: '', sort: 'newest' };

export function filterQuery(filter: Filter): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) if (value && !(key === 'sort' && value === 'newest')) params.set(key, value);
  return params;
}
