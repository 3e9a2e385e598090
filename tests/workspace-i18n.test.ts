import { isEnumType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadAdminSchema } from '../dev/admin-emulator/schema.js';
import { FIELD_ERROR_CODES, METAFIELD_TYPE_OF } from '../schema/fields.js';
import { PURCHASE_QUESTIONS } from '../schema/purchase-questions.js';
import { HELD_REASONS } from '../schema/submission.js';
import { CONTACT_FIELDS } from '../web/server/leads/correction.js';
import { CONSENT_SOURCE } from '../web/server/leads/intake.js';
import { LEAD_STATUSES } from '../web/server/leads/queries.js';
import { SPAM_REASONS } from '../web/server/leads/spam.js';
import { STANDARD_DEFINITIONS } from '../web/server/shopify/metafield-definitions.js';
import type { ProposedField } from '../web/server/shopify/proposed-changes.js';
import { CODE_DECISIONS, type CodedMutation, type Droppable } from '../web/server/shopify/user-errors.js';
import type { AuditAction, ComplianceRequestsTable, ConsentRecordsTable, JobState, LeadSource, Role } from '../web/server/storage/tables.js';
import type { SyncJob } from '../schema/workspace-api.js';
import { CONFIRMATION_SOURCE } from '../web/server/leads/double-opt-in.js';
import { SYNC_ERRORS_EN, SYNC_ERROR_CODES, SYNC_SUBJECTS, syncError } from '../schema/sync-errors.js';
import { readFileSync, readdirSync } from 'node:fs';
import { loadTranslator } from '../web/server/core/i18n.js';
import { formAgainPage } from '../web/server/routes/proxy/form-page.js';
import {
  DICTIONARIES,
  type Strings,
  answerValue,
  auditDetail,
  consentOrigin,
  fieldLabel,
  plural,
  savedText,
  syncErrorText,
  warningText,
} from '../web/workspace/i18n.js';

/**
 * Every value the server can hand the workspace that a person reads (statuses, sources, codes, kinds) has words in
 * every workspace language. The values come from the server's own constants and types: a `Record<Union, true>` must
 * name every member of the union and nothing else, so a new status or action fails typecheck here until it is listed,
 * and then fails this test until it is translated.
 */
const keysOf = <K extends string>(record: Record<K, true>) => Object.keys(record) as K[];
const LEAD_SOURCES = keysOf<LeadSource>({ contact_form: true, cart: true, checkout: true, thank_you: true });
// The sync history shows Shopify jobs only; e-mails are listed on their own (MailEntry).
const JOB_KINDS = keysOf<SyncJob['kind']>({ sync_lead: true, update_customer: true, flow_trigger: true });
const JOB_STATES = keysOf<JobState>({ pending: true, done: true, failed: true });
const CONSENT_CHANNELS = keysOf<ConsentRecordsTable['channel']>({ email: true, sms: true, whatsapp: true, profile: true });
const ROLES = keysOf<Role>({ owner: true, manager: true, viewer: true });
const AUDIT_ACTIONS = keysOf<AuditAction>({
  view_list: true,
  view_lead: true,
  export: true,
  edit: true,
  delete: true,
  role_change: true,
  download_package: true,
  searched: true,
  reply: true,
  opt_in_settings: true,
  mail_sender: true,
  mail_settings: true,
});
const REQUEST_STATUSES = keysOf<ComplianceRequestsTable['status']>({ received: true, done: true });
/** Values the sync can leave out with a warning (metafields are named by their key), and email consent (lead-sync.ts). */
const WARNING_FIELDS = [
  ...keysOf<Exclude<Droppable, `metafield:${string}`>>({
    first_name: true,
    last_name: true,
    phone: true,
    locale: true,
    address: true,
    tags: true,
    sms_consent: true,
    whatsapp_consent: true,
  }),
  'email_consent',
];
const PROPOSED_FIELDS = keysOf<Exclude<ProposedField, `metafield:${string}`>>({ first_name: true, last_name: true, phone: true, address: true });

