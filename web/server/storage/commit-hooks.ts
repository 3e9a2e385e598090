import type { DatabaseConnection, Dialect, Driver, Kysely, TransactionSettings } from 'kysely';

/**
 * Work that must wait until a write is durable and visible to other connections: waking the worker for a job written
 * in a transaction must happen after that transaction commits, or the worker may look, find nothing, and sleep a whole
 * poll interval with the job waiting. Kysely has no commit hook, so the storage's driver gets one: hooks registered
 * while a transaction is open on a connection run once its COMMIT has succeeded, and are dropped if it rolls back (a
 * retried transaction registers its own again on the attempt that commits).
 */
const hooksOf = new WeakMap<DatabaseConnection, Array<() => void>>();

/** Wraps a dialect so its transactions run commit hooks (openStorage does this for every database it opens). */
export function withCommitHooks(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => hookedDriver(dialect.createDriver()),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
  };
}

/**
 * Savepoints are deliberately not passed through: rolling back to one would have to drop the hooks registered after
 * it, which this does not track, so Kysely refuses them (nothing in the app uses them).
 */
function hookedDriver(driver: Driver): Driver {
  return {
    init: () => driver.init(),
    acquireConnection: () => driver.acquireConnection(),
    async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
      // A transaction Kysely abandoned without a rollback (an aborted one) must not hand its hooks to the next.
      hooksOf.set(connection, []);
      await driver.beginTransaction(connection, settings);
    },
    async commitTransaction(connection: DatabaseConnection) {
      await driver.commitTransaction(connection);
      const hooks = hooksOf.get(connection) ?? [];
      hooksOf.delete(connection);
      // A hook's failure must not turn a committed transaction into a thrown one (its caller would retry or report
      // a write that did happen); hooks only wake things up, so a lost one costs a poll interval at most.
      for (const hook of hooks) {
        try {
          hook();
        } catch {
          /* see above */
        }
      }
    },
    async rollbackTransaction(connection: DatabaseConnection) {
      hooksOf.delete(connection);
      await driver.rollbackTransaction(connection);
    },
    releaseConnection: (connection) => driver.releaseConnection(connection),
    destroy: () => driver.destroy(),
  };
}

/**
 * Runs `hook` once what `db` wrote is committed: at once when `db` is not a transaction (each statement committed on
 * its own), otherwise after the transaction's COMMIT. A transaction opened on a database without commit hooks (not
 * through openStorage) is refused rather than silently never running the hook.
 */
export async function afterCommit<DB>(db: Kysely<DB>, hook: () => void): Promise<void> {
  if (!db.isTransaction) {
    hook();
    return;
  }
  const connection = await db.getExecutor().provideConnection(async (c) => c);
  const hooks = hooksOf.get(connection);
  if (!hooks) throw new Error('afterCommit: this transaction was not opened on a database with commit hooks (storage/database.ts)');
  hooks.push(hook);
}
