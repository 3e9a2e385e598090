import { SYNC_ERRORS_EN, type SyncSubject, syncErrorWords } from '../../schema/sync-errors.js';
import type { LeadStatus, WorkspaceLead } from '../../schema/workspace-api.js';
/**
 * The workspace's strings in English and French. The admin passes the staff member's language as `?locale=`;
 * anything else falls back to the browser's language, then English.
 */
const en = {
  /** This dictionary's language, for plural rules, list and language names (Intl). */
  lang: 'en',
  /** What a label and its value are joined with (French puts a non-breaking space before the colon). */
  colon: ': ',
  consentChannel: { email: 'Email marketing', sms: 'SMS marketing', whatsapp: 'WhatsApp marketing', profile: 'Keeping the answers on the customer profile' },
  /** Why a lead did not reach Shopify, by the code the server stores (schema/sync-errors.ts); `{what}` from syncSubjects. */
  syncErrors: SYNC_ERRORS_EN,
  syncSubjects: {
    customer: 'customer',
    address: 'address',
    metafields: 'metafields',
    tags: 'tags',
    'marketing consent': 'marketing consent',
    'SMS marketing consent': 'SMS marketing consent',
    'WhatsApp marketing consent': 'WhatsApp marketing consent',
    'proposed changes': 'proposed changes',
    'corrected contact': 'corrected contact',
  } satisfies Record<SyncSubject, string>,
  /** Why a lead was held as spam (web/server/leads/spam.ts SPAM_REASONS), shown in place of the stored reason. */
  spamReasons: {
    honeypot: 'Held as spam: the hidden anti-bot field was filled in.',
    too_fast: 'Held as spam: the form was sent too quickly after the page was shown.',
    no_fill_time: 'Held as spam: the page did not say when the form was shown.',
    disposable_email: 'Held as spam: a disposable email address.',
    link_stuffing: 'Held as spam: too many links in the message.',
  },
  /** What a refused value's code means (Shopify's userError codes with a `field` verdict, and the app's own). */
  warningCodes: {
    BLANK: 'It was empty.',
    INCLUSION: 'It is not one of the values Shopify accepts.',
    INVALID: 'It is not valid.',
    PRESENT: 'It must be left empty.',
    TAKEN: 'Another customer already has it.',
    TOO_LONG: 'It is too long.',
    TOO_SHORT: 'It is too short.',
    APP_NOT_AUTHORIZED: 'The app may not write this metafield.',
    CAPABILITY_VIOLATION: 'The metafield’s definition does not allow this value.',
    INVALID_TYPE: 'Its type differs from the metafield’s definition.',
    INVALID_VALUE: 'The metafield’s definition refuses this value.',
    LESS_THAN_OR_EQUAL_TO: 'It has too many values.',
    UNSUBSCRIBED: 'The customer had unsubscribed; a submission that is not signed in as them does not subscribe them again.',
    PHONE_NOT_ON_CUSTOMER: 'The customer’s phone is not the one given with this consent.',
  },
  /** The purchase questions' keys (schema/purchase-questions.ts), as the questions read on the cart and checkout. */
  purchaseQuestions: { birthday: 'Birthday', company: 'Company', heard_about: 'How did you hear about us?', delivery_notes: 'Delivery instructions' },
  /** Shopify metafield types, as Shopify's admin names them. */
  metafieldTypes: {
    single_line_text_field: 'Single line text',
    multi_line_text_field: 'Multi-line text',
    number_decimal: 'Decimal',
    file_reference: 'File',
    date: 'Date',
    boolean: 'True or false',
    json: 'JSON',
  },
  /** Where a consent record came from and how it was given, as a person reads them (never the raw identifiers). */
  consentOrigin: {
    storefront_contact_form: 'Contact form on the storefront',
    cart_fields: 'Purchase questions (cart page)',
    checkout_fields: 'Questions in checkout',
    thank_you_fields: 'Questions on the thank-you page',
    double_opt_in_link: 'Confirmed from the link in the confirmation e-mail',
    shopify: 'Changed in Shopify: {state}',
    shopifyOther: 'Changed in Shopify',
    other: 'Other source',
  },
  marketingState: {
    subscribed: 'subscribed',
    unsubscribed: 'unsubscribed',
    not_subscribed: 'not subscribed',
    pending: 'awaiting confirmation',
    redacted: 'erased',
    invalid: 'not valid',
  },
  optInLevel: {
    SINGLE_OPT_IN: 'single opt-in',
    CONFIRMED_OPT_IN: 'confirmed opt-in (double opt-in)',
    UNKNOWN: 'opt-in level unknown',
    PENDING_CONFIRMATION: 'awaiting confirmation (double opt-in)',
  },
  title: 'Leads',
  nav: { leads: 'Leads', insights: 'Insights', requests: 'Data requests', definitions: 'Fields', team: 'Team', audit: 'Audit log', mail: 'E-mail' },
  loading: 'Loading…',
  error: 'Something went wrong ({status}). Try again.',
  search: 'Search name, email, phone, company or message',
  searchMasked: 'Search message words',
  searchButton: 'Search',
  filters: 'Filters',
  form: 'Form',
  anyForm: 'All forms',
  from: 'From',
  to: 'To',
  consent: 'Consent',
  any: 'Any',
  yes: 'Yes',
  no: 'No',
  tag: 'Tag',
  anyTag: 'All tags',
  handled: 'Handled',
  sort: 'Sort',
  newest: 'Newest first',
  oldest: 'Oldest first',
  clear: 'Clear filters',
  status: { all: 'All', pending: 'Pending', synced: 'Synced', failed: 'Failed', no_consent: 'No consent', quarantined: 'Quarantined' },
  /**
   * A synced double opt-in lead whose confirmation is still open or expired: with "keep the contact" on, the contact is
   * in Shopify without its marketing consent (leads/intake.ts), which "Synced" alone would hide.
   */
  syncedConsent: { pending: 'Synced, consent pending confirmation', expired: 'Synced, consent not confirmed (link expired)' },
  columns: { received: 'Received', name: 'Name', email: 'Email', phone: 'Phone', consent: 'Consent', status: 'Status', message: 'Message' },
  count: '{n} leads',
  countOne: '{n} lead',
  countMore: 'More than {n} leads',
  noLeads: 'No leads yet. They appear here as soon as a shopper sends the storefront form.',
  noMatch: 'No leads match these filters.',
  loadMore: 'Load more',
  export: 'Export CSV',
  exporting: 'Exporting {done} of {total} leads…',
  exported: 'Exported {n} leads.',
  exportedOne: 'Exported {n} lead.',
  masked: 'Personal data is masked for your role (viewer).',
  unreadable: 'unreadable',
  unreadableBanner:
    'Some of this lead’s data cannot be decrypted (a missing or wrong encryption key) and is shown as “unreadable”. Correcting the lead replaces it.',
  open: 'Open lead from {name}',
  back: 'Back to leads',
  detail: {
    contact: 'Contact',
    answers: 'Answers',
    noAnswers: 'No custom answers.',
    attachment: 'Attachment',
    attachmentPreview: 'Preview of {name}',
    attachmentPending: 'Shopify is still processing this file; its link appears once it is ready.',
    attachmentSize: '{kb} KB',
    held: {
      unsigned:
        'Kept here, not sent to Shopify: the form that sent it was not signed by the shop’s theme block (a page cached before a change, or an altered form).',
      reserved: 'Kept here, not sent to Shopify: this key belongs to the app’s own customer fields.',
      definition_cap: 'Kept here, not sent to Shopify: the shop has reached the number of custom fields the app may create (see Fields).',
    },
    consentProof: 'Consent proof',
    granted: 'Granted',
    refused: 'Refused',
    shown: 'Text shown',
    version: 'Version (SHA-256)',
    locale: 'Language',
    page: 'Page',
    when: 'When',
    source: 'Source',
    history: 'Sync history',
    flowTitle: 'Shopify Flow',
    flowTriggers: { 'lead-captured': 'Lead captured', 'lead-consent-changed': 'Lead consent changed' },
    flowSent: 'Sent to Flow on {when}',
    flowOwed: 'Waiting to be sent',
    flowNotListening: 'Not sent: no workflow of the shop used it any more',
    flowLeadGone: 'Not sent: the lead was deleted',
    flowRefused: 'Refused by Shopify: {reason}',
    noHistory: 'Not sent to Shopify (no consent, or held as spam).',
    attempts: '{n} attempts',
    attemptsOne: '{n} attempt',
    jobKinds: { sync_lead: 'Create or update customer', update_customer: 'Correction', flow_trigger: 'Shopify Flow trigger' },
    jobStates: { pending: 'Waiting', done: 'Done', failed: 'Failed' },
    shopifyCustomer: 'Open the customer in Shopify',
    notes: 'Notes',
    noNotes: 'No notes yet.',
    addNote: 'Add note',
    note: 'Note',
    kindNote: 'Note',
    kindReply: 'Reply sent to the shopper',
    replyTitle: 'Reply to the shopper',
    replyLabel: 'Your reply',
    replyHint: 'Sent by e-mail from the shop’s address, in the shopper’s language for the greeting. It is kept on this lead.',
    replySend: 'Send reply',
    replySending: 'Sending…',
    replyQueued: 'Your reply is queued and will be sent in a moment.',
    replyEmpty: 'Write a reply before sending it.',
    mailTitle: 'E-mails',
    noMail: 'No e-mail for this lead.',
    mailTemplates: { confirm_optin: 'Double opt-in confirmation', reply: 'Reply', notify_lead: 'Staff notification', autoreply: 'Autoresponder' },
    mailStates: { queued: 'Queued', sending: 'Sending', sent: 'Sent', retrying: 'Will be retried', failed: 'Not delivered' },
    mailSentOn: 'Sent {when}',
    actions: 'Actions',
    retry: 'Retry sync',
    release: 'Release from quarantine',
    markHandled: 'Mark handled',
    markOpen: 'Mark not handled',
    handledOn: 'Handled {when}',
    delete: 'Delete lead',
    confirmDelete: 'Delete this lead and everything about it? This cannot be undone.',
    deleted: 'Lead deleted.',
    edit: 'Edit contact',
    save: 'Save and sync to Shopify',
    cancel: 'Cancel',
    saved: 'Saved. {fields} will be synced to Shopify.',
    savedLocal: 'Saved. The shopper did not consent, so Shopify is not updated.',
    nothingChanged: 'Nothing changed.',
    invalid: 'Check the highlighted fields.',
  },
  fields: {
    first_name: 'First name',
    last_name: 'Last name',
    email: 'Email',
    phone: 'Phone',
    company: 'Company',
    birthday: 'Birthday',
    message: 'Message',
    address1: 'Address',
    address2: 'Apartment, suite',
    city: 'City',
    province: 'Province',
    zip: 'Postal code',
    country: 'Country code',
    address: 'Address',
    tags: 'Tags',
    form: 'Form',
    locale: 'Language',
  },
  fieldErrors: {
    required: 'Required.',
    invalid_email: 'Enter a valid email.',
    invalid_phone: 'Enter a valid phone number.',
    too_long: 'Too long.',
    invalid: 'Not valid.',
    consent_required: 'Consent is required.',
    unknown_field: 'Unknown field.',
  },
  insights: {
    intro: 'Views of each form (counted by the storefront block, nothing about who looked), submissions, conversion and consent, last 30 days.',
    views: 'Views',
    submissions: 'Submissions',
    conversion: 'Conversion',
    consentRate: 'Consent rate',
    spam: 'Spam held back',
    chart: 'Submissions and spam per day for {form}',
    day: 'Day',
    none: 'No form activity in this period.',
  },
  definitions: {
    intro:
      'Customer metafields of the app in the shop (namespace $app): its own, which come with the app, and the custom fields it has created; how many leads used each. Custom fields: {n} of {cap}; past that, a new key’s answers stay on the lead only.',
    key: 'Key',
    type: 'Type',
    origin: 'Origin',
    app: 'App',
    custom: 'Custom field',
    created: 'Created',
    declared: 'With the app',
    leads: 'Leads',
    none: 'No fields created yet.',
  },
  team: {
    intro: 'Roles: owners and managers see and work all leads; viewers see them with personal data masked and cannot export, edit or delete.',
    user: 'Staff member',
    role: 'Role',
    owner: 'Owner',
    manager: 'Manager',
    viewer: 'Viewer',
    saved: 'Role saved.',
  },
  audit: {
    intro: 'Every view of unmasked data, export, edit, deletion and role change.',
    when: 'When',
    who: 'Who',
    action: 'Action',
    lead: 'Lead',
    detail: 'Detail',
    empty: 'Nothing recorded yet.',
    actions: {
      view_list: 'Viewed the list of leads',
      view_lead: 'Viewed a lead',
      searched: 'Searched the leads',
      export: 'Exported leads',
      edit: 'Edited a lead',
      delete: 'Deleted a lead',
      role_change: 'Changed a role',
      download_package: 'Downloaded a data request package',
      reply: 'Replied to a lead by e-mail',
      opt_in_settings: 'Changed the double opt-in setting',
      mail_sender: 'Changed the e-mail sender',
      mail_settings: 'Changed a form’s e-mail settings',
    },
    rows: '{n} leads',
    rowsOne: '{n} lead',
    filtered: 'filtered',
    synced: 'synced to Shopify',
    notSynced: 'not synced (no consent)',
    proposedApplied: 'proposed changes applied',
    proposedDismissed: 'proposed changes dismissed',
    roleOf: '{who} is now {role}',
  },
  requests: {
    intro: 'Requests Shopify forwards when a customer asks what the shop holds about them (GDPR access). Download the package and send it to the customer.',
    received: 'Received',
    status: 'Status',
    found: 'Found',
    delivered: 'Delivered',
    package: 'Package',
    notYet: 'Not yet',
    download: 'Download {format}',
    none: 'No data requests.',
    done: 'Package downloaded; delivery recorded.',
    unreadable: 'The package cannot be opened (a missing or wrong encryption key); it is not marked as delivered.',
    statuses: { received: 'Being prepared', done: 'Ready' },
  },
  sources: {
    contact_form: 'Contact form',
    cart: 'Purchase questions (cart page)',
    checkout: 'Purchase questions (checkout)',
    thank_you: 'Purchase questions (thank-you page)',
  },
  proposed: {
    title: 'Changes waiting for the customer',
    intro: 'This shopper was not signed in as this customer, so their record was not changed. Apply what they sent, or dismiss it.',
    field: 'Field',
    current: 'In Shopify',
    sent: 'Sent by the shopper',
    empty: '(empty)',
    apply: 'Apply to the customer',
    dismiss: 'Dismiss',
    applying: 'Being applied to the customer…',
    applied: 'Applied: the customer will be updated.',
    dismissed: 'Dismissed.',
    metafield: 'Metafield {key}',
    viewerNote: 'A manager can apply or dismiss them.',
  },
  refused: {
    title: 'Shopify refused some values',
    intro: 'The lead reached Shopify without them; they stay on the lead.',
    badge: 'Refused values',
    sms_consent: 'SMS consent',
    whatsapp_consent: 'WhatsApp consent',
    email_consent: 'Email marketing consent',
    tags: 'Tags',
    locale: 'Language',
  },
  setup: {
    title: 'Finish setting up the contact form',
    emptyTitle: 'Get your first lead',
    intro: 'Two steps in the theme editor put the form in front of shoppers.',
    theme: 'Live theme: {theme}',
    block: 'Add the contact form to a page',
    embed: 'Turn on the popup and floating contact button',
    addBlock: 'Add the contact form in the theme editor',
    activateEmbed: 'Turn on the popup in the theme editor',
    done: 'Done',
    missing: 'Not yet',
    unknown: 'Status unknown',
  },
  order: 'Order',
  /** The E-mail screen (mail-view.tsx): the shop's sender and each form's staff mail and autoresponder. */
  mail: {
    intro: 'Who is told about new leads, what shoppers receive automatically, and from which address the shop’s e-mail goes out.',
    readOnly: 'Only the shop’s owner can change these settings.',
    problems: {
      smtp_not_configured: 'E-mail cannot go out: the app’s server has no mail server (SMTP_URL) set. Messages wait until it has.',
      sender_missing: 'No sender yet: set the address and the name below. Messages wait until then.',
    },
    ready: 'E-mail is set up and can go out.',
    sender: 'Sender',
    from: 'From address',
    fromName: 'Sender name',
    replyTo: 'Reply-to address (optional)',
    replyToHint: 'Where shoppers’ answers to replies and automatic answers go. Empty: the from address.',
    staffLanguage: 'Language of staff e-mail',
    languages: { en: 'English', fr: 'French' },
    saveSender: 'Save sender',
    senderSaved: 'Sender saved.',
    formTitle: 'Form “{form}”',
    defaultForm: 'Form without an id',
    recipients: 'Who is told about new leads',
    recipientsHint: 'Up to 5 addresses, one per line.',
    mode: 'Notifications',
    modes: { off: 'Off', each: 'An e-mail for each lead', hourly: 'An hourly digest', daily: 'A daily digest' },
    modeHint: 'Digests cover UTC hours or days; leads held as spam are counted, never listed.',
    autoreply: 'Automatic answer to the shopper',
    autoreplyOn: 'Send an automatic answer',
    autoreplySubject: 'Subject',
    autoreplyText: 'Text',
    autoreplyHint: 'Empty: the app’s own wording in the shopper’s language. {shop} and {name} are replaced.',
    saveForm: 'Save e-mail settings of “{form}”',
    formSaved: 'E-mail settings of “{form}” saved.',
    noForms: 'No form has been shown or submitted yet. Add one by its id to set it up now.',
    addForm: 'Set up another form',
    addFormId: 'Form id',
    addFormHint: 'As set in the contact form block: letters, digits, - and _.',
    add: 'Add',
    badFormId: 'A form id is up to 64 letters, digits, - or _.',
    invalid: 'Not saved: {reason}',
    auditForm: 'form “{form}”',
    auditAdded: 'added: {domains}',
    auditRemoved: 'removed: {domains}',
    auditFields: {
      from: 'From address',
      fromName: 'Sender name',
      replyTo: 'Reply-to address',
      locale: 'Language of staff e-mail',
      notifyTo: 'Recipients',
      mode: 'Notifications',
      autoreply: 'Automatic answer',
    },
  },
};

