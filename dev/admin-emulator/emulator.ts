import { type DocumentNode, type GraphQLError, type GraphQLSchema, Kind, type OperationDefinitionNode, execute, parse, validate } from 'graphql';
import { CostBucket, type BucketSettings, MAX_SINGLE_QUERY_COST, requestedCost } from './cost.js';
import {
  metafieldDefinitionCreate,
  customerAddressCreate,
  customerCreate,
  customerAddressUpdate,
  customerEmailMarketingConsentUpdate,
  customerSet,
  customerSmsMarketingConsentUpdate,
  customerUpdate,
  customerWhatsAppMarketingConsentUpdate,
  metafieldsSet,
  tagsAdd,
} from './mutations.js';
import { connection, customerView, metafieldView } from './customer-view.js';
import { type FilesContext, fileCreate, fileDelete, fileView, filesQuery, newFilesSecret, stagedUploadsCreate } from './files.js';
import { type DeclaredDefinition, readDeclaredCustomerDefinitions } from './declared.js';
import { deprecatedInDocument, deprecatedInVariables } from './deprecations.js';
import { type DeclaredTrigger, flowTriggerReceive, readDeclaredFlowTriggers } from './flow.js';
import { loadAdminSchema } from './schema.js';
import { type EmuCustomerAccounts, type EmuTheme, IdSequence, ShopData } from './store.js';

/**
 * A local stand-in for Shopify's Admin GraphQL API: it validates every operation against the real 2026-10 schema,
 * executes the ones the app uses against in-memory shop data, charges calculated cost against a leaky bucket, answers
 * THROTTLED when the bucket is empty, and can inject faults. For local mode and tests only; never mounted in
 * production.
 */
export type FaultKind = 'throttled' | 'http500' | 'http503' | 'timeout';

export interface FaultSettings {
  /** Share of requests (0..1) that fail. */
  rate: number;
  kinds: FaultKind[];
  /** How long a 'timeout' fault holds the response; longer than the client's timeout. */
  timeoutMs: number;
  /** When set, only these named operations fail (one path's fallback tested while the rest of the app works). */
  operations?: string[] | undefined;
}

export interface EmulatorStats {
  requests: number;
  throttled: number;
  faults: Record<FaultKind, number>;
  invalid: number;
  operations: Record<string, number>;
  pointsSpent: number;
  /**
   * Deprecated fields, arguments, input fields and enum values the emulator was sent, by `what` (schema coordinate),
   * with the schema's reason. Shopify answers them anyway; tests assert the app sends none.
   */
  deprecated: Record<string, { reason: string; operations: string[] }>;
}

export type EmulatorResponse = { status: number; body: unknown; delayMs?: number } | { status: number; body: string; delayMs?: number };

const ROOT_RESOLVERS = new Set([
  'customerCreate',
  'metafieldDefinitionCreate',
  'order',
  'customerUpdate',
  'customerAddressCreate',
  'customerAddressUpdate',
  'customerSet',
  'metafieldsSet',
  'customerEmailMarketingConsentUpdate',
  'customerSmsMarketingConsentUpdate',
  'customerWhatsAppMarketingConsentUpdate',
  'tagsAdd',
  'customer',
  'customerByIdentifier',
  'customers',
  'currentAppInstallation',
  'themes',
  'flowTriggerReceive',
  'stagedUploadsCreate',
  'fileCreate',
  'fileDelete',
  'files',
  'node',
  'shop',
]);