/** The mutations whose refusals become warnings on a synced lead (lead-sync.ts `write`), and their codes that do. */
const WARNING_MUTATIONS = [
  'customerSet',
  'metafieldsSet',
  'customerSmsMarketingConsentUpdate',
  'customerWhatsAppMarketingConsentUpdate',
] satisfies CodedMutation[];
const fieldCodes = [
  ...new Set(
    WARNING_MUTATIONS.flatMap((m) =>
      Object.entries(CODE_DECISIONS[m])
        .filter(([, verdict]) => verdict === 'field')
        .map(([code]) => code),
    ),
  ),
];
/** The app's own warning codes (lead-sync.ts: a resubscription it will not make, an SMS consent for another phone). */
const OWN_CODES = ['UNSUBSCRIBED', 'PHONE_NOT_ON_CUSTOMER'];

const schema = loadAdminSchema();
const enumValues = (name: string) => {
  const type = schema.getType(name);
  if (!type || !isEnumType(type)) throw new Error(`${name} is not an enum of the Admin schema`);
  return type.getValues().map((v) => v.name);
};
/** What a consent webhook can record (consent-ledger.ts: `shopify:<state in lower case>` and the opt-in level). */
const MARKETING_STATES = [...new Set([...enumValues('CustomerEmailMarketingState'), ...enumValues('CustomerSmsMarketingState')].map((s) => s.toLowerCase()))];
const OPT_IN_LEVELS = [...enumValues('CustomerMarketingOptInLevel'), 'PENDING_CONFIRMATION'];
const CONSENT_SOURCES = [CONSENT_SOURCE, CONFIRMATION_SOURCE, ...LEAD_SOURCES.filter((s) => s !== 'contact_form').map((s) => `${s}_fields`)];
const METAFIELD_TYPES = [
  ...new Set([...Object.values(METAFIELD_TYPE_OF), ...STANDARD_DEFINITIONS.map((d) => d.type), ...PURCHASE_QUESTIONS.map((f) => f.metafield.type)]),
];

/** Looks like an identifier (snake_case or SCREAMING_CASE) rather than words. */
const IDENTIFIER = /\b[a-z0-9]+_[a-z0-9_]+\b|\b[A-Z0-9]+_[A-Z0-9_]+\b/;

const tables: Array<[string, readonly string[], (t: Strings) => Record<string, string>]> = [
  ['lead statuses', LEAD_STATUSES, (t) => t.status],
  ['lead sources', LEAD_SOURCES, (t) => t.sources],
  ['job kinds', JOB_KINDS, (t) => t.detail.jobKinds],
  ['job states', JOB_STATES, (t) => t.detail.jobStates],
  ['consent channels', CONSENT_CHANNELS, (t) => t.consentChannel],
  ['consent sources', CONSENT_SOURCES, (t) => t.consentOrigin],
  ['marketing states', MARKETING_STATES, (t) => t.marketingState],
  ['opt-in levels', OPT_IN_LEVELS, (t) => t.optInLevel],
  ['roles', ROLES, (t) => t.team],
  ['audit actions', AUDIT_ACTIONS, (t) => t.audit.actions],
  ['data request statuses', REQUEST_STATUSES, (t) => t.requests.statuses],
  ['held reasons', HELD_REASONS, (t) => t.detail.held],
  ['spam reasons', SPAM_REASONS, (t) => t.spamReasons],
  ['correction errors', [...FIELD_ERROR_CODES, 'unknown_field'], (t) => t.fieldErrors],
  ['warning codes', [...fieldCodes, ...OWN_CODES], (t) => t.warningCodes],
  ['metafield types', METAFIELD_TYPES, (t) => t.metafieldTypes],
  ['purchase questions', PURCHASE_QUESTIONS.map((f) => f.key), (t) => t.purchaseQuestions],
];