type Dict = typeof en;

// French typography: a non-breaking space (U+00A0) before : ; ? ! and inside « », typographic apostrophes (’), and
// the words of Shopify's own French admin (client, balises, entreprise, métachamp, abonné au marketing par e-mail).
const fr: Dict = {
  lang: 'fr',
  colon: ' : ',
  consentChannel: {
    email: 'Marketing par e-mail',
    sms: 'Marketing par SMS',
    whatsapp: 'Marketing par WhatsApp',
    profile: 'Conservation des réponses dans le profil client',
  },
  syncErrors: {
    throttled: 'Shopify a demandé de ralentir (THROTTLED)',
    shopify_unavailable: 'Shopify était indisponible : {detail}',
    token_refused: 'Le jeton d’accès de la boutique a été refusé ; réinstallez ou rouvrez l’application. {detail}',
    request_refused: 'Shopify a refusé la requête : {detail}',
    no_payload: 'Shopify n’a renvoyé aucune réponse {what}',
    rejected: 'Shopify a refusé {what} : {errors}',
    customer_gone: 'Le client Shopify a été supprimé ou fusionné pendant la synchronisation. {errors}',
    kept_refusing: 'Shopify a refusé {what} à chaque essai.',
    no_customer_id: 'Shopify n’a renvoyé aucun identifiant client',
    metafields_refused: 'Shopify a refusé les métachamps',
    customer_update_refused: 'Shopify a refusé la mise à jour du client',
    email_taken_pending: 'Shopify indique que l’e-mail est déjà pris, mais aucun client ne le porte encore.',
    order_no_customer: 'La commande n’a pas de client à qui rattacher ces réponses (commande invité sans e-mail).',
    order_not_visible: 'Shopify ne montre pas encore la commande ; son acheteur sera vérifié de nouveau avant toute écriture.',
    order_not_buyers:
      'Conservé sur ce prospect, non écrit dans un client : selon Shopify, la commande a été passée par quelqu’un d’autre que l’auteur de ces réponses.',
    buyer_unproven:
      'Conservé sur ce prospect, non écrit dans un client : rien ne prouve que l’auteur de ces réponses a passé la commande (la page de remerciement n’a envoyé ni client connecté ni jeton de paiement).',
    no_token: 'L’application n’a pas de jeton d’accès pour cette boutique (non installée, ou désinstallée).',
    undecryptable: 'Un champ de ce prospect ne peut pas être déchiffré ; corrigez le prospect pour le synchroniser.',
    gave_up: 'Abandon après {attempts} tentatives. Dernier problème : {last}',
  },
  syncSubjects: {
    customer: 'le client',
    address: 'l’adresse',
    metafields: 'les métachamps',
    tags: 'les balises',
    'marketing consent': 'le consentement marketing',
    'SMS marketing consent': 'le consentement marketing par SMS',
    'WhatsApp marketing consent': 'le consentement marketing par WhatsApp',
    'proposed changes': 'les modifications proposées',
    'corrected contact': 'le contact corrigé',
  },
  spamReasons: {
    honeypot: 'Retenu comme spam : le champ caché anti-robot a été rempli.',
    too_fast: 'Retenu comme spam : le formulaire a été envoyé trop vite après l’affichage de la page.',
    no_fill_time: 'Retenu comme spam : la page n’a pas indiqué quand le formulaire a été affiché.',
    disposable_email: 'Retenu comme spam : adresse e-mail jetable.',
    link_stuffing: 'Retenu comme spam : trop de liens dans le message.',
  },
  warningCodes: {
    BLANK: 'La valeur était vide.',
    INCLUSION: 'Ce n’est pas une valeur acceptée par Shopify.',
    INVALID: 'La valeur n’est pas valide.',
    PRESENT: 'Ce champ doit rester vide.',
    TAKEN: 'Un autre client l’utilise déjà.',
    TOO_LONG: 'La valeur est trop longue.',
    TOO_SHORT: 'La valeur est trop courte.',
    APP_NOT_AUTHORIZED: 'L’application n’a pas le droit d’écrire ce métachamp.',
    CAPABILITY_VIOLATION: 'La définition du métachamp n’autorise pas cette valeur.',
    INVALID_TYPE: 'Son type diffère de celui de la définition du métachamp.',
    INVALID_VALUE: 'La définition du métachamp refuse cette valeur.',
    LESS_THAN_OR_EQUAL_TO: 'Il y a trop de valeurs.',
    UNSUBSCRIBED: 'Le client s’était désabonné ; un envoi fait sans être connecté à son compte ne le réabonne pas.',
    PHONE_NOT_ON_CUSTOMER: 'Le téléphone du client n’est pas celui qui a été donné avec ce consentement.',
  },
  purchaseQuestions: {
    birthday: 'Date de naissance',
    company: 'Entreprise',
    heard_about: 'Comment nous avez-vous connus ?',
    delivery_notes: 'Instructions de livraison',
  },
  metafieldTypes: {
    single_line_text_field: 'Texte sur une seule ligne',
    multi_line_text_field: 'Texte multiligne',
    number_decimal: 'Nombre décimal',
    file_reference: 'Fichier',
    date: 'Date',
    boolean: 'Vrai ou faux',
    json: 'JSON',
  },
  consentOrigin: {
    storefront_contact_form: 'Formulaire de contact de la boutique',
    cart_fields: 'Questions à l’achat (page panier)',
    checkout_fields: 'Questions de la page de paiement',
    thank_you_fields: 'Questions de la page de remerciement',
    double_opt_in_link: 'Confirmé depuis le lien de l’e-mail de confirmation',
    shopify: 'Modifié dans Shopify : {state}',
    shopifyOther: 'Modifié dans Shopify',
    other: 'Autre origine',
  },
  marketingState: {
    subscribed: 'abonné',
    unsubscribed: 'désabonné',
    not_subscribed: 'non abonné',
    pending: 'en attente de confirmation',
    redacted: 'effacé',
    invalid: 'non valide',
  },
  optInLevel: {
    SINGLE_OPT_IN: 'abonnement simple (sans confirmation)',
    CONFIRMED_OPT_IN: 'abonnement confirmé (double opt-in)',
    UNKNOWN: 'niveau d’abonnement inconnu',
    PENDING_CONFIRMATION: 'en attente de confirmation (double opt-in)',
  },
  title: 'Prospects',
  nav: {
    leads: 'Prospects',
    insights: 'Statistiques',
    requests: 'Demandes de données',
    definitions: 'Champs',
    team: 'Équipe',
    audit: 'Journal d’audit',
    mail: 'E-mail',
  },
  loading: 'Chargement…',
  error: 'Une erreur est survenue ({status}). Réessayez.',
  search: 'Rechercher par nom, e-mail, téléphone, entreprise ou message',
  searchMasked: 'Rechercher dans les messages',
  searchButton: 'Rechercher',
  filters: 'Filtres',
  form: 'Formulaire',
  anyForm: 'Tous les formulaires',
  from: 'Du',
  to: 'Au',
  consent: 'Consentement',
  any: 'Tous',
  yes: 'Oui',
  no: 'Non',
  tag: 'Balise',
  anyTag: 'Toutes les balises',
  handled: 'Traité',
  sort: 'Tri',
  newest: 'Plus récents d’abord',
  oldest: 'Plus anciens d’abord',
  clear: 'Effacer les filtres',
  status: { all: 'Tous', pending: 'En attente', synced: 'Synchronisé', failed: 'Échec', no_consent: 'Sans consentement', quarantined: 'En quarantaine' },
  syncedConsent: { pending: 'Synchronisé, consentement en attente de confirmation', expired: 'Synchronisé, consentement non confirmé (lien expiré)' },
  columns: { received: 'Reçu le', name: 'Nom', email: 'E-mail', phone: 'Téléphone', consent: 'Consentement', status: 'Statut', message: 'Message' },
  count: '{n} prospects',
  countOne: '{n} prospect',
  countMore: 'Plus de {n} prospects',
  noLeads: 'Aucun prospect pour l’instant. Ils apparaissent ici dès qu’un client envoie le formulaire de la boutique.',
  noMatch: 'Aucun prospect ne correspond à ces filtres.',
  loadMore: 'Afficher plus',
  export: 'Exporter en CSV',
  exporting: 'Export en cours : {done} sur {total}…',
  exported: '{n} prospects exportés.',
  exportedOne: '{n} prospect exporté.',
  masked: 'Les données personnelles sont masquées pour votre rôle (lecture seule).',
  unreadable: 'illisible',
  unreadableBanner:
    'Certaines données de ce prospect ne peuvent pas être déchiffrées (clé de chiffrement absente ou erronée) : elles apparaissent comme « illisible ». Corriger le prospect les remplace.',
  open: 'Ouvrir le prospect de {name}',
  back: 'Retour aux prospects',
  detail: {
    contact: 'Coordonnées',
    answers: 'Réponses',
    noAnswers: 'Aucune réponse personnalisée.',
    attachment: 'Pièce jointe',
    attachmentPreview: 'Aperçu de {name}',
    attachmentPending: 'Shopify traite encore ce fichier ; son lien apparaîtra quand il sera prêt.',
    attachmentSize: '{kb} Ko',
    held: {
      unsigned:
        'Conservée ici, non envoyée à Shopify : le formulaire qui l’a transmise n’était pas signé par le bloc du thème (page mise en cache avant une modification, ou formulaire altéré).',
      reserved: 'Conservée ici, non envoyée à Shopify : cette clé est réservée aux champs client de l’application.',
      definition_cap:
        'Conservée ici, non envoyée à Shopify : la boutique a atteint le nombre de champs personnalisés que l’application peut créer (voir Champs).',
    },
    consentProof: 'Preuve du consentement',
    granted: 'Accordé',
    refused: 'Refusé',
    shown: 'Texte affiché',
    version: 'Version (SHA-256)',
    locale: 'Langue',
    page: 'Page',
    when: 'Date',
    source: 'Origine',
    history: 'Historique de synchronisation',
    flowTitle: 'Shopify Flow',
    flowTriggers: { 'lead-captured': 'Prospect enregistré', 'lead-consent-changed': 'Consentement du prospect modifié' },
    flowSent: 'Envoyé à Flow le {when}',
    flowOwed: 'En attente d’envoi',
    flowNotListening: 'Non envoyé : plus aucun workflow de la boutique ne l’utilisait',
    flowLeadGone: 'Non envoyé : le prospect a été supprimé',
    flowRefused: 'Refusé par Shopify : {reason}',
    noHistory: 'Non envoyé à Shopify (pas de consentement, ou retenu comme spam).',
    attempts: '{n} tentatives',
    attemptsOne: '{n} tentative',
    jobKinds: { sync_lead: 'Création ou mise à jour du client', update_customer: 'Correction', flow_trigger: 'Déclencheur Shopify Flow' },
    jobStates: { pending: 'En attente', done: 'Terminé', failed: 'Échec' },
    shopifyCustomer: 'Ouvrir le client dans Shopify',
    notes: 'Notes',
    noNotes: 'Aucune note.',
    addNote: 'Ajouter la note',
    note: 'Note',
    kindNote: 'Note',
    kindReply: 'Réponse envoyée au client',
    replyTitle: 'Répondre au client',
    replyLabel: 'Votre réponse',
    replyHint: 'Envoyée par e-mail depuis l’adresse de la boutique, avec une salutation dans la langue du client. Elle est conservée sur ce prospect.',
    replySend: 'Envoyer la réponse',
    replySending: 'Envoi…',
    replyQueued: 'Votre réponse est en file d’attente et partira dans un instant.',
    replyEmpty: 'Écrivez une réponse avant de l’envoyer.',
    mailTitle: 'E-mails',
    noMail: 'Aucun e-mail pour ce prospect.',
    mailTemplates: {
      confirm_optin: 'Confirmation du double opt-in',
      reply: 'Réponse',
      notify_lead: 'Notification à l’équipe',
      autoreply: 'Réponse automatique',
    },
    mailStates: { queued: 'En attente', sending: 'Envoi en cours', sent: 'Envoyé', retrying: 'Nouvel essai prévu', failed: 'Non distribué' },
    mailSentOn: 'Envoyé {when}',
    actions: 'Actions',
    retry: 'Relancer la synchronisation',
    release: 'Sortir de la quarantaine',
    markHandled: 'Marquer comme traité',
    markOpen: 'Marquer comme non traité',
    handledOn: 'Traité le {when}',
    delete: 'Supprimer le prospect',
    confirmDelete: 'Supprimer ce prospect et tout ce qui le concerne ? Cette action est définitive.',
    deleted: 'Prospect supprimé.',
    edit: 'Modifier les coordonnées',
    save: 'Enregistrer et synchroniser avec Shopify',
    cancel: 'Annuler',
    saved: 'Modifications enregistrées. Synchronisation avec Shopify en cours pour : {fields}.',
    savedLocal: 'Modifications enregistrées. Le client n’a pas donné son consentement : Shopify n’est pas mis à jour.',
    nothingChanged: 'Aucune modification.',
    invalid: 'Vérifiez les champs signalés.',
  },
  fields: {
    first_name: 'Prénom',
    last_name: 'Nom',
    email: 'E-mail',
    phone: 'Téléphone',
    company: 'Entreprise',
    birthday: 'Date de naissance',
    message: 'Message',
    address1: 'Adresse',
    address2: 'Appartement, bâtiment, etc.',
    city: 'Ville',
    province: 'Région',
    zip: 'Code postal',
    country: 'Code pays',
    address: 'Adresse',
    tags: 'Balises',
    form: 'Formulaire',
    locale: 'Langue',
  },
  fieldErrors: {
    required: 'Obligatoire.',
    invalid_email: 'Saisissez une adresse e-mail valide.',
    invalid_phone: 'Saisissez un numéro de téléphone valide.',
    too_long: 'Trop long.',
    invalid: 'Non valide.',
    consent_required: 'Le consentement est obligatoire.',
    unknown_field: 'Champ inconnu.',
  },
  insights: {
    intro:
      'Sur les 30 derniers jours : vues de chaque formulaire (comptées par le bloc de la boutique, sans rien enregistrer sur le visiteur), envois, taux de conversion et de consentement.',
    views: 'Vues',
    submissions: 'Envois',
    conversion: 'Conversion',
    consentRate: 'Taux de consentement',
    spam: 'Spam retenu',
    chart: 'Envois et spam par jour pour {form}',
    day: 'Jour',
    none: 'Aucune activité sur cette période.',
  },
  definitions: {
    intro:
      'Métachamps client de l’application dans la boutique (espace de noms $app) : les siens, fournis avec l’application, et les champs personnalisés qu’elle a créés ; le nombre de prospects ayant utilisé chacun d’eux. Champs personnalisés : {n} sur {cap} ; au-delà, les réponses à une nouvelle clé restent uniquement sur le prospect.',
    key: 'Clé',
    type: 'Type',
    origin: 'Origine',
    app: 'Application',
    custom: 'Champ personnalisé',
    created: 'Créé le',
    declared: 'Avec l’application',
    leads: 'Prospects',
    none: 'Aucun champ créé pour l’instant.',
  },
  team: {
    intro:
      'Rôles : les propriétaires et les responsables voient et traitent tous les prospects ; en lecture seule, les données personnelles sont masquées et l’export, la modification et la suppression ne sont pas possibles.',
    user: 'Membre du personnel',
    role: 'Rôle',
    owner: 'Propriétaire',
    manager: 'Responsable',
    viewer: 'Lecture seule',
    saved: 'Rôle enregistré.',
  },
  audit: {
    intro: 'Chaque consultation de données non masquées, export, modification, suppression et changement de rôle.',
    when: 'Date',
    who: 'Qui',
    action: 'Action',
    lead: 'Prospect',
    detail: 'Détail',
    empty: 'Rien n’a encore été enregistré.',
    actions: {
      view_list: 'Consultation de la liste des prospects',
      view_lead: 'Consultation d’un prospect',
      searched: 'Recherche parmi les prospects',
      export: 'Export de prospects',
      edit: 'Modification d’un prospect',
      delete: 'Suppression d’un prospect',
      role_change: 'Changement de rôle',
      download_package: 'Téléchargement du dossier d’une demande de données',
      reply: 'Réponse par e-mail à un prospect',
      opt_in_settings: 'Modification du double opt-in',
      mail_sender: 'A modifié l’expéditeur des e-mails',
      mail_settings: 'A modifié les e-mails d’un formulaire',
    },
    rows: '{n} prospects',
    rowsOne: '{n} prospect',
    filtered: 'avec filtres',
    synced: 'synchronisation avec Shopify',
    notSynced: 'sans synchronisation (pas de consentement)',
    proposedApplied: 'modifications proposées appliquées',
    proposedDismissed: 'modifications proposées ignorées',
    roleOf: 'nouveau rôle de {who} : {role}',
  },
  requests: {
    intro:
      'Demandes transmises par Shopify quand un client veut savoir ce que la boutique détient sur lui (droit d’accès RGPD). Téléchargez le dossier et envoyez-le au client.',
    received: 'Reçue le',
    status: 'Statut',
    found: 'Trouvés',
    delivered: 'Remise',
    package: 'Dossier',
    notYet: 'Pas encore',
    download: 'Télécharger {format}',
    none: 'Aucune demande.',
    done: 'Dossier téléchargé ; remise enregistrée.',
    unreadable: 'Le dossier ne peut pas être ouvert (clé de chiffrement absente ou erronée) ; il n’est pas marqué comme remis.',
    statuses: { received: 'En préparation', done: 'Prête' },
  },
  sources: {
    contact_form: 'Formulaire de contact',
    cart: 'Questions à l’achat (page panier)',
    checkout: 'Questions à l’achat (paiement)',
    thank_you: 'Questions à l’achat (page de remerciement)',
  },
  proposed: {
    title: 'Modifications en attente pour la fiche client',
    intro: 'Ce client n’était pas connecté à son compte : sa fiche n’a pas été modifiée. Appliquez ce qu’il a envoyé, ou ignorez-le.',
    field: 'Champ',
    current: 'Dans Shopify',
    sent: 'Envoyé par le client',
    empty: '(vide)',
    apply: 'Appliquer à la fiche client',
    dismiss: 'Ignorer',
    applying: 'Mise à jour de la fiche client en cours…',
    applied: 'Modifications appliquées : la fiche client va être mise à jour.',
    dismissed: 'Modifications ignorées.',
    metafield: 'Métachamp {key}',
    viewerNote: 'Un responsable peut les appliquer ou les ignorer.',
  },
  refused: {
    title: 'Valeurs refusées par Shopify',
    intro: 'Le prospect a été envoyé à Shopify sans elles ; elles restent sur le prospect.',
    badge: 'Valeurs refusées',
    sms_consent: 'Consentement au marketing par SMS',
    whatsapp_consent: 'Consentement au marketing par WhatsApp',
    email_consent: 'Consentement au marketing par e-mail',
    tags: 'Balises',
    locale: 'Langue',
  },
  setup: {
    title: 'Terminez l’installation du formulaire de contact',
    emptyTitle: 'Obtenez votre premier prospect',
    intro: 'Deux étapes dans l’éditeur de thème présentent le formulaire aux clients.',
    theme: 'Thème en ligne\u00a0: {theme}',
    block: 'Ajouter le formulaire de contact à une page',
    embed: 'Activer la fenêtre surgissante et le bouton de contact flottant',
    addBlock: 'Ajouter le formulaire dans l’éditeur de thème',
    activateEmbed: 'Activer la fenêtre surgissante dans l’éditeur de thème',
    done: 'Fait',
    missing: 'Pas encore',
    unknown: 'État inconnu',
  },
  order: 'Commande',
  mail: {
    intro: 'Qui est prévenu des nouveaux prospects, ce que les clients reçoivent automatiquement, et depuis quelle adresse partent les e-mails de la boutique.',
    readOnly: 'Seul le propriétaire de la boutique peut modifier ces réglages.',
    problems: {
      smtp_not_configured:
        'Les e-mails ne peuvent pas partir : le serveur de l’application n’a pas de serveur de messagerie (SMTP_URL). Les messages attendent qu’il en ait un.',
      sender_missing: 'Pas encore d’expéditeur : indiquez l’adresse et le nom ci-dessous. Les messages attendent jusque-là.',
    },
    ready: 'Les e-mails sont configurés et peuvent partir.',
    sender: 'Expéditeur',
    from: 'Adresse d’expédition',
    fromName: 'Nom de l’expéditeur',
    replyTo: 'Adresse de réponse (facultatif)',
    replyToHint: 'Où vont les réponses des clients aux réponses et réponses automatiques. Vide : l’adresse d’expédition.',
    staffLanguage: 'Langue des e-mails à l’équipe',
    languages: { en: 'Anglais', fr: 'Français' },
    saveSender: 'Enregistrer l’expéditeur',
    senderSaved: 'Expéditeur enregistré.',
    formTitle: 'Formulaire « {form} »',
    defaultForm: 'Formulaire sans identifiant',
    recipients: 'Qui est prévenu des nouveaux prospects',
    recipientsHint: 'Jusqu’à 5 adresses, une par ligne.',
    mode: 'Notifications',
    modes: { off: 'Désactivées', each: 'Un e-mail par prospect', hourly: 'Un récapitulatif toutes les heures', daily: 'Un récapitulatif quotidien' },
    modeHint: 'Les récapitulatifs couvrent des heures ou des jours UTC ; les prospects retenus comme spam sont comptés, jamais listés.',
    autoreply: 'Réponse automatique au client',
    autoreplyOn: 'Envoyer une réponse automatique',
    autoreplySubject: 'Objet',
    autoreplyText: 'Texte',
    autoreplyHint: 'Vide : le texte de l’application dans la langue du client. {shop} et {name} sont remplacés.',
    saveForm: 'Enregistrer les e-mails de « {form} »',
    formSaved: 'Réglages e-mail de « {form} » enregistrés.',
    noForms: 'Aucun formulaire n’a encore été affiché ni envoyé. Ajoutez-en un par son identifiant pour le configurer dès maintenant.',
    addForm: 'Configurer un autre formulaire',
    addFormId: 'Identifiant du formulaire',
    addFormHint: 'Tel qu’indiqué dans le bloc de formulaire de contact : lettres, chiffres, - et _.',
    add: 'Ajouter',
    badFormId: 'Un identifiant de formulaire compte au plus 64 lettres, chiffres, - ou _.',
    invalid: 'Non enregistré : {reason}',
    auditForm: 'formulaire « {form} »',
    auditAdded: 'ajouté : {domains}',
    auditRemoved: 'retiré : {domains}',
    auditFields: {
      from: 'Adresse d’expédition',
      fromName: 'Nom de l’expéditeur',
      replyTo: 'Adresse de réponse',
      locale: 'Langue des e-mails à l’équipe',
      notifyTo: 'Destinataires',
      mode: 'Notifications',
      autoreply: 'Réponse automatique',
    },
  },
};

