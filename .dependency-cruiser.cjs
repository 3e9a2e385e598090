// Import direction for the layout of issue 15 (folder READMEs and docs say why each layer sits where it does).
// `npm run lint:imports` checks it; every rule's comment is what a newcomer sees when an import points the wrong way,
// so it says what to do instead, not only what is wrong.
//
// Inside web/server, from top to bottom (a folder may import only folders below it):
//   main.ts, root.ts, config.ts -> routes/* -> jobs/ -> leads/, privacy/, shopify/, mail/ -> outbox/ -> http/, storage/ -> core/ -> schema/
// Exceptions written out below: privacy/ may import leads/; http/ may import storage/.
// Test files (*.test.ts, tests/, bench/, scripts/) may import anything: they put the pieces together on purpose.

/** Files that are tests wherever they live; the direction rules do not apply to them (the cycle rule does). */
const TEST_FILE = '\\.(test|spec)\\.tsx?$';

/** Local source roots: anything imported from one of these is our own code, not an npm package. */
const OWN_CODE = '^(web|dev|extensions|schema|tests|bench|scripts)/';

/** web/server's layers, top first. Folders on one line are peers: peers do not import each other except privacy/ -> leads/ and http/ -> storage/. */
const LAYERS = [
  { name: 'main.ts, server.ts, root.ts, config.ts', path: '^web/server/(main|server|root|config)\\.ts$' },
  { name: 'routes/', path: '^web/server/routes/' },
  { name: 'jobs/', path: '^web/server/jobs/' },
  { name: 'leads/, privacy/, shopify/, mail/', path: '^web/server/(leads|privacy|shopify|mail)/' },
  { name: 'outbox/', path: '^web/server/outbox/' },
  { name: 'http/, storage/', path: '^web/server/(http|storage)/' },
  { name: 'core/', path: '^web/server/core/' },
];

const below = (i) => [...LAYERS.slice(i + 1).map((l) => l.name), 'schema/'].join(' -> ');

