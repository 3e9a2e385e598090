/**
 * The emulator's in-memory shop data: customers with their metafields, marketing consent and tags. Only what the
 * app's operations touch, with the rules Shopify applies to them.
 */
export interface EmuMetafield {
  id: string;
  namespace: string;
  key: string;
  type: string;
  value: string;
  createdAt: string;
  updatedAt: string;
}

export interface EmuConsent {
  marketingState: string;
  marketingOptInLevel: string | null;
  consentUpdatedAt: string | null;
  /** `CustomerConsentCollectedFrom`: SHOPIFY when the customer changed it on Shopify's own surfaces; OTHER otherwise. */
  collectedFrom?: 'SHOPIFY' | 'OTHER';
}

export interface EmuAddress {
  id: string;
  fields: Record<string, string | null>;
}

export interface EmuCustomer {
  id: string;
  legacyId: number;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  locale: string | null;
  note: string | null;
  tags: Set<string>;
  metafields: Map<string, EmuMetafield>;
  emailConsent: EmuConsent | null;
  smsConsent: EmuConsent | null;
  /** WhatsApp marketing consent (2026-07), held on the phone number like SMS. */
  whatsAppConsent?: EmuConsent | null;
  addresses: EmuAddress[];
  /** Shopify's `verifiedEmail`; true unless a test says otherwise (customers made by the API are verified). */
  verifiedEmail?: boolean;
  createdAt: string;
  updatedAt: string;
}

/** Shopify's ids are unique across all shops, so the emulator draws them from one sequence for every shop. */
export class IdSequence {
  private last = 1000;
  next(): number {
    return ++this.last;
  }
}

export interface EmuDefinition {
  id: string;
  namespace: string;
  key: string;
  name: string;
  type: string;
  ownerType: string;
  /** As a merchant sets them in the admin (max length, pattern, choices): metafieldsSet refuses values outside them. */
  validations?: Array<{ name: string; value: string }>;
  /** Made by Shopify from the app's shopify.app.toml on deploy, not by metafieldDefinitionCreate. */
  declared?: boolean;
  /** What the Customer Account API may do with the values (access.customerAccount): NONE unless granted. */
  customerAccount?: 'NONE' | 'READ' | 'READ_WRITE';
}

/** An order as far as the app reads one: who placed it. */
export interface EmuOrder {
  id: string;
  email: string | null;
  customerId: string | null;
  /** The checkout's token (`Order.checkoutToken`), which the thank-you page also shows its extensions. */
  checkoutToken?: string | null;
}

/** A Flow trigger the app sent (flow.ts). */
export interface ReceivedTrigger {
  handle: string;
  payload: Record<string, unknown>;
  at: string;
}

/** A staged upload target the emulator issued (stagedUploadsCreate), and the bytes posted to it. */
export interface EmuStaged {
  key: string;
  filename: string;
  mimeType: string;
  /** The most the target accepts (the policy's content-length-range), from the declared fileSize. */
  maxBytes: number;
  bytes: Buffer | null;
  expiresAt: number;
}

/** A file in the shop's Files (fileCreate). */
export interface EmuFile {
  id: string;
  legacyId: number;
  filename: string;
  alt: string | null;
  contentType: 'IMAGE' | 'FILE';
  mimeType: string;
  bytes: Buffer;
  createdAt: string;
}

export interface EmuCustomerAccounts {
  version: 'NEW_CUSTOMER_ACCOUNTS' | 'CLASSIC';
  /** Null when the shop has no customer accounts URL (Shopify's `url` is nullable). */
  url: string | null;
}