describe('every value a person reads has words in every workspace language', () => {
  for (const [language, t] of Object.entries(DICTIONARIES)) {
    it.each(tables)(`${language}: %s`, (_, values, table) => {
      expect(values.length).toBeGreaterThan(0);
      for (const value of values) {
        const text = Object.hasOwn(table(t), value) ? table(t)[value] : undefined;
        expect(text, `${language} has no words for ${value}`).toBeTruthy();
        // A plain word may read the same as its value ('subscribed'); an upper-case code or a snake_case one may not.
        expect(text === value && /^[A-Z_]+$|_/.test(value), `${language} shows ${value} as it is`).toBe(false);
        expect(text).not.toMatch(IDENTIFIER);
      }
    });

    it(`${language}: field names in warnings, proposals and corrections`, () => {
      for (const field of [...WARNING_FIELDS, ...PROPOSED_FIELDS, ...CONTACT_FIELDS]) {
        expect(fieldLabel(t, field), field).not.toBe(field);
        expect(fieldLabel(t, field)).not.toMatch(IDENTIFIER);
      }
      expect(fieldLabel(t, 'metafield:heard_about')).toContain('heard_about');
    });

    it(`${language}: consent origins read in words for every source, state and level`, () => {
      for (const source of [...CONSENT_SOURCES, ...MARKETING_STATES.map((s) => `shopify:${s}`)])
        for (const level of OPT_IN_LEVELS) expect(consentOrigin(t, source, level)).not.toMatch(IDENTIFIER);
      // An origin the workspace does not know yet still reads as words, never as the stored identifier.
      expect(consentOrigin(t, 'some_new_source', 'SOME_NEW_LEVEL')).not.toMatch(IDENTIFIER);
      expect(consentOrigin(t, 'shopify:some_new_state', null)).toBe(t.consentOrigin.shopifyOther);
    });

    it(`${language}: a quarantined lead's reason and a refused value's code read in words`, () => {
      for (const reason of SPAM_REASONS) expect(syncErrorText(t, reason)).not.toMatch(IDENTIFIER);
      for (const code of [...fieldCodes, ...OWN_CODES]) expect(warningText(t, { code, message: 'Shopify says no' })).not.toBe('Shopify says no');
      // A code without words yet falls back to Shopify's own message, never to the code.
      expect(warningText(t, { code: 'NEW_CODE', message: 'Shopify says no' })).toBe('Shopify says no');
    });

    it(`${language}: a ticked or unticked checkbox answer reads as yes or no`, () => {
      expect(answerValue(t, { kind: 'checkbox', value: 'true' })).toBe(t.yes);
      expect(answerValue(t, { kind: 'checkbox', value: 'false' })).toBe(t.no);
      expect(answerValue(t, { kind: 'text', value: 'true' })).toBe('true');
    });

    it(`${language}: an audit entry's detail reads as a phrase, not JSON`, () => {
      const details = [
        { rows: 3, filter: { q: true, status: 'failed' } },
        { rows: 1, filter: {} },
        { fields: ['first_name', 'address'], synced: true },
        { fields: ['phone'], proposed: true, dismissed: true },
        { staff: '42', role: 'viewer' },
        { request: 'abc', format: 'csv' },
      ];
      for (const detail of details) {
        const text = auditDetail(t, detail);
        expect(text).not.toMatch(/[{}"]/);
        expect(text).not.toMatch(IDENTIFIER);
      }
    });
  }
});

describe('French reads right for every value interpolated into it', () => {
  const fr = DICTIONARIES.fr;
  const en = DICTIONARIES.en;

  it('names one or several changed fields after a correction', () => {
    expect(savedText(fr, ['address'])).toBe('Modifications enregistrées. Synchronisation avec Shopify en cours pour\u00a0: Adresse.');
    expect(savedText(fr, ['first_name', 'address'])).toBe('Modifications enregistrées. Synchronisation avec Shopify en cours pour\u00a0: Prénom et Adresse.');
    expect(savedText(fr, ['first_name', 'last_name', 'email', 'phone', 'address'])).toBe(
      'Modifications enregistrées. Synchronisation avec Shopify en cours pour\u00a0: Prénom, Nom, E-mail, Téléphone et Adresse.',
    );
    expect(savedText(en, ['address'])).toBe('Saved. Address will be synced to Shopify.');
    expect(savedText(en, ['first_name', 'address'])).toBe('Saved. First name and Address will be synced to Shopify.');
  });

  it('counts with French plural rules: 0 and 1 are singular', () => {
    expect(plural(fr, 0, fr.countOne, fr.count)).toBe('0 prospect');
    expect(plural(fr, 1, fr.exportedOne, fr.exported)).toBe('1 prospect exporté.');
    expect(plural(fr, 2, fr.exportedOne, fr.exported)).toBe('2 prospects exportés.');
    expect(plural(fr, 1, fr.detail.attemptsOne, fr.detail.attempts)).toBe('1 tentative');
    expect(plural(en, 0, en.countOne, en.count)).toBe('0 leads');
    expect(plural(en, 1, en.countOne, en.count)).toBe('1 lead');
  });

  it('a consent change from Shopify agrees with the customer for every state', () => {
    expect(consentOrigin(fr, 'shopify:unsubscribed', 'CONFIRMED_OPT_IN')).toBe('Modifié dans Shopify\u00a0: désabonné · abonnement confirmé (double opt-in)');
    expect(consentOrigin(fr, 'storefront_contact_form', 'SINGLE_OPT_IN')).toBe('Formulaire de contact de la boutique · abonnement simple (sans confirmation)');
  });
});

const FRENCH_FILES = [
  'extensions/contact-form/locales/fr.json',
  'extensions/contact-form/locales/fr.schema.json',
  'extensions/checkout-fields/locales/fr.json',
];

/** Every French string (the workspace's, the shopper's and the theme editor's), with where it comes from. */
function frenchStrings(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const walk = (node: unknown, path: string) => {
    if (typeof node === 'string') out.push([path, node]);
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, path ? `${path}.${k}` : k);
  };
  walk(DICTIONARIES.fr, 'workspace');
  for (const file of FRENCH_FILES) walk(JSON.parse(readFileSync(new URL(`../${file}`, import.meta.url), 'utf8')), file);
  return out;
}

describe('the shopper pages join a label and its message as each language does', () => {
  const translator = loadTranslator();
  const summaryOf = (locale: string) => {
    const html = formAgainPage(
      translator,
      locale,
      { first_name: 'required', email: 'invalid_email' },
      { first_name: '', email: 'x' },
      '/apps/contact-capture/submit',
      [],
    );
    return [...html.matchAll(/<li><a [^>]*>([^<]*)<\/a><\/li>/g)].map((m) => m[1]);
  };

  it('French puts a non-breaking space before the colon', () => {
    expect(summaryOf('fr')).toEqual([
      'Prénom\u00a0: Ce champ est obligatoire.',
      'E-mail\u00a0: Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.',
    ]);
  });

  it('English and Japanese use their own colon', () => {
    expect(summaryOf('en')[0]).toBe('First name: This field is required.');
    expect(summaryOf('ja')[0]).toMatch(/^[^:]+：/);
  });

  it("every shopper language has the separator, so none falls back to another language's", () => {
    const dir = new URL('../extensions/contact-form/locales/', import.meta.url);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json') && !f.includes('.schema.'))) {
      const tree = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as { contact_form: Record<string, unknown> };
      expect(typeof tree.contact_form.label_separator, file).toBe('string');
    }
  });
});

