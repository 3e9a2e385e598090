import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { type GraphQLSchema, type IntrospectionQuery, buildClientSchema } from 'graphql';

import { ADMIN_SCHEMA_PATH } from '../../web/server/core/paths.js';

export { ADMIN_SCHEMA_PATH };

/** The real Admin API 2026-10 schema (introspection JSON from @shopify/dev-mcp; `npm run schema:refresh`). */
let cached: GraphQLSchema | null = null;

export function loadAdminSchema(): GraphQLSchema {
  if (!cached) {
    const json = JSON.parse(gunzipSync(readFileSync(ADMIN_SCHEMA_PATH)).toString('utf8')) as { data?: IntrospectionQuery } & Partial<IntrospectionQuery>;
    cached = buildClientSchema((json.data ?? json) as IntrospectionQuery);
  }
  return cached;
}
