import { describe, expect, it } from 'vitest';
import type { WorkspaceLead } from '../../../schema/workspace-api.js';
import { maskLead } from './masking.js';

const lead: WorkspaceLead = {
  id: 'lead-1',
  created_at: '2026-01-01T00:00:00.000Z',
  form_id: null,
  email: 'ada@example.com',
  first_name: 'Ada',
  last_name: 'Lovelace',
  phone: '+33611223344',
  company: null,
  birthday: null,
  message: 'hello',
  locale: 'en',
  page: null,
  email_consent: true,
  sms_consent: false,
  whatsapp_consent: false,
  status: 'synced',
  shopify_customer_id: null,
  sync_error: null,
  synced_at: null,
  logged_in_customer_id: null,
  address: null,
  answers: [],
  tags: [],
  handled_at: null,
  handled_by: null,
  source: 'contact_form',
  order_id: null,
  sync_warnings: [],
};

describe('what a viewer sees of a lead', () => {
  it('masks the email to its first letter and domain', () => {
    expect(maskLead(lead)).toMatchObject({ email: 'a•••@example.com', first_name: 'A•••', phone: '•••44', masked: true });
  });

  // An email that could not be decrypted reaches the mask as null (named in `unreadable`): the viewer's list must
  // still load, showing it as unreadable, rather than fail on the one damaged row.
  it('keeps an unreadable email null instead of failing', () => {
    expect(maskLead({ ...lead, email: null, unreadable: ['email'] })).toMatchObject({ email: null, unreadable: ['email'], masked: true });
  });
});
