import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { PROJECT_ROOT } from '../../web/server/core/paths.js';

/**
 * The customer metafield definitions an app declares in `shopify.app.toml` (`[customer.metafields.app.<key>]`).
 * Shopify makes them in every shop where the app is installed when the app is deployed; the emulator stands for a
 * shop of a deployed app, so each shop it installs starts with them, read from the same toml Shopify would read.
 */
export interface DeclaredDefinition {
  key: string;
  type: string;
  name: string;
  description?: string;
  access: { admin?: string; customer_account?: string; storefront?: string };
}

export function readDeclaredCustomerDefinitions(tomlPath = join(PROJECT_ROOT, 'shopify.app.toml')): DeclaredDefinition[] {
  const toml = parse(readFileSync(tomlPath, 'utf8')) as { customer?: { metafields?: { app?: Record<string, Omit<DeclaredDefinition, 'key'>> } } };
  return Object.entries(toml.customer?.metafields?.app ?? {}).map(([key, d]) => ({
    key,
    type: d.type,
    name: d.name,
    description: d.description,
    access: d.access ?? {},
  }));
}
