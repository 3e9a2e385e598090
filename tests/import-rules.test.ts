import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The import-direction rules (.dependency-cruiser.cjs, run by `npm run lint`) checked on a small tree laid out like the
 * real one: allowed imports must pass and each kind of wrong import must be reported under its rule. Imports use NodeNext
 * `.js` specifiers for `.ts` files, as the code does: if those stopped resolving, the checker would see no edges and
 * pass everything, and the violations below would go missing.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

/** path -> imports (specifiers); `type:` marks a type-only import. */
const TREE: Record<string, string[]> = {
  // Allowed: each layer importing below itself, the written exceptions, tests importing anything.
  'web/server/root.ts': ['./routes/proxy/handler.js', './jobs/worker.js', './config.js'],
  'web/server/config.ts': ['./core/ids.js'],
  'web/server/routes/proxy/handler.ts': ['../../leads/intake.js', '../../http/errors.js', './form.js'],
  'web/server/routes/proxy/form.ts': ['../../../../schema/fields.js'],
  'web/server/privacy/erasure.ts': ['../leads/intake.js'],
  'web/server/http/errors.ts': ['../storage/db.js', '../core/ids.js'],
  'web/server/http/metrics.ts': [],
  'web/server/leads/intake.ts': ['../outbox/outbox.js', '../storage/db.js', '../../../schema/fields.js'],
  'web/server/leads/intake.test.ts': ['../http/errors.js', '../../../dev/emulator.js'],
  'web/server/storage/db.ts': ['../core/ids.js'],
  'web/server/core/ids.ts': ['../../../schema/fields.js'],
  'web/workspace/app.tsx': ['../../schema/fields.js', './parts.js'],
  'web/workspace/parts.tsx': [],
  'web/storefront/form.ts': ['../../schema/fields.js'],
  'extensions/checkout/src/index.ts': ['../../../schema/fields.js', './util.js'],
  'extensions/checkout/src/util.ts': [],
  'dev/main.ts': ['../web/server/root.js'],
  'dev/emulator.ts': [],
  'schema/fields.ts': [],
  // Wrong, one per rule.
  'web/server/leads/bad.ts': ['../http/metrics.js'],
  'web/server/shopify/sync.ts': ['../leads/intake.js'],
  'web/server/privacy/bad.ts': ['../shopify/sync.js'],
  'web/server/storage/bad.ts': ['../http/metrics.js'],
  'web/server/core/bad.ts': ['../jobs/worker.js'],
  'web/server/outbox/outbox.ts': ['../jobs/worker.js'],
  'web/server/routes/webhooks/hook.ts': ['../proxy/form.js'],
  'web/server/jobs/worker.ts': ['../../../dev/emulator.js'],
  'web/workspace/insights.tsx': ['type:../server/leads/intake.js'],
  'web/storefront/bad.ts': ['../workspace/parts.js'],
  'extensions/checkout/src/bad.ts': ['../../other/src/thing.js'],
  'extensions/other/src/thing.ts': [],
  'schema/rules.ts': ['./limits.js'],
  'schema/limits.ts': ['type:./rules.js'],
  'schema/bad.ts': ['../web/server/core/ids.js'],
};

type Violation = { rule: { name: string }; from: string; to: string; cycle?: unknown[] };
let dir: string;
let violations: string[];
let depcruise: (outputType: string) => SpawnSyncReturns<string>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'import-rules-'));
  for (const [file, imports] of Object.entries(TREE)) {
    mkdirSync(join(dir, dirname(file)), { recursive: true });
    const lines = imports.map((spec, i) =>
      spec.startsWith('type:') ? `import type { X as X${i} } from '${spec.slice(5)}';` : `import { X as X${i} } from '${spec}';`,
    );
    writeFileSync(join(dir, file), `${lines.join('\n')}\nexport type X = { ${imports.map((_, i) => `x${i}: X${i}`).join('; ')} };\n`);
  }
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', jsx: 'preserve' } }));
  // The same command line as `npm run lint:imports`; JSON output lets the test read which rule fired.
  const pkg = join(ROOT, 'node_modules', 'dependency-cruiser');
  const bin = (JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['depcruise'];
  depcruise = (outputType) =>
    spawnSync(process.execPath, [join(pkg, bin!), '--config', CONFIG, '--output-type', outputType, '.'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    });
  const result = JSON.parse(depcruise('json').stdout) as { summary: { violations: Violation[] } };
  violations = result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('import-direction rules', () => {
  it('report exactly the wrong imports, each under its rule, and let the allowed ones through', () => {
    expect(violations).toEqual(
      [
        'extensions-only-schema: extensions/checkout/src/bad.ts -> extensions/other/src/thing.ts',
        'leads-not-http-shopify-privacy: web/server/leads/bad.ts -> web/server/http/metrics.ts',
        'no-circular: schema/limits.ts -> schema/rules.ts',
        'privacy-not-shopify: web/server/privacy/bad.ts -> web/server/shopify/sync.ts',
        'routes-not-other-routes: web/server/routes/webhooks/hook.ts -> web/server/routes/proxy/form.ts',
        'schema-imports-nothing-local: schema/bad.ts -> web/server/core/ids.ts',
        'server-layer-core: web/server/core/bad.ts -> web/server/jobs/worker.ts',
        'server-layer-outbox: web/server/outbox/outbox.ts -> web/server/jobs/worker.ts',
        'server-not-dev: web/server/jobs/worker.ts -> dev/emulator.ts',
        'shopify-not-leads-privacy: web/server/shopify/sync.ts -> web/server/leads/intake.ts',
        'storage-not-http: web/server/storage/bad.ts -> web/server/http/metrics.ts',
        'storefront-only-schema: web/storefront/bad.ts -> web/workspace/parts.tsx',
        'workspace-only-schema: web/workspace/insights.tsx -> web/server/leads/intake.ts',
      ].sort(),
    );
  });

  it('fails `npm run lint:imports` (so `npm test` stops) and tells the newcomer what to do instead', () => {
    const run = depcruise('err-long');
    expect(run.status).not.toBe(0);
    // Colours off above; stripped here too, in case a terminal setting turns them back on.
    const plain = run.stdout.replace(/\u001b\[[0-9;]*m/g, '');
    expect(plain).toContain('error routes-not-other-routes: web/server/routes/webhooks/hook.ts');
    expect(plain.replace(/\s+/g, ' ')).toContain('Move what both surfaces need down into the domain');
  });
});