export const DICTIONARIES = { en, fr } as const;
export type Language = keyof typeof DICTIONARIES;
export type Strings = Dict;

export function pickLanguage(search: string, browser: readonly string[]): Language {
  const wanted = [new URLSearchParams(search).get('locale') ?? '', ...browser];
  for (const tag of wanted) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'fr' || base === 'en') return base;
  }
  return 'en';
}

export const format = (template: string, values: Record<string, string | number>) => template.replace(/\{(\w+)\}/g, (_, k: string) => String(values[k] ?? ''));

/** A count in words: `one` or `other` by the language's plural rules (in French, 0 and 1 take the singular). */
export function plural(t: Strings, n: number, one: string, other: string): string {
  return format(new Intl.PluralRules(t.lang).select(n) === 'one' ? one : other, { n: n.toLocaleString(t.lang) });
}

/** Names joined as a sentence does it ("First name and Address", « Prénom et Adresse »). */
export const listOf = (t: Strings, items: readonly string[]) => new Intl.ListFormat(t.lang, { type: 'conjunction' }).format(items);

/** A language code (`fr`, `pt-BR`) as its name in the reader's language; the code itself only when it names none. */
export function languageName(t: Strings, code: string): string {
  try {
    return new Intl.DisplayNames([t.lang], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}

const lookup = (table: Record<string, string>, key: string | null | undefined): string | undefined =>
  key != null && Object.hasOwn(table, key) ? table[key] : undefined;

/** A consent record's source and opt-in level in the reader's language: identifiers stay in the data, not on screen. */
export function consentOrigin(t: Strings, source: string, level: string | null): string {
  const state = source.startsWith('shopify:') ? source.slice('shopify:'.length) : null;
  const stateWords = state !== null ? lookup(t.marketingState, state) : undefined;
  const where =
    state !== null
      ? stateWords
        ? format(t.consentOrigin.shopify, { state: stateWords })
        : t.consentOrigin.shopifyOther
      : (lookup(t.consentOrigin, source) ?? t.consentOrigin.other);
  const how = level ? (lookup(t.optInLevel, level) ?? t.optInLevel.UNKNOWN) : null;
  return how ? `${where} · ${how}` : where;
}

/** An answer's label: a purchase question's words for its key; a merchant's own key stays as they named it. */
export const answerLabel = (t: Strings, key: string) => lookup(t.purchaseQuestions, key) ?? key;

/** An answer's value: a checkbox is stored as 'true' or 'false' (schema/submission.ts) and reads as yes or no. */
export const answerValue = (t: Strings, answer: { kind: string; value: string }) =>
  answer.kind === 'checkbox' && (answer.value === 'true' || answer.value === 'false') ? (answer.value === 'true' ? t.yes : t.no) : answer.value;

/** A field of a proposal, a warning or a correction, in the staff member's words. */
export function fieldLabel(t: Strings, field: string): string {
  if (field.startsWith('metafield:')) return format(t.proposed.metafield, { key: field.slice('metafield:'.length) });
  return lookup(t.fields, field) ?? lookup(t.refused, field) ?? lookup(t.mail.auditFields, field) ?? field;
}

/** Why Shopify refused a value: the code's meaning when it has one, else Shopify's own message. */
export const warningText = (t: Strings, warning: { code: string | null; message: string }) => lookup(t.warningCodes, warning.code) ?? warning.message;

/**
 * A lead's stored sync error (or a sync job's last error): a spam reason's explanation for a quarantined lead, a
 * stored code in the staff member's language, or text stored before codes as it was.
 */
export const syncErrorText = (t: Strings, error: string) =>
  lookup(t.spamReasons, error) ?? syncErrorWords(error, t.syncErrors, (what) => lookup(t.syncSubjects, what) ?? what);

/** What a lead's status badge says: the status, and for a synced lead, a consent its shopper has not confirmed. */
export function statusText(t: Strings, status: LeadStatus, doubleOptIn: WorkspaceLead['double_opt_in']): string {
  if (status === 'synced' && (doubleOptIn === 'pending' || doubleOptIn === 'expired')) return t.syncedConsent[doubleOptIn];
  return t.status[status];
}

/** The message after a staff correction: the changed fields named in a list that reads right for one or several. */
export const savedText = (t: Strings, changed: readonly string[]) =>
  format(t.detail.saved, {
    fields: listOf(
      t,
      changed.map((f) => fieldLabel(t, f)),
    ),
  });

/** An audit entry's detail (field names and counts, never values) as a phrase instead of its JSON. */
export function auditDetail(t: Strings, detail: Record<string, unknown> | null): string {
  if (!detail) return '';
  const parts: string[] = [];
  if (typeof detail.rows === 'number') parts.push(plural(t, detail.rows, t.audit.rowsOne, t.audit.rows));
  if (
    detail.filter &&
    typeof detail.filter === 'object' &&
    Object.entries(detail.filter).some(([k, v]) => k !== 'sort' && k !== 'limit' && k !== 'cursor' && v !== undefined && v !== '' && v !== false)
  )
    parts.push(t.audit.filtered);
  if (Array.isArray(detail.fields))
    parts.push(
      listOf(
        t,
        detail.fields.map((f) => fieldLabel(t, String(f))),
      ),
    );
  if (typeof detail.form === 'string') parts.push(format(t.mail.auditForm, { form: detail.form }));
  if (typeof detail.mode === 'string') parts.push(lookup(t.mail.modes, detail.mode) ?? detail.mode);
  if (Array.isArray(detail.added) && detail.added.length) parts.push(format(t.mail.auditAdded, { domains: listOf(t, detail.added.map(String)) }));
  if (Array.isArray(detail.removed) && detail.removed.length) parts.push(format(t.mail.auditRemoved, { domains: listOf(t, detail.removed.map(String)) }));
  if (detail.dismissed === true) parts.push(t.audit.proposedDismissed);
  else if (detail.proposed === true) parts.push(t.audit.proposedApplied);
  if (detail.synced === true && detail.proposed !== true) parts.push(t.audit.synced);
  if (detail.synced === false) parts.push(t.audit.notSynced);
  if (typeof detail.role === 'string')
    parts.push(
      format(t.audit.roleOf, {
        who: `#${typeof detail.staff === 'string' || typeof detail.staff === 'number' ? detail.staff : ''}`,
        role: lookup(t.team, detail.role) ?? detail.role,
      }),
    );
  if (typeof detail.format === 'string') parts.push(detail.format.toUpperCase());
  return parts.join(' · ');
}

/** What became of one Flow trigger of a lead (web/server/jobs/flow-sender.ts outcomes), in the staff member's words. */
export function flowOutcomeText(t: Strings, f: { sent_at: string | null; outcome: string | null }, when: (iso: string) => string): string {
  if (f.sent_at) return format(t.detail.flowSent, { when: when(f.sent_at) });
  if (f.outcome === 'not_listening') return t.detail.flowNotListening;
  if (f.outcome === 'lead_gone') return t.detail.flowLeadGone;
  if (f.outcome?.startsWith('refused: ')) return format(t.detail.flowRefused, { reason: f.outcome.slice('refused: '.length) });
  return t.detail.flowOwed;
}
