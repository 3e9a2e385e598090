import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { PROJECT_ROOT } from '../../web/server/core/paths.js';
import type { ShopData } from './store.js';
export type { ReceivedTrigger } from './store.js';

/**
 * Shopify Flow's side of `flowTriggerReceive`, for the app's own triggers: the emulator stands for a shop of a deployed
 * app, so the triggers it knows are those the app's `flow_trigger` extensions declare, read from the same TOML files
 * `shopify app deploy` uploads. Each received trigger is recorded on the shop for tests and the local mode to read.
 */
export interface DeclaredTrigger {
  handle: string;
  name: string;
  /** Payload keys and their Flow field types; a customer_reference field is the payload key `customer_id`. */
  fields: Map<string, string>;
}

/** Shopify's documented limit on a trigger payload (shopify.dev, "Create a Flow trigger": 50 KB). */
export const FLOW_PAYLOAD_LIMIT_BYTES = 50_000;

type TriggerToml = { extensions?: Array<{ type?: string; handle?: string; name?: string }>; settings?: { fields?: Array<{ type: string; key?: string }> } };

export function readDeclaredFlowTriggers(root = join(PROJECT_ROOT, 'extensions')): Map<string, DeclaredTrigger> {
  const triggers = new Map<string, DeclaredTrigger>();
  for (const dir of readdirSync(root, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    let text: string;
    try {
      text = readFileSync(join(root, dir.name, 'shopify.extension.toml'), 'utf8');
    } catch {
      continue;
    }
    const toml = parse(text) as TriggerToml;
    const extension = toml.extensions?.[0];
    if (extension?.type !== 'flow_trigger' || !extension.handle) continue;
    const fields = new Map<string, string>();
    for (const f of toml.settings?.fields ?? []) {
      if (f.type.endsWith('_reference')) fields.set(`${f.type.replace(/_reference$/, '')}_id`, f.type);
      else if (f.key) fields.set(f.key, f.type);
    }
    triggers.set(extension.handle, { handle: extension.handle, name: extension.name ?? extension.handle, fields });
  }
  return triggers;
}

const FITS: Record<string, (v: unknown) => boolean> = {
  boolean: (v) => typeof v === 'boolean',
  single_line_text_field: (v) => typeof v === 'string',
  email: (v) => typeof v === 'string' && /^[^@\s]+@[^@\s]+$/.test(v),
  url: (v) => typeof v === 'string' && /^https?:\/\/\S+$/.test(v),
  number_decimal: (v) => typeof v === 'number' && Number.isFinite(v),
  customer_reference: (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) || (typeof v === 'string' && /^\d{1,20}$/.test(v)),
};

type UserError = { field: string[]; message: string };

export function flowTriggerReceive(
  data: ShopData,
  triggers: Map<string, DeclaredTrigger>,
  args: { handle?: string | null; payload?: unknown; body?: string | null },
): { userErrors: UserError[] } {
  const errors: UserError[] = [];
  const trigger = args.handle ? triggers.get(args.handle) : undefined;
  if (!args.handle) errors.push({ field: ['handle'], message: 'Handle is required' });
  else if (!trigger) errors.push({ field: ['handle'], message: `Invalid handle '${args.handle}'` });
  const payload = args.payload;
  if (payload === undefined || payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    errors.push({ field: ['payload'], message: 'Payload must be an object' });
    return { userErrors: errors };
  }
  const size = Buffer.byteLength(JSON.stringify(payload), 'utf8');
  if (size > FLOW_PAYLOAD_LIMIT_BYTES) errors.push({ field: ['payload'], message: `Properties size exceeds the limit of ${FLOW_PAYLOAD_LIMIT_BYTES} bytes.` });
  if (trigger) {
    for (const [key, value] of Object.entries(payload)) {
      const type = trigger.fields.get(key);
      if (!type) errors.push({ field: ['payload', key], message: `'${key}' is not a field of the trigger '${trigger.handle}'` });
      else if (value !== null && !(FITS[type] ?? (() => true))(value)) errors.push({ field: ['payload', key], message: `'${key}' is not a valid ${type}` });
    }
  }
  if (errors.length) return { userErrors: errors };
  data.flowTriggers.push({ handle: args.handle!, payload: payload as Record<string, unknown>, at: new Date().toISOString() });
  return { userErrors: [] };
}
