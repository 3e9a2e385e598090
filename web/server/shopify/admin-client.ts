import * as z from 'zod';
import { API_VERSION } from '../../../schema/fields.js';

/**
 * A thin Admin GraphQL client. It does not retry: the sync worker owns retries and pacing, because only it knows
 * whether a job can wait. Every outcome is returned as data so the worker can classify it.
 */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export type AdminResult<T> =
  | { ok: true; data: T; cost: CostInfo | null }
  | { ok: false; kind: 'throttled'; cost: CostInfo | null }
  | { ok: false; kind: 'transient'; detail: string }
  | { ok: false; kind: 'unauthorized'; detail: string }
  | { ok: false; kind: 'graphql'; detail: string };

export interface CostInfo {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: ThrottleStatus;
}

const costSchema = z.object({
  requestedQueryCost: z.number(),
  actualQueryCost: z.number().nullable(),
  throttleStatus: z.object({ maximumAvailable: z.number(), currentlyAvailable: z.number(), restoreRate: z.number() }),
});

const responseSchema = z.object({
  data: z.record(z.string(), z.unknown()).nullable().optional(),
  errors: z.array(z.object({ message: z.string(), extensions: z.object({ code: z.string().optional() }).passthrough().optional() })).optional(),
  extensions: z.object({ cost: costSchema.optional() }).passthrough().optional(),
});

export interface AdminClientOptions {
  /** Overrides https://{shop} (local emulator, tests). */
  origin?: string | undefined;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export interface AdminClient {
  request<T>(shop: string, accessToken: string, query: string, variables: Record<string, unknown>): Promise<AdminResult<T>>;
}

export function createAdminClient({ origin, timeoutMs, fetch: fetchImpl = fetch }: AdminClientOptions): AdminClient {
  return {
    async request<T>(shop: string, accessToken: string, query: string, variables: Record<string, unknown>): Promise<AdminResult<T>> {
      const base = origin ?? `https://${shop}`;
      const url = `${base}/admin/api/${API_VERSION}/graphql.json`;
      let response: Response;
      try {
        response = await fetchImpl(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            'x-shopify-access-token': accessToken,
            // The emulator serves many shops behind one origin; Shopify ignores this header.
            'x-shopify-shop-domain': shop,
          },
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const name = error instanceof Error ? error.name : 'Error';
        return { ok: false, kind: 'transient', detail: name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : `network error (${name})` };
      }
      if (response.status === 401 || response.status === 403) {
        await response.body?.cancel();
        return { ok: false, kind: 'unauthorized', detail: `HTTP ${response.status}: the access token was refused` };
      }
      if (response.status === 429) {
        await response.body?.cancel();
        return { ok: false, kind: 'throttled', cost: null };
      }
      if (!response.ok) {
        await response.body?.cancel();
        return { ok: false, kind: 'transient', detail: `HTTP ${response.status}` };
      }
      let parsed: z.infer<typeof responseSchema>;
      try {
        parsed = responseSchema.parse(await response.json());
      } catch {
        return { ok: false, kind: 'transient', detail: 'unreadable response body' };
      }
      const cost = parsed.extensions?.cost ?? null;
      if (parsed.errors?.some((e) => e.extensions?.code === 'THROTTLED')) return { ok: false, kind: 'throttled', cost };
      if (parsed.errors?.length) {
        const internal = parsed.errors.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR');
        const detail = parsed.errors
          .map((e) => e.message)
          .join('; ')
          .slice(0, 500);
        return internal ? { ok: false, kind: 'transient', detail } : { ok: false, kind: 'graphql', detail };
      }
      return { ok: true, data: (parsed.data ?? {}) as T, cost };
    },
  };
}
