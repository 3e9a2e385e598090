import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { doomAbandonedUploads, doomedUploads, forgetUploads } from '../leads/uploads.js';
import { type Call, deleteFiles } from '../shopify/files.js';
import type { Database } from '../storage/tables.js';

/**
 * The worker's duty for attachments: uploads no submission claimed in time are doomed, and every doomed upload's
 * Shopify file (an erased lead's, an abandoned one's) is deleted with fileDelete before its row goes. A shop Shopify
 * cannot reach now keeps its rows for the next round; one without a token (uninstalled) can never be reached, and its
 * rows go when shop/redact erases the shop.
 */
export function fileSweep(deps: { db: Kysely<Database>; admin: (shop: string) => Promise<Call | null>; log: Logger; clock?: () => number }) {
  let lastAbandonedSweep = 0;
  return async (): Promise<number> => {
    const now = (deps.clock ?? Date.now)();
    // Abandoned uploads are looked for once a minute; a doomed file is deleted on the next round (an erasure is prompt).
    if (now - lastAbandonedSweep >= 60_000) {
      lastAbandonedSweep = now;
      const abandoned = await doomAbandonedUploads(deps.db, deps.clock);
      if (abandoned) deps.log.info({ uploads: abandoned }, 'abandoned uploads doomed');
    }
    const doomed = await doomedUploads(deps.db);
    const byShop = new Map<string, typeof doomed>();
    for (const row of doomed) byShop.set(row.shop, [...(byShop.get(row.shop) ?? []), row]);
    let deleted = 0;
    for (const [shop, rows] of byShop) {
      const call = await deps.admin(shop);
      if (!call) continue;
      const fileIds = rows.flatMap((r) => (r.file_id ? [r.file_id] : []));
      const result = await deleteFiles(call, fileIds);
      if (!result.ok) {
        deps.log.warn({ shop, files: fileIds.length, kind: result.kind, detail: result.detail }, 'attachments not deleted yet; retried next round');
        continue;
      }
      await forgetUploads(
        deps.db,
        rows.map((r) => r.id),
      );
      deleted += fileIds.length;
    }
    return deleted;
  };
}
