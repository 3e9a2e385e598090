import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root, found by walking up to package.json, so paths hold from sources (tsx) and from dist/. */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above web/server');
    dir = parent;
  }
  return dir;
}

export const PROJECT_ROOT = findRoot();
export const EXTENSION_DIR = join(PROJECT_ROOT, 'extensions', 'contact-form');
export const LOCALES_DIR = join(EXTENSION_DIR, 'locales');
export const ADMIN_SCHEMA_PATH = join(PROJECT_ROOT, 'schema', 'admin_2026-10.json.gz');