describe('French typography', () => {
  it.each(frenchStrings())('%s', (_, text) => {
    // A non-breaking space before : ; ? ! and inside « », never a plain one (which lets the mark wrap to a new line).
    expect(text).not.toMatch(/ [:;?!»]|« /);
    expect(text).not.toMatch(/[^\s\u00a0«(]«|»[^\s\u00a0.,)]/);
    expect(text).not.toMatch(/[\p{L}]'[\p{L}]/u);
    expect(text).not.toContain('...');
  });
});

describe('stored sync errors in the staff member language', () => {
  const fr = DICTIONARIES.fr;
  it('says a stored code with its parameters in French, with what Shopify was asked to write', () => {
    expect(syncErrorText(fr, syncError('rejected', { what: 'address', errors: 'Zip is invalid (INVALID, field address.zip)' }))).toBe(
      'Shopify a refusé l’adresse\u00a0: Zip is invalid (INVALID, field address.zip)',
    );
    expect(syncErrorText(fr, syncError('gave_up', { attempts: 12, last: syncError('shopify_unavailable', { detail: 'HTTP 503' }) }))).toBe(
      'Abandon après 12 tentatives. Dernier problème\u00a0: Shopify était indisponible\u00a0: HTTP 503',
    );
    expect(syncErrorText(DICTIONARIES.en, syncError('no_token'))).toBe(SYNC_ERRORS_EN.no_token);
  });

  it('keeps a row stored before codes readable as it was, and a spam reason explained', () => {
    const old = 'Gave up after 12 attempts. Last problem: Shopify was unavailable: HTTP 503';
    expect(syncErrorText(fr, old)).toBe(old);
    expect(syncErrorText(fr, '{"not":"a code"}')).toBe('{"not":"a code"}');
    expect(syncErrorText(fr, 'honeypot')).toBe(fr.spamReasons.honeypot);
  });

  it('has every code and subject in both languages, with the same parameters', () => {
    for (const code of SYNC_ERROR_CODES) {
      const slots = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(slots(fr.syncErrors[code]), code).toEqual(slots(SYNC_ERRORS_EN[code]));
    }
    for (const subject of SYNC_SUBJECTS) expect(fr.syncSubjects[subject], subject).toBeTruthy();
  });
});