/** A tiny seeded PRNG so fault injection is reproducible in tests. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class AdminEmulator {
  readonly schema: GraphQLSchema = loadAdminSchema();
  private readonly shops = new Map<string, { data: ShopData; bucket: CostBucket; token: string }>();
  private readonly tokens = new Map<string, string>();
  private bucketSettings: BucketSettings = { maximumAvailable: 2000, restoreRate: 100 };
  private faults: FaultSettings = { rate: 0, kinds: [], timeoutMs: 30_000 };
  private random: () => number = mulberry32(42);
  private readonly ids = new IdSequence();
  stats: EmulatorStats = EmulatorStats();
  /** The origin staged targets and file URLs point at; the HTTP routes set it from the request they answer. */
  publicOrigin = 'http://127.0.0.1';
  private readonly filesSecret = newFilesSecret();

  filesContext(): FilesContext {
    return { origin: this.publicOrigin, secret: this.filesSecret, now: this.clock };
  }

  /** Every shop's data, for the staged-upload and file routes (a target's key names its shop). */
  allShopData(): ShopData[] {
    return [...this.shops.values()].map((s) => s.data);
  }

  /**
   * `declared`: the customer metafield definitions of the app's deployed configuration (by default those of
   * shopify.app.toml), present in every shop from its install on, as Shopify rolls declared definitions out on deploy.
   */
  constructor(
    private readonly clock: () => number = Date.now,
    private readonly appNamespace = 'app--1000',
    private readonly declared: readonly DeclaredDefinition[] = readDeclaredCustomerDefinitions(),
    /** The Flow triggers of the app's deployed extensions (by default those under extensions/). */
    readonly flowTriggers: Map<string, DeclaredTrigger> = readDeclaredFlowTriggers(),
  ) {}

  install(shop: string, token: string): void {
    const previous = this.shops.get(shop);
    if (previous) this.tokens.delete(previous.token);
    const data = previous?.data ?? this.newShop(shop);
    this.shops.set(shop, { data, bucket: previous?.bucket ?? new CostBucket(this.bucketSettings, this.clock), token });
    this.tokens.set(token, shop);
  }

  private newShop(shop: string): ShopData {
    const data = new ShopData(shop, this.appNamespace, this.ids);
    for (const d of this.declared) {
      const namespace = data.resolveNamespace('$app');
      data.definitions.set(`CUSTOMER/${namespace}.${d.key}`, {
        id: data.newGid('MetafieldDefinition').gid,
        namespace,
        key: d.key,
        name: d.name,
        type: d.type,
        ownerType: 'CUSTOMER',
        declared: true,
        customerAccount: d.access.customer_account === 'read_write' ? 'READ_WRITE' : d.access.customer_account === 'read' ? 'READ' : 'NONE',
      });
    }
    return data;
  }

  tokenFor(shop: string): string | undefined {
    return this.shops.get(shop)?.token;
  }

  configure(options: { bucket?: BucketSettings; faults?: Partial<FaultSettings>; seed?: number }): void {
    if (options.bucket) {
      this.bucketSettings = options.bucket;
      for (const shop of this.shops.values()) shop.bucket.configure(options.bucket);
    }
    if (options.faults) this.faults = { ...this.faults, ...options.faults };
    if (options.seed !== undefined) this.random = mulberry32(options.seed);
  }

  resetStats(): void {
    this.stats = EmulatorStats();
  }

  /** As a merchant deleting a customer in the admin. */
  deleteCustomer(shop: string, id: string): boolean {
    return this.shops.get(shop)?.data.customers.delete(id) ?? false;
  }

  shopData(shop: string): ShopData | undefined {
    return this.shops.get(shop)?.data;
  }

  /** As a merchant switching the shop between new and classic customer accounts in Settings > Customer accounts. */
  setCustomerAccounts(shop: string, accounts: EmuCustomerAccounts): void {
    const data = this.shops.get(shop)?.data;
    if (!data) throw new Error(`unknown shop ${shop}`);
    data.customerAccounts = { ...accounts };
  }

  /** Writes a file of the shop's published theme, as the theme editor does when a merchant adds a block or an embed. */
  setThemeFile(shop: string, filename: string, content: string): void {
    const theme = this.shops.get(shop)?.data.themes.find((t) => t.role === 'MAIN');
    if (!theme) throw new Error(`no published theme for ${shop}`);
    theme.files.set(filename, content);
  }

  /** Handles one POST to /admin/api/2026-10/graphql.json. */
  handle(accessToken: string | null, body: unknown): EmulatorResponse {
    this.stats.requests++;
    const shop = accessToken ? this.tokens.get(accessToken) : undefined;
    const entry = shop ? this.shops.get(shop) : undefined;
    if (!entry) return { status: 401, body: { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' } };
    if (typeof body !== 'object' || body === null || typeof (body as { query?: unknown }).query !== 'string') {
      return { status: 400, body: { errors: { query: 'Required parameter missing or invalid' } } };
    }
    const { query, variables = {}, operationName } = body as { query: string; variables?: Record<string, unknown>; operationName?: string };

    const fault = this.pickFault(operationName ?? /^\s*(?:query|mutation)\s+(\w+)/.exec(query)?.[1]);
    if (fault === 'http500' || fault === 'http503') {
      this.stats.faults[fault]++;
      return { status: fault === 'http500' ? 500 : 503, body: 'Internal error (injected by the emulator)' };
    }

    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      this.stats.invalid++;
      return { status: 200, body: { errors: [{ message: (error as GraphQLError).message, locations: (error as GraphQLError).locations }] } };
    }
    const problems = validate(this.schema, document);
    if (problems.length) {
      this.stats.invalid++;
      return {
        status: 200,
        body: { errors: problems.map((p) => ({ message: p.message, locations: p.locations, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })) },
      };
    }
    const operation = document.definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
    );
    if (!operation) return { status: 200, body: { errors: [{ message: 'No operation to execute' }] } };
    const unimplemented = operation.selectionSet.selections
      .filter((s) => s.kind === Kind.FIELD && !s.name.value.startsWith('__'))
      .map((s) => (s.kind === Kind.FIELD ? s.name.value : ''))
      .filter((name) => !ROOT_RESOLVERS.has(name));
    if (unimplemented.length) {
      return {
        status: 200,
        body: { errors: [{ message: `The local emulator does not implement: ${unimplemented.join(', ')}`, extensions: { code: 'NOT_IMPLEMENTED' } }] },
      };
    }

    const cost = requestedCost(this.schema, document, operation, variables);
    if (cost > MAX_SINGLE_QUERY_COST) {
      return {
        status: 200,
        body: {
          errors: [
            {
              message: `Query cost is ${cost}, which exceeds the single query max cost limit (${MAX_SINGLE_QUERY_COST}).`,
              extensions: { code: 'MAX_COST_EXCEEDED', cost, maxCost: MAX_SINGLE_QUERY_COST },
            },
          ],
        },
      };
    }
    if (fault === 'throttled' || !entry.bucket.tryTake(cost)) {
      this.stats.throttled++;
      if (fault === 'throttled') this.stats.faults.throttled++;
      return {
        status: 200,
        body: {
          errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
          extensions: { cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: entry.bucket.status() } },
        },
      };
    }
    const name = operation.name?.value ?? '(anonymous)';
    this.stats.operations[name] = (this.stats.operations[name] ?? 0) + 1;
    this.recordDeprecated(name, [...deprecatedInDocument(this.schema, document), ...deprecatedInVariables(this.schema, document, variables)]);
    this.stats.pointsSpent += cost;

    const result = execute({ schema: this.schema, document, operationName, variableValues: variables, rootValue: this.rootValue(entry.data) });
    if (result instanceof Promise) throw new Error('The emulator resolvers are synchronous');
    const responseBody = {
      ...(result.errors ? { errors: result.errors.map((e) => ({ message: e.message, locations: e.locations, path: e.path })) } : {}),
      data: result.data ?? null,
      extensions: { cost: { requestedQueryCost: cost, actualQueryCost: cost, throttleStatus: entry.bucket.status() } },
    };
    if (fault === 'timeout') {
      // The write happened, but the answer never arrives in time: exactly the case idempotent sync must survive.
      this.stats.faults.timeout++;
      return { status: 200, body: responseBody, delayMs: this.faults.timeoutMs };
    }
    return { status: 200, body: responseBody };
  }

  private recordDeprecated(operation: string, usages: Array<{ what: string; reason: string }>): void {
    for (const { what, reason } of usages) {
      const entry = (this.stats.deprecated[what] ??= { reason, operations: [] });
      if (!entry.operations.includes(operation)) entry.operations.push(operation);
    }
  }

  private pickFault(operation: string | undefined): FaultKind | null {
    if (!this.faults.rate || !this.faults.kinds.length) return null;
    if (this.faults.operations && !(operation && this.faults.operations.includes(operation))) return null;
    if (this.random() >= this.faults.rate) return null;
    return this.faults.kinds[Math.floor(this.random() * this.faults.kinds.length)] ?? null;
  }

  private rootValue(data: ShopData) {
    const files = this.filesContext();
    return {
      stagedUploadsCreate: (args: Parameters<typeof stagedUploadsCreate>[2]) => stagedUploadsCreate(data, files, args),
      fileCreate: (args: Parameters<typeof fileCreate>[2]) => fileCreate(data, files, args),
      fileDelete: (args: Parameters<typeof fileDelete>[1]) => fileDelete(data, args),
      files: (args: Parameters<typeof filesQuery>[2]) => {
        const found = filesQuery(data, files, args);
        return connection(found.files, found.first);
      },
      node: ({ id }: { id: string }) => {
        const file = data.files.get(id);
        if (file) return fileView(files, file);
        const c = data.customers.get(id);
        return c ? customerView(data, c, files) : null;
      },
      customerSet: (args: Parameters<typeof customerSet>[1]) => customerSet(data, args),
      customerCreate: (args: Parameters<typeof customerCreate>[1]) => customerCreate(data, args),
      metafieldsSet: (args: Parameters<typeof metafieldsSet>[1]) => metafieldsSet(data, args),
      customerUpdate: (args: Parameters<typeof customerUpdate>[1]) => customerUpdate(data, args),
      metafieldDefinitionCreate: (args: Parameters<typeof metafieldDefinitionCreate>[1]) => metafieldDefinitionCreate(data, args),
      order: ({ id }: { id: string }) => {
        const o = data.orders.get(id);
        const c = o?.customerId ? data.customers.get(o.customerId) : undefined;
        return o ? { __typename: 'Order', id: o.id, email: o.email, checkoutToken: o.checkoutToken ?? null, customer: c ? customerView(data, c) : null } : null;
      },
      customerAddressCreate: (args: Parameters<typeof customerAddressCreate>[1]) => customerAddressCreate(data, args),
      customerAddressUpdate: (args: Parameters<typeof customerAddressUpdate>[1]) => customerAddressUpdate(data, args),
      customerEmailMarketingConsentUpdate: (args: Parameters<typeof customerEmailMarketingConsentUpdate>[1]) => customerEmailMarketingConsentUpdate(data, args),
      tagsAdd: (args: Parameters<typeof tagsAdd>[1]) => tagsAdd(data, args),
      customerSmsMarketingConsentUpdate: (args: Parameters<typeof customerSmsMarketingConsentUpdate>[1]) => customerSmsMarketingConsentUpdate(data, args),
      customerWhatsAppMarketingConsentUpdate: (args: Parameters<typeof customerWhatsAppMarketingConsentUpdate>[1]) =>
        customerWhatsAppMarketingConsentUpdate(data, args),
      flowTriggerReceive: (args: Parameters<typeof flowTriggerReceive>[2]) => flowTriggerReceive(data, this.flowTriggers, args),
      currentAppInstallation: () => ({
        __typename: 'AppInstallation',
        id: data.installation.id,
        metafields: ({ first }: { first?: number }) =>
          connection(
            [...data.installation.metafields.values()].map((m) => metafieldView(m, 'APP_INSTALLATION')),
            first,
          ),
        metafield: ({ namespace, key }: { namespace?: string; key: string }) => {
          const m = data.installation.metafields.get(`${data.resolveNamespace(namespace)}.${key}`);
          return m ? metafieldView(m, 'APP_INSTALLATION') : null;
        },
      }),
      // Only the Shop fields the app reads; any other selected non-null field errors, as an unimplemented one should.
      shop: () => ({
        __typename: 'Shop',
        id: data.shopGid,
        myshopifyDomain: data.shop,
        customerAccountsV2: {
          __typename: 'CustomerAccountsV2',
          customerAccountsVersion: data.customerAccounts.version,
          url: data.customerAccounts.url,
          loginLinksVisibleOnStorefrontAndCheckout: true,
          loginRequiredAtCheckout: false,
        },
      }),
      customer: ({ id }: { id: string }) => {
        const c = data.customers.get(id);
        return c ? customerView(data, c, files) : null;
      },
      customerByIdentifier: ({ identifier }: { identifier: { emailAddress?: string; phoneNumber?: string; id?: string } }) => {
        const c = identifier.emailAddress
          ? data.byEmail(identifier.emailAddress)
          : identifier.phoneNumber
            ? data.byPhone(identifier.phoneNumber)
            : data.customers.get(identifier.id ?? '');
        return c ? customerView(data, c, files) : null;
      },
      themes: ({ first, roles, names }: { first?: number; roles?: string[]; names?: string[] }) =>
        connection(
          data.themes.filter((th) => (!roles || roles.includes(th.role)) && (!names || names.includes(th.name))).map((th) => themeView(th)),
          first,
        ),
      customers: ({ first, query }: { first?: number; query?: string }) => {
        const email = /email:(\S+)/.exec(query ?? '')?.[1]?.replace(/^"|"$/g, '');
        const all = [...data.customers.values()].filter((c) => !email || c.email?.toLowerCase() === email.toLowerCase());
        const nodes = all.map((c) => customerView(data, c));
        const page = nodes.slice(0, first ?? 50);
        return {
          nodes: page,
          edges: page.map((node) => ({ node, cursor: node.id })),
          pageInfo: { hasNextPage: page.length < nodes.length, hasPreviousPage: false, startCursor: null, endCursor: null },
        };
      },
    };
  }
}