/** One rule per layer: it may not import any layer above it. */
const layerRules = LAYERS.slice(1).map((layer, index) => {
  const i = index + 1;
  const above = LAYERS.slice(0, i);
  return {
    name: `server-layer-${layer.name.replace(/[^a-z]+/g, '-').replace(/^-|-$/g, '')}`,
    severity: 'error',
    comment:
      `web/server/${layer.name} may import only the layers below it (${below(i)}), never ${above.map((l) => l.name).join(', ')}. ` +
      'Move what both need down a layer (often into core/ or the domain folder), or have the upper layer pass it in ' +
      '(a function argument, or wiring in root.ts).',
    from: { path: layer.path, pathNot: TEST_FILE },
    to: { path: above.map((l) => l.path).join('|') },
  };
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'This import closes a cycle: a module ends up importing itself through others. Move the shared part into a third module ' +
        'that both import (for schema/, a smaller file of definitions), or pass the value in instead of importing it.',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'shopify-not-leads-privacy',
      severity: 'error',
      comment:
        'shopify/ (the Admin API client and sync) never imports leads/ or privacy/: have the caller give it plain data ' +
        '(e.g. a customer input built from a lead), or move the shared type down into core/ or schema/.',
      from: { path: '^web/server/shopify/', pathNot: TEST_FILE },
      to: { path: '^web/server/(leads|privacy)/' },
    },
    {
      name: 'leads-not-http-shopify-privacy',
      severity: 'error',
      comment:
        'leads/ is the domain and never imports http/, shopify/ or privacy/. For an error, throw a domain error from core/ ' +
        '(no HTTP status) and let http/ map it; to get a lead to Shopify, enqueue through outbox/; privacy/ calls leads/, ' +
        'not the other way.',
      from: { path: '^web/server/leads/', pathNot: TEST_FILE },
      to: { path: '^web/server/(http|shopify|privacy)/' },
    },
    {
      name: 'privacy-not-shopify',
      severity: 'error',
      comment:
        'privacy/ and shopify/ are peers: privacy/ may import leads/ but not shopify/. Ask for Shopify work through outbox/ ' +
        '(the worker in jobs/ runs it), or have jobs/ or a route call both.',
      from: { path: '^web/server/privacy/', pathNot: TEST_FILE },
      to: { path: '^web/server/shopify/' },
    },
    {
      name: 'domain-not-mail',
      severity: 'error',
      comment:
        'mail/ (the SMTP transport, the templates, the sender) and leads/, privacy/, shopify/ are peers that never import ' +
        'each other: to ask for an e-mail, enqueue it through outbox/ (mail-queue.ts); the mail worker in jobs/ renders and sends it.',
      from: { path: '^web/server/(leads|privacy|shopify)/', pathNot: TEST_FILE },
      to: { path: '^web/server/mail/' },
    },
    {
      name: 'mail-not-domain',
      severity: 'error',
      comment: 'mail/ never imports leads/, privacy/ or shopify/: the mail worker (jobs/) reads the lead and hands mail/ plain values.',
      from: { path: '^web/server/mail/', pathNot: TEST_FILE },
      to: { path: '^web/server/(leads|privacy|shopify)/' },
    },
    {
      name: 'storage-not-http',
      severity: 'error',
      comment:
        'storage/ sits below http/ (http/ may import storage/ for metrics, not the other way). If storage needs to report ' +
        'something, return it or accept a callback; put shared helpers in core/.',
      from: { path: '^web/server/storage/', pathNot: TEST_FILE },
      to: { path: '^web/server/http/' },
    },
    {
      name: 'routes-not-other-routes',
      severity: 'error',
      comment:
        'One folder per surface: routes/<a> never imports routes/<b>. Move what both surfaces need down into the domain ' +
        '(leads/, privacy/, shopify/) or into http/ if it is about HTTP itself.',
      from: { path: '^web/server/routes/([^/]+)/', pathNot: TEST_FILE },
      to: { path: '^web/server/routes/', pathNot: '^web/server/routes/$1/' },
    },
    {
      name: 'server-not-dev',
      severity: 'error',
      comment:
        'Production never builds or imports dev/ (emulators, previews, stand-ins). Make the production code take the thing ' +
        'as a parameter or option, and let the local-mode entry in dev/ pass the dev implementation in.',
      from: { path: '^web/server/', pathNot: TEST_FILE },
      to: { path: '^dev/' },
    },
    {
      name: 'storefront-only-schema',
      severity: 'error',
      comment:
        'web/storefront/ is browser code shipped to shoppers: it imports only schema/, its own files and npm packages. ' +
        'Move the shared definition into schema/ (runtime-free) instead of importing server, workspace or dev code.',
      from: { path: '^web/storefront/', pathNot: TEST_FILE },
      to: { path: OWN_CODE, pathNot: '^(web/storefront|schema)/' },
    },
    {
      name: 'workspace-only-schema',
      severity: 'error',
      comment:
        'web/workspace/ is browser code (the staff app): it imports only schema/, its own files and npm packages. API types ' +
        'it shares with the server live in schema/; talk to the server over HTTP, not by importing it.',
      from: { path: '^web/workspace/', pathNot: TEST_FILE },
      to: { path: OWN_CODE, pathNot: '^(web/workspace|schema)/' },
    },
    {
      name: 'extensions-only-schema',
      severity: 'error',
      comment:
        'A Shopify extension is built and deployed on its own: it imports only schema/, its own folder and npm packages. ' +
        'Move the shared definition into schema/.',
      from: { path: '^extensions/([^/]+)/', pathNot: TEST_FILE },
      to: { path: OWN_CODE, pathNot: '^(extensions/$1|schema)/' },
    },
    {
      name: 'schema-imports-nothing-local',
      severity: 'error',
      comment:
        'schema/ is the runtime-free bottom of every import chain: it imports nothing from web/, dev/ or extensions/. ' +
        'If a definition needs server code, it is not a shared definition: keep it in web/server and import schema/ from there.',
      from: { path: '^schema/', pathNot: TEST_FILE },
      to: { path: OWN_CODE, pathNot: '^schema/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|data|test-results|playwright-report)/|^extensions/[^/]+/(assets|dist)/' },
    // Type-only imports are dependencies too: a route's types imported into leads/ couple them just as much.
    tsPreCompilationDeps: true,
    // NodeNext: `./x.js` in source means `./x.ts`; dependency-cruiser resolves that through the TypeScript config.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
