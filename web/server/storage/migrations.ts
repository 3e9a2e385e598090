import { type Kysely, type Migration, type MigrationProvider, Migrator, SqliteAdapter, sql } from 'kysely';

/**
 * Migrations live in code (not files found at run time) so the compiled server and the tests run the same list.
 * Only portable column types: text and integer.
 */
export const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('leads')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('shop', 'text', (c) => c.notNull())
        .addColumn('form_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('first_name', 'text')
        .addColumn('last_name', 'text')
        .addColumn('phone', 'text')
        .addColumn('message', 'text')
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('page', 'text')
        .addColumn('logged_in_customer_id', 'text')
        .addColumn('email_consent', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('shopify_customer_id', 'text')
        .addColumn('sync_error', 'text')
        .addColumn('synced_at', 'text')
        .addColumn('idempotency_key', 'text', (c) => c.notNull())
        .addColumn('body_hash', 'text', (c) => c.notNull())
        .execute();
      // Idempotency keys are scoped per shop: two shops may pick the same key.
      await db.schema.createIndex('leads_shop_idempotency').unique().on('leads').columns(['shop', 'idempotency_key']).execute();
      await db.schema.createIndex('leads_shop_created').on('leads').columns(['shop', 'created_at', 'id']).execute();
      await db.schema.createIndex('leads_shop_email').on('leads').columns(['shop', 'email']).execute();

      await db.schema
        .createTable('consent_records')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('shop', 'text', (c) => c.notNull())
        .addColumn('lead_id', 'text', (c) => c.notNull().references('leads.id').onDelete('cascade'))
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('granted', 'integer', (c) => c.notNull())
        .addColumn('text', 'text')
        .addColumn('text_sha256', 'text')
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('page', 'text')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('opt_in_level', 'text', (c) => c.notNull())
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('consent_records_lead').on('consent_records').column('lead_id').execute();

      await db.schema
        .createTable('outbox_jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('shop', 'text', (c) => c.notNull())
        .addColumn('lead_id', 'text', (c) => c.notNull().references('leads.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('run_after', 'text', (c) => c.notNull())
        .addColumn('lease_until', 'text')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('outbox_jobs_due').on('outbox_jobs').columns(['state', 'run_after']).execute();

      await db.schema
        .createTable('shops')
        .addColumn('shop', 'text', (c) => c.primaryKey())
        .addColumn('access_token_encrypted', 'text')
        .addColumn('scope', 'text')
        .addColumn('installed_at', 'text', (c) => c.notNull())
        .addColumn('uninstalled_at', 'text')
        .execute();

      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('webhook_id', 'text', (c) => c.primaryKey())
        .addColumn('shop', 'text', (c) => c.notNull())
        .addColumn('topic', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0002_spam_and_limits': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('rate_counters')
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('window', 'integer', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('rate_counters_pk', ['key', 'window'])
        .execute();
      await db.schema.createIndex('leads_shop_status').on('leads').columns(['shop', 'status']).execute();
    },
  },
  '0003_more_fields': {
    async up(db: Kysely<unknown>) {
      for (const column of ['company', 'birthday', 'address', 'answers', 'tags']) {
        await db.schema.alterTable('leads').addColumn(column, 'text').execute();
      }
      await db.schema
        .alterTable('leads')
        .addColumn('sms_consent', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
  '0004_privacy': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('compliance_requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('shop', 'text', (c) => c.notNull())
        .addColumn('topic', 'text', (c) => c.notNull())
        .addColumn('webhook_id', 'text', (c) => c.notNull())
        .addColumn('customer', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('completed_at', 'text')
        .addColumn('result', 'text')
        .addColumn('package', 'text')
        .addColumn('delivered_at', 'text')
        .execute();
      await db.schema.createIndex('compliance_requests_status').on('compliance_requests').columns(['status', 'received_at']).execute();
      await db.schema
        .createTable('erasure_log')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('shop', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('leads_erased', 'integer', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .alterTable('shops')
        .addColumn('retention_months', 'integer', (c) => c.notNull().defaultTo(24))
        .execute();
      await db.schema.alterTable('shops').addColumn('purged_at', 'text').execute();
    },
  },
  '0005_encrypted_fields': {
    async up(db: Kysely<unknown>) {
      // Personal columns now hold ciphertext; equality lookups use keyed hashes of the normalised values.
      await db.schema.alterTable('leads').addColumn('email_hash', 'text').execute();
      await db.schema.alterTable('leads').addColumn('phone_hash', 'text').execute();
      await db.schema.dropIndex('leads_shop_email').execute();
      await db.schema.createIndex('leads_shop_email_hash').on('leads').columns(['shop', 'email_hash']).execute();
      await db.schema.createIndex('leads_shop_phone_hash').on('leads').columns(['shop', 'phone_hash']).execute();
    },
  },
  '0006_workspace': {
    async up(db: Kysely<unknown>) {
      // Search over encrypted columns: keyed hashes of normalised words and prefixes (leads/search-terms.ts).
      await db.schema
        .createTable('lead_terms')
        .addColumn('shop', 'text', (c) => c.notNull())
        .addColumn('term', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('lead_id', 'text', (c) => c.notNull())
        // In this order, one term's leads are read newest first straight from the index, and another term of the
        // same lead is a point lookup: a search never sorts, however common its words.
        .addPrimaryKeyConstraint('lead_terms_pk', ['shop', 'term', 'created_at', 'lead_id'])
        .execute();
      await db.schema.createIndex('lead_terms_lead').on('lead_terms').column('lead_id').execute();
      await db.schema.alterTable('leads').addColumn('handled_at', 'text').execute();
      // Search terms are written by the worker just after intake (leads/search-indexer.ts); 0 = not yet indexed.
      await db.schema
        .alterTable('leads')
        .addColumn('search_indexed', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('leads_search_indexed').on('leads').column('search_indexed').execute();
      // Purchase answers (cart block, checkout extension) arrive as leads too, tied to their order.
      await db.schema
        .alterTable('leads')
        .addColumn('source', 'text', (c) => c.notNull().defaultTo('contact_form'))
        .execute();
      await db.schema.alterTable('leads').addColumn('order_id', 'text').execute();
      // The customer metafield definitions the app has made in each shop (created at install and when a new key appears).
      await db.schema
        .createTable('metafield_definitions')
        .addColumn('shop', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('metafield_definitions_pk', ['shop', 'key'])
        .execute();
      await db.schema.alterTable('leads').addColumn('handled_by', 'text').execute();
      // Each filter's leads come out of an index already in page order (created_at, id): no sort, whatever the count.
      await db.schema.createIndex('leads_shop_form_created').on('leads').columns(['shop', 'form_id', 'created_at', 'id']).execute();
      await db.schema.createIndex('leads_shop_status_created').on('leads').columns(['shop', 'status', 'created_at', 'id']).execute();
      // Its prefix, now redundant.
      await db.schema.dropIndex('leads_shop_status').execute();
      await db.schema.createIndex('outbox_jobs_lead').on('outbox_jobs').column('lead_id').execute();
      await db.schema
        .createTable('lead_notes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('shop', 'text', (c) => c.notNull())
        .addColumn('lead_id', 'text', (c) => c.notNull())
        .addColumn('author', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('lead_notes_lead').on('lead_notes').column('lead_id').execute();
      await db.schema
        .createTable('staff')
        .addColumn('shop', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text')
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('is_owner', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text')
        .addPrimaryKeyConstraint('staff_pk', ['shop', 'user_id'])
        .execute();
      await db.schema
        .createTable('audit_log')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('shop', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('lead_id', 'text')
        .addColumn('detail', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_log_shop_at').on('audit_log').columns(['shop', 'at']).execute();
      await db.schema
        .createTable('form_views')
        .addColumn('shop', 'text', (c) => c.notNull())
        .addColumn('form_id', 'text', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('form_views_pk', ['shop', 'form_id', 'day'])
        .execute();
    },
  },
  '0007_limits-keys': {
    async up(db) {
      // Which LOOKUP_KEYS key a lead's email_hash, phone_hash and search terms are under; null = the key derived
      // from the app secret before LOOKUP_KEYS existed. The background rehash rewrites rows until none is stale.
      await db.schema.alterTable('leads').addColumn('lookup_key', 'text').execute();
      // 1 for terms of what a viewer sees unmasked (message words, tags): a viewer's search matches only these.
      await db.schema
        .alterTable('lead_terms')
        .addColumn('visible', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      // When Shopify last said whether this staff member is the account owner (the owner role follows it).
      await db.schema.alterTable('staff').addColumn('owner_checked_at', 'text').execute();
    },
  },
  '0007_purchase-owner': {
    async up(db: Kysely<unknown>) {
      // How purchase answers were tied to the buyer (leads/purchase.ts BuyerProof), and a claim still to check.
      await db.schema.alterTable('leads').addColumn('buyer_proof', 'text').execute();
      await db.schema.alterTable('leads').addColumn('buyer_claim', 'text').execute();
      // Orders/create webhooks are signed by Shopify: their customer is the buyer.
      await sql`update leads set buyer_proof = 'webhook' where source in ('cart', 'checkout')`.execute(db);
      // Thank-you answers took the token's customer on trust: what is not synced yet is checked against the order first.
      await sql`update leads set buyer_proof = 'pending', buyer_claim = 'customer:' || shopify_customer_id, shopify_customer_id = null
        where source = 'thank_you' and status <> 'synced' and shopify_customer_id is not null`.execute(db);
      await sql`update leads set buyer_proof = 'none' where source = 'thank_you' and buyer_proof is null`.execute(db);
    },
  },
  '0007_sync-rules': {
    async up(db: Kysely<unknown>) {
      // Fields Shopify refused while the rest of the lead synced (JSON [{field, code, message}]), shown to staff.
      await db.schema.alterTable('leads').addColumn('sync_warnings', 'text').execute();
      // What an unverified submission would have changed on an existing customer, waiting for staff (JSON, encrypted).
      await db.schema.alterTable('leads').addColumn('proposed_changes', 'text').execute();
    },
  },
  '0007_declared-fields': {
    async up(db: Kysely<unknown>) {
      // Which leads used each metafield the app defined, so the workspace can show how many leads a definition
      // serves; one row per lead and key, so a retried sync counts once. Removed with the lead.
      await db.schema
        .createTable('metafield_definition_leads')
        .addColumn('shop', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('lead_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('metafield_definition_leads_pk', ['shop', 'key', 'lead_id'])
        .execute();
      await db.schema.createIndex('metafield_definition_leads_lead').on('metafield_definition_leads').column('lead_id').execute();
    },
  },
  '0008_rate-counters-by-window': {
    async up(db: Kysely<unknown>) {
      // Rate counters are counted in memory and merged every second (leads/rate-limit.ts): each process reads back the
      // current window's keys counted more than once, which this index finds without scanning every shopper's row.
      await db.schema.createIndex('rate_counters_window_count').on('rate_counters').columns(['window', 'count']).execute();
    },
  },
  '0009_mail': {
    async up(db: Kysely<unknown>) {
      // One row per e-mail the app owes someone (mail/README.md). (shop, event_key) is unique: the same event (a lead's
      // confirmation, a staff reply) asked for twice, by a retried request or a second instance, is one e-mail.
      await db.schema
        .createTable('mail_messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('shop', 'text', (c) => c.notNull())
        .addColumn('lead_id', 'text', (c) => c.notNull().references('leads.id').onDelete('cascade'))
        .addColumn('event_key', 'text', (c) => c.notNull())
        .addColumn('template', 'text', (c) => c.notNull())
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('to_address', 'text', (c) => c.notNull())
        .addColumn('params', 'text', (c) => c.notNull())
        .addColumn('job_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('sending_until', 'text')
        .addColumn('last_error', 'text')
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text')
        .execute();
      await db.schema.createIndex('mail_messages_event').unique().on('mail_messages').columns(['shop', 'event_key']).execute();
      await db.schema.createIndex('mail_messages_lead').on('mail_messages').column('lead_id').execute();
      await db.schema.createIndex('mail_messages_job').on('mail_messages').column('job_id').execute();
      // The shop's sender: mail goes out only once the merchant has said from which address, in whose name.
      await db.schema.alterTable('shops').addColumn('mail_from', 'text').execute();
      await db.schema.alterTable('shops').addColumn('mail_from_name', 'text').execute();
      // Double opt-in (leads/double-opt-in.ts): null for forms without it; pending until the shopper confirms.
      await db.schema.alterTable('leads').addColumn('doi_state', 'text').execute();
      await db.schema.alterTable('leads').addColumn('doi_expires_at', 'text').execute();
      await db.schema.alterTable('leads').addColumn('doi_confirmed_at', 'text').execute();
      await db.schema.createIndex('leads_shop_doi').on('leads').columns(['shop', 'doi_state', 'created_at']).execute();
      // Staff notifications per form (leads/notifications.ts), and the language of the shop's staff mail.
      await db.schema
        .createTable('form_mail_settings')
        .addColumn('shop', 'text', (c) => c.notNull())
        .addColumn('form_id', 'text', (c) => c.notNull())
        .addColumn('notify_to', 'text')
        .addColumn('notify_mode', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('form_mail_settings_pk', ['shop', 'form_id'])
        .execute();
      await db.schema.alterTable('shops').addColumn('mail_locale', 'text').execute();
    },
  },
  '0009_flow-triggers': {
    async up(db: Kysely<unknown>) {
      // Whether a shop's Flow has an enabled workflow using each trigger, from Flow's lifecycle callback; the newest
      // callback (its own timestamp) wins, so a late retry of an older one changes nothing.
      await db.schema
        .createTable('flow_subscriptions')
        .addColumn('shop', 'text', (c) => c.notNull())
        .addColumn('handle', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('notified_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('flow_subscriptions_pk', ['shop', 'handle'])
        .execute();
      // One row per trigger event the app owes Flow (a lead captured, a consent change); its unique key makes the event
      // exist once whoever enqueues it, and sent_at says it went out (shown on the lead).
      await db.schema
        .createTable('flow_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('shop', 'text', (c) => c.notNull())
        .addColumn('lead_id', 'text', (c) => c.notNull())
        .addColumn('handle', 'text', (c) => c.notNull())
        .addColumn('event_key', 'text', (c) => c.notNull())
        .addColumn('consent_record_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('claimed_until', 'text')
        .addColumn('sent_at', 'text')
        .addColumn('outcome', 'text')
        .addUniqueConstraint('flow_events_key', ['shop', 'handle', 'event_key'])
        .execute();
      await db.schema.createIndex('flow_events_lead').on('flow_events').column('lead_id').execute();
    },
  },
  '0009_flow-whatsapp-consent': {
    async up(db: Kysely<unknown>) {
      // WhatsApp marketing consent asked by the form (2026-07); its proof is in consent_records like the other channels.
      await db.schema
        .alterTable('leads')
        .addColumn('whatsapp_consent', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
  '0009_uploads': {
    async up(db: Kysely<unknown>) {
      // Shoppers' attachments (leads/uploads.ts): each upload from its staged target to the lead that claims it.
      await db.schema
        .createTable('uploads')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('shop', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('filename', 'text', (c) => c.notNull())
        .addColumn('declared_mime', 'text', (c) => c.notNull())
        .addColumn('declared_size', 'integer', (c) => c.notNull())
        .addColumn('detected_mime', 'text')
        .addColumn('resource_url', 'text', (c) => c.notNull())
        .addColumn('file_id', 'text')
        .addColumn('file_url', 'text')
        .addColumn('lead_id', 'text')
        .addColumn('reason', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      // One upload per lead at most, and the sweep finds stale and doomed uploads without a scan.
      await db.schema.createIndex('uploads_lead').on('uploads').column('lead_id').unique().execute();
      await db.schema.createIndex('uploads_status_created').on('uploads').columns(['status', 'created_at']).execute();
      await db.schema.alterTable('leads').addColumn('attachment_file_id', 'text').execute();
    },
  },
  '0010_mail2': {
    async up(db: Kysely<unknown>) {
      // Replies to a lead are kept with the notes (same encryption, erasure and data-request package), told apart by
      // kind and tied to the e-mail that carries them.
      await db.schema
        .alterTable('lead_notes')
        .addColumn('kind', 'text', (c) => c.notNull().defaultTo('note'))
        .execute();
      await db.schema.alterTable('lead_notes').addColumn('mail_id', 'text').execute();
      // Where shoppers' answers to the shop's e-mails go (Reply-To); null = the sender address.
      await db.schema.alterTable('shops').addColumn('mail_reply_to', 'text').execute();
      // The form's autoresponder: on/off and the merchant's wording (null = the app's localized default).
      await db.schema
        .alterTable('form_mail_settings')
        .addColumn('autoreply', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('form_mail_settings').addColumn('autoreply_subject', 'text').execute();
      await db.schema.alterTable('form_mail_settings').addColumn('autoreply_text', 'text').execute();
    },
  },
  '0011_opt-in-settings': {
    async up(db: Kysely<unknown>) {
      // Double opt-in as the shop decides it on the server (leads/opt-in-settings.ts): the block's signed setting can
      // turn it on but never off where this row asks for it. form_id '*' = every form of the shop.
      await db.schema
        .createTable('opt_in_settings')
        .addColumn('shop', 'text', (c) => c.notNull())
        .addColumn('form_id', 'text', (c) => c.notNull())
        .addColumn('require_doi', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('link_days', 'integer', (c) => c.notNull().defaultTo(7))
        .addColumn('keep_contact', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('opt_in_settings_pk', ['shop', 'form_id'])
        .execute();
      // Decided at intake, so a setting changed later does not change what a waiting lead may send to Shopify:
      // 1 = the customer may be created before the confirmation, without marketing consent.
      await db.schema
        .alterTable('leads')
        .addColumn('doi_keep_contact', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
  '0011_mail-digest': {
    async up(db: Kysely<unknown>) {
      // A digest of a form's leads (leads/notifications.ts, jobs/mail-worker.ts) is a shop's job, not a lead's: one per
      // (shop, form, period), made unique by its idempotency key whoever queues it, and one mail per recipient with no
      // lead of its own. So outbox_jobs.lead_id and mail_messages.lead_id may be null.
      if (db.getExecutor().adapter instanceof SqliteAdapter) {
        // SQLite cannot drop a NOT NULL: the table is rebuilt from its own definition, its rows and indexes kept.
        await dropNotNullOnSqlite(db, 'outbox_jobs', 'lead_id');
        await dropNotNullOnSqlite(db, 'mail_messages', 'lead_id');
      } else {
        await sql`alter table outbox_jobs alter column lead_id drop not null`.execute(db);
        await sql`alter table mail_messages alter column lead_id drop not null`.execute(db);
      }
      await db.schema.alterTable('outbox_jobs').addColumn('idempotency_key', 'text').execute();
      // Null for the jobs that need none (a lead's own jobs): nulls never collide in a unique index, on either engine.
      await db.schema.createIndex('outbox_jobs_idempotency').unique().on('outbox_jobs').columns(['shop', 'idempotency_key']).execute();
    },
  },
  '0012_upload-form': {
    async up(db: Kysely<unknown>) {
      // The form an upload was staged for (its signed settings name it): a submission may attach only an upload of
      // its own form. Null for uploads staged before this, which no submission can claim any more.
      await db.schema.alterTable('uploads').addColumn('form_id', 'text').execute();
    },
  },
  '0013_digest-inclusion': {
    async up(db: Kysely<unknown>) {
      // A lead of a digest form waits for a digest ('pending') until one digest job takes it (the job's key), so a form
      // switched between hourly and daily lists it once, and a lead committed after its period's digest went out is
      // taken by the next (leads/digest.ts). Null: taken by no digest yet (a digest still takes its period's).
      await db.schema.alterTable('leads').addColumn('digest', 'text').execute();
      // Few leads wait at a time: the index holds those alone.
      await db.schema
        .createIndex('leads_digest_pending')
        .on('leads')
        .columns(['shop', 'form_id', 'created_at'])
        .where(sql.ref('digest'), '=', 'pending')
        .execute();
    },
  },
};

/**
 * SQLite's way to change a column's constraint (sqlite.org/lang_altertable.html, "other kinds of table schema
 * changes"): a new table from the stored CREATE statement without the NOT NULL, the rows copied, the old table dropped,
 * the new one renamed, and the indexes made again from their stored statements. Nothing references these tables.
 */
async function dropNotNullOnSqlite(db: Kysely<unknown>, table: string, column: string): Promise<void> {
  const rows = await sql<{ type: string; sql: string }>`select type, sql from sqlite_master where tbl_name = ${table} and sql is not null`.execute(db);
  const create = rows.rows.find((r) => r.type === 'table')?.sql;
  if (!create) throw new Error(`table ${table} not found`);
  const columnDef = new RegExp(`("${column}"\\s+text)\\s+not null`, 'i');
  if (!columnDef.test(create)) throw new Error(`${table}.${column} is not a NOT NULL text column`);
  const next = `${table}_next`;
  const rebuilt = create.replace(columnDef, '$1').replace(new RegExp(`^create table\\s+"?${table}"?`, 'i'), `create table "${next}"`);
  await sql.raw(rebuilt).execute(db);
  await sql.raw(`insert into "${next}" select * from "${table}"`).execute(db);
  await sql.raw(`drop table "${table}"`).execute(db);
  await sql.raw(`alter table "${next}" rename to "${table}"`).execute(db);
  for (const index of rows.rows.filter((r) => r.type === 'index')) await sql.raw(index.sql).execute(db);
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * `schema` is PostgreSQL's current schema: Kysely otherwise finds its migration tables in ANY schema of the database
 * (another app's, an earlier test run's), believes they are its own, and fails to migrate this one.
 */
export async function migrateToLatest(db: Kysely<unknown>, schema?: string): Promise<void> {
  const migrator = new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) });
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    const failed = results?.find((r) => r.status === 'Error');
    if (!error && !failed) return;
    if (!failed && attempt < 10 && otherSchemaVanished(error, schema)) continue;
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
}

/**
 * Kysely finds its migration tables by reading the catalog of every schema, and PostgreSQL fails that read with
 * `schema "…" does not exist` (3F000) when another schema is dropped meanwhile (pg_get_serial_sequence resolves names
 * against the newest catalog). The read changes nothing, so it is asked again; a missing schema of our own is a real
 * error and is not.
 */
function otherSchemaVanished(error: unknown, schema: string | undefined): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error) || error.code !== '3F000') return false;
  const named = 'message' in error && typeof error.message === 'string' ? /schema "([^"]+)" does not exist/.exec(error.message)?.[1] : undefined;
  return named !== undefined && named !== schema;
}
