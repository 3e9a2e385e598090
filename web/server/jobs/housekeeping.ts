import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { nowIso } from '../core/ids.js';
import { errorForLog } from '../core/logger.js';
import { type CurrentHashes, indexPendingLeads, rehashBatch } from '../leads/lead-terms.js';
import { deleteExpiredCounters } from '../leads/rate-limit.js';
import { ComplianceRequestFailed, processNextComplianceRequest, purgeDeliveredPackages } from '../privacy/compliance.js';
import { newReencryptCursor, reencryptBatch } from '../privacy/key-rotation.js';
import { purgeExpiredLeads } from '../privacy/retention.js';
import type { Engine } from '../storage/database.js';
import type { Keyring } from '../storage/keyring.js';
import type { LookupKeys } from '../storage/lookup-keys.js';
import type { Database } from '../storage/tables.js';

export interface HousekeepingDeps {
  db: Kysely<Database>;
  engine: Engine;
  /** ENCRYPTION_KEYS: rows under an older key are re-encrypted under the current one. */
  keyring: Keyring;
  /** LOOKUP_KEYS: hashes under an older key are rewritten under the current one. */
  lookupKeys: LookupKeys;
  log: Logger;
  /** DATA_REQUEST_PACKAGE_DAYS: how long a delivered data-request package is kept. */
  dataRequestPackageDays: number;
}

export interface Housekeeping {
  /** Writes search terms of new leads; the worker runs it before the jobs, so a drained lead is searchable. */
  indexer: () => Promise<number>;
  /**
   * The worker's other duties, by name. The worker runs each on its own (jobs/sync-worker.ts): one that throws is
   * logged and backed off, and the others and the sync go on.
   */
  duties: Record<string, () => Promise<unknown>>;
}

/** Sweeps that need not run on every poll. */
function atMostEveryMinute(work: () => Promise<void>): () => Promise<void> {
  let last = 0;
  return async () => {
    if (Date.now() - last < 60_000) return;
    last = Date.now();
    await work();
  };
}

/**
 * The work the worker does besides syncing leads: compliance requests, re-encryption after a key change, rehashing
 * after a lookup-key change, the rate-counter sweep and retention. Each keeps its own state here (cursor, backoffs).
 */
export function housekeeping(deps: HousekeepingDeps): Housekeeping {
  const { db, engine, keyring, lookupKeys, log } = deps;
  const currentHashes: CurrentHashes = { keyId: lookupKeys.currentId, lookup: lookupKeys.lookup, term: lookupKeys.term };
  // A lead with no key recorded that came in since this process started was hashed under the current key (rehashBatch).
  const startedAt = nowIso();
  let rehashing = true;
  // Keys only change at start-up, so re-encryption runs until a pass finds nothing left, then no longer scans.
  const rotation = newReencryptCursor();
  const failingRequests = new Map<string, { failures: number; retryAt: number }>();

  const compliance = async () => {
    // A request that fails is retried after its own backoff; the ones behind it, of any shop, go on now.
    const now = Date.now();
    const skip = [...failingRequests].filter(([, f]) => f.retryAt > now).map(([id]) => id);
    for (;;) {
      try {
        if (!(await processNextComplianceRequest(db, engine, lookupKeys.lookup, Date.now, skip))) break;
        log.info('compliance request completed');
      } catch (error) {
        if (!(error instanceof ComplianceRequestFailed)) throw error;
        const failures = (failingRequests.get(error.requestId)?.failures ?? 0) + 1;
        const retryInMs = Math.min(3_600_000, 5_000 * 2 ** failures);
        failingRequests.set(error.requestId, { failures, retryAt: Date.now() + retryInMs });
        skip.push(error.requestId);
        log.error({ request: error.requestId, failures, retryInMs, error: errorForLog(error.cause) }, 'compliance request failed; the others go on');
      }
    }
  };

  const reencryption = async () => {
    if (rotation.finished) return;
    const reencrypted = await reencryptBatch(db, keyring, lookupKeys.lookup, 200, rotation);
    if (reencrypted) log.info({ rows: reencrypted, key: keyring.currentId }, 'rows re-encrypted under the current key');
  };

  const lookupRehash = async () => {
    if (!rehashing) return;
    const rehashed = await rehashBatch(db, engine, currentHashes, startedAt);
    if (rehashed) log.info({ rows: rehashed, key: lookupKeys.currentId }, 'lookup hashes rewritten under the current lookup key');
    else {
      rehashing = false;
      lookupKeys.retireLegacy();
      log.info({ key: lookupKeys.currentId }, 'lookup rehash done: keys other than the current one can be removed from LOOKUP_KEYS');
    }
  };

  // Rate counters are kept for their window only (the privacy notice promises two minutes at most).
  const rateCounters = atMostEveryMinute(async () => {
    await deleteExpiredCounters(db, Date.now());
  });

  const retention = atMostEveryMinute(async () => {
    for (const { shop, erased } of await purgeExpiredLeads(db)) if (erased) log.info({ shop, erased }, 'retention: expired leads erased');
    const packages = await purgeDeliveredPackages(db, deps.dataRequestPackageDays);
    if (packages) log.info({ packages }, 'delivered data-request packages deleted');
  });

  return {
    indexer: () => indexPendingLeads(db, engine, currentHashes),
    duties: { compliance, reencryption, lookupRehash, rateCounters, retention },
  };
}
