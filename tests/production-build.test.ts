import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, type Metafile, build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, storefrontBundles, workspaceBundles } from '../scripts/bundles.js';

/**
 * What production ships holds no dev code: the server build (`tsc -p tsconfig.build.json`, started as
 * dist/web/server/main.js) and the browser bundles (the storefront's and the workspace's, built from the same options
 * as the build scripts). Dev code is everything under dev/ (emulators, previews, the dev sign-in) and test code; a
 * production module importing a devDependency would also fail to start after `npm ci --omit=dev`.
 */
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const NOT_PRODUCTION = /^(dev|tests|bench|scripts)\/|\.test\.[cm]?[jt]sx?$|\.spec\.[cm]?[jt]sx?$/;
/** Routes only local mode serves (the dev sign-in's /dev/session-token and the like): production code never calls one. */
const DEV_ROUTE = /\/dev\/[a-z]/;

const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(packageOf(specifier));

describe('the server build', () => {
  let outDir: string;
  let programFiles: string[];
  let emitted: string[];
  let graph: Metafile;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'contact-capture-build-'));
    // The real build's configuration, emitted without the type check (`npm run typecheck` does that) to a place of its own.
    const listing = execFileSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/typescript/bin/tsc'),
        '-p',
        join(ROOT, 'tsconfig.build.json'),
        '--outDir',
        outDir,
        '--noCheck',
        '--listFiles',
        '--listEmittedFiles',
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    const lines = listing.split('\n').filter(Boolean);
    emitted = lines.filter((l) => l.startsWith('TSFILE: ')).map((l) => relative(outDir, l.slice('TSFILE: '.length)));
    programFiles = lines.filter((l) => isAbsolute(l) && !l.includes('/node_modules/')).map((l) => relative(ROOT, l));
    // The import graph of what `node dist/web/server/main.js` loads: esbuild follows every static and literal dynamic
    // import from the entry and records it, with packages left as they are named.
    const result = await build({
      entryPoints: ['web/server/main.js'],
      absWorkingDir: outDir,
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      metafile: true,
      logLevel: 'silent',
    });
    graph = result.metafile;
  }, 120_000);

  afterAll(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('compiles only schema/ and web/server/, and emits no dev or test module', () => {
    expect(programFiles.length).toBeGreaterThan(50);
    expect(programFiles.filter((f) => !/^(schema|web\/server)\//.test(f) || NOT_PRODUCTION.test(f))).toEqual([]);
    expect(emitted.filter((f) => NOT_PRODUCTION.test(f))).toEqual([]);
  });

  it('reaches no dev module from main.js, and imports only runtime dependencies', () => {
    const modules = Object.keys(graph.inputs);
    expect(modules).toContain('web/server/root.js');
    expect(modules.filter((f) => NOT_PRODUCTION.test(f))).toEqual([]);
    const packages = new Set<string>();
    for (const input of Object.values(graph.inputs)) {
      for (const i of input.imports) if (i.external && !isBuiltin(i.path)) packages.add(packageOf(i.path));
    }
    // Whatever production imports must survive `npm ci --omit=dev`; liquidjs renders the dev storefront preview only.
    expect([...packages].filter((p) => !(p in PACKAGE.dependencies))).toEqual([]);
    expect(packages.has('liquidjs')).toBe(false);
    // And the other way round: a runtime dependency that production never imports is a dev one in the wrong list.
    expect(Object.keys(PACKAGE.dependencies).filter((p) => !packages.has(p))).toEqual([]);
  });
});

describe('the browser bundles', () => {
  const bundles: Array<[string, BuildOptions]> = [...storefrontBundles, ...workspaceBundles].map((options) => [relative(ROOT, options.outfile ?? ''), options]);

  it.each(bundles)('%s is built from no dev or test module and calls no dev route', async (name, options) => {
    const result = await build({ ...options, absWorkingDir: ROOT, write: false, metafile: true, logLevel: 'silent' });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.length).toBeGreaterThan(0);
    expect(inputs.filter((f) => NOT_PRODUCTION.test(f))).toEqual([]);
    expect(Object.keys(result.metafile.outputs).filter((f) => NOT_PRODUCTION.test(f))).toEqual([]);
    for (const file of result.outputFiles) {
      const text = file.text;
      expect(text.match(DEV_ROUTE)?.[0] ?? null).toBeNull();
      // Figures for the report, not assertions.
      console.log(`${name}: ${file.contents.length} bytes, ${gzipSync(file.contents, { level: 9 }).length} gzip`);
    }
  });
});