export class ShopData {
  readonly customers = new Map<string, EmuCustomer>();
  /** Staged upload targets by key, and the shop's Files by GID. */
  readonly staged = new Map<string, EmuStaged>();
  readonly files = new Map<string, EmuFile>();
  /** Metafield definitions by `ownerType/namespace.key`. */
  readonly definitions = new Map<string, EmuDefinition>();
  readonly orders = new Map<string, EmuOrder>();
  /**
   * The shop's themes: one published (MAIN) theme, as a new shop has, whose JSON templates and settings_data.json
   * start without the app's block or embed; tests and local setup add them with `setThemeFile`.
   */
  readonly themes: EmuTheme[] = [];
  /** Flow triggers the app sent with flowTriggerReceive, in order (flow.ts). */
  readonly flowTriggers: ReceivedTrigger[] = [];
  /** The app's installation on this shop and its app-data metafields. */
  readonly installation: { id: string; metafields: Map<string, EmuMetafield> };
  /**
   * `Shop.customerAccountsV2`: which customer accounts the shop runs and where they live. A new shop runs new customer
   * accounts at shopify.com/<shop id>/account, as Shopify sets them up today; tests switch a shop to CLASSIC.
   */
  customerAccounts: EmuCustomerAccounts;
  readonly shopGid: string;

  constructor(
    readonly shop: string,
    readonly appNamespace: string,
    private readonly ids: IdSequence = new IdSequence(),
  ) {
    this.installation = { id: this.newGid('AppInstallation').gid, metafields: new Map() };
    const shopId = this.newGid('Shop');
    this.shopGid = shopId.gid;
    this.customerAccounts = { version: 'NEW_CUSTOMER_ACCOUNTS', url: `https://shopify.com/${shopId.legacyId}/account` };
    this.themes.push({
      id: this.newGid('OnlineStoreTheme').gid,
      name: 'Horizon',
      role: 'MAIN',
      files: new Map([
        ['templates/index.json', '{"sections":{"main":{"type":"main-page","settings":{}}},"order":["main"]}'],
        ['templates/page.json', '/* Generated by the theme editor */\n{"sections":{"main":{"type":"main-page","settings":{}}},"order":["main"]}'],
        ['config/settings_data.json', '{"current":{"blocks":{}}}'],
        ['layout/theme.liquid', '<html>{{ content_for_layout }}</html>'],
      ]),
    });
  }

  newGid(type: string): { gid: string; legacyId: number } {
    const legacyId = this.ids.next();
    return { gid: `gid://shopify/${type}/${legacyId}`, legacyId };
  }

  /** A new customer with a fresh id (as customerSet or checkout makes one); `fields` are set as given. */
  addCustomer(fields: Partial<Pick<EmuCustomer, 'firstName' | 'lastName' | 'email' | 'phone' | 'locale'>> = {}, legacyId?: number): EmuCustomer {
    const id = legacyId === undefined ? this.newGid('Customer') : { gid: `gid://shopify/Customer/${legacyId}`, legacyId };
    const stamp = new Date().toISOString();
    const customer: EmuCustomer = {
      id: id.gid,
      legacyId: id.legacyId,
      firstName: null,
      lastName: null,
      email: null,
      phone: null,
      locale: null,
      note: null,
      tags: new Set(),
      metafields: new Map(),
      emailConsent: null,
      smsConsent: null,
      addresses: [],
      createdAt: stamp,
      updatedAt: stamp,
      ...fields,
    };
    this.customers.set(customer.id, customer);
    return customer;
  }

  byEmail(email: string): EmuCustomer | undefined {
    const wanted = email.trim().toLowerCase();
    for (const c of this.customers.values()) if (c.email?.toLowerCase() === wanted) return c;
    return undefined;
  }

  byPhone(phone: string): EmuCustomer | undefined {
    for (const c of this.customers.values()) if (c.phone === phone) return c;
    return undefined;
  }

  /** `$app` and an omitted namespace both mean the app-reserved namespace, as in Shopify. */
  resolveNamespace(namespace: string | null | undefined): string {
    return !namespace || namespace === '$app' ? this.appNamespace : namespace.replace(/^\$app:/, `${this.appNamespace}--`);
  }
}

export interface EmuTheme {
  id: string;
  name: string;
  role: 'MAIN' | 'UNPUBLISHED' | 'DEVELOPMENT';
  /** By filename, the text body. */
  files: Map<string, string>;
}