function EmulatorStats(): EmulatorStats {
  return {
    requests: 0,
    throttled: 0,
    faults: { throttled: 0, http500: 0, http503: 0, timeout: 0 },
    invalid: 0,
    operations: {},
    pointsSpent: 0,
    deprecated: {},
  };
}

/**
 * OnlineStoreTheme as 2026-10 defines it: `files(filenames:, first:, after:)` takes exact names or `*` wildcards; a text file's
 * body is an OnlineStoreThemeFileBodyText (the union resolves on __typename).
 */
function themeView(theme: EmuTheme) {
  return {
    __typename: 'OnlineStoreTheme',
    id: theme.id,
    name: theme.name,
    role: theme.role,
    prefix: '/t/1',
    processing: false,
    processingFailed: false,
    files: ({ filenames, first, after }: { filenames?: string[]; first?: number; after?: string }) => {
      const patterns = filenames?.map((f) => new RegExp(`^${f.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`));
      const nodes = [...theme.files.entries()]
        .filter(([name]) => !patterns || patterns.some((p) => p.test(name)))
        .map(([filename, content]) => ({
          __typename: 'OnlineStoreThemeFile',
          filename,
          size: Buffer.byteLength(content),
          contentType: filename.endsWith('.json') ? 'application/json' : 'text/plain',
          body: { __typename: 'OnlineStoreThemeFileBodyText', content },
        }));
      // Cursors are positions in the whole list, so `after` pages on from where the last page ended.
      const start = after ? Number(Buffer.from(after, 'base64').toString()) + 1 : 0;
      const page = nodes.slice(start, typeof first === 'number' ? start + first : undefined);
      const cursor = (i: number) => Buffer.from(String(start + i)).toString('base64');
      return {
        nodes: page,
        edges: page.map((node, i) => ({ node, cursor: cursor(i) })),
        pageInfo: {
          hasNextPage: start + page.length < nodes.length,
          hasPreviousPage: start > 0,
          startCursor: page.length ? cursor(0) : null,
          endCursor: page.length ? cursor(page.length - 1) : null,
        },
      };
    },
  };
}
