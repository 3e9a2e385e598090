import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LOCALES_DIR } from './paths.js';

/**
 * Shopper-facing strings live once, in the theme extension's locales. The server reads the same files to answer a
 * no-JS form post or a validation failure in the shopper's language.
 */

type Tree = { [key: string]: string | Tree };

export interface Translator {
  locales: string[];
  /** Picks the best supported locale for a requested one (`fr-CA` -> `fr`), falling back to the default. */
  resolve(requested: string | null | undefined): string;
  t(locale: string, key: string, vars?: Record<string, string | number>): string;
}

export function loadTranslator(dir = LOCALES_DIR): Translator {
  const trees = new Map<string, Tree>();
  let fallback = 'en';
  for (const file of readdirSync(dir)) {
    const match = /^([a-zA-Z-]+?)(\.default)?\.json$/.exec(file);
    if (!match || file.includes('.schema.')) continue;
    const locale = match[1]!;
    trees.set(locale.toLowerCase(), JSON.parse(readFileSync(join(dir, file), 'utf8')) as Tree);
    if (match[2]) fallback = locale.toLowerCase();
  }
  const lookup = (tree: Tree | undefined, key: string): string | undefined => {
    let node: string | Tree | undefined = tree;
    for (const part of key.split('.')) node = typeof node === 'object' ? node[part] : undefined;
    return typeof node === 'string' ? node : undefined;
  };
  const resolve = (requested: string | null | undefined): string => {
    const wanted = (requested ?? '').toLowerCase();
    if (trees.has(wanted)) return wanted;
    const base = wanted.split('-')[0] ?? '';
    return trees.has(base) ? base : fallback;
  };
  return {
    locales: [...trees.keys()],
    resolve,
    t(locale, key, vars = {}) {
      const template = lookup(trees.get(resolve(locale)), key) ?? lookup(trees.get(fallback), key) ?? key;
      return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => String(vars[name] ?? ''));
    },
  };
}

/** The first language of an Accept-Language header, for requests that do not say their locale in the body. */
export function preferredLanguage(header: string | null | undefined): string | null {
  const first = header?.split(',')[0]?.split(';')[0]?.trim();
  return first || null;
}
