import { type ConnectionProvider, type DatabaseConnection, Transaction } from 'kysely';

/**
 * Connections whose driver sends the statements issued at once without waiting for each answer: the SQLite thread's
 * (one message for them) and pg's in pipeline mode (database.ts). Others would queue them, and pg outside pipeline
 * mode deprecates being asked to; there `concurrent` changes nothing.
 */
const takesConcurrent = new WeakSet<DatabaseConnection>();
export const acceptsConcurrentStatements = (connection: DatabaseConnection): void => void takesConcurrent.add(connection);

/**
 * Kysely runs a transaction's statements one after another, even those issued at once: each waits until the one before
 * it has answered. The group-commit batch (leads/intake.ts) issues several that need nothing from each other (three
 * reads of settings, then the consent records and the outbox jobs), and on SQLite every statement is a round trip to
 * its thread (sqlite-thread.ts) that wakes both threads. This gives the same transaction with that wait removed:
 * statements issued in the same turn reach the driver in that turn: the SQLite driver sends them in one message, and pg
 * in pipeline mode writes them one after the other without waiting for each answer (one round trip for them all).
 *
 * Statements issued together run in the order issued. Use `settled` to wait for them: a transaction must not be rolled
 * back while another statement of it is still on its way.
 */
export async function concurrent<DB>(trx: Transaction<DB>): Promise<Transaction<DB>> {
  // The transaction's own connection: its commit hooks (commit-hooks.ts) are keyed by this object.
  const connection = await trx.getExecutor().provideConnection(async (c) => c);
  if (!takesConcurrent.has(connection)) return trx;
  const provider: ConnectionProvider = { provideConnection: <T>(consumer: (c: DatabaseConnection) => Promise<T>) => consumer(connection) };
  // Plugins (field encryption) stay: withConnectionProvider keeps them. A Transaction needs its database's config,
  // driver and dialect only to open transactions and connections or to close the database, which it refuses anyway.
  return new Transaction<DB>({ config: UNUSED, driver: UNUSED, dialect: UNUSED, executor: trx.getExecutor().withConnectionProvider(provider) });
}

const UNUSED = new Proxy(
  {},
  {
    get(_, key) {
      // What inspecting or awaiting an object looks for: absent, rather than a throw from a log line.
      if (typeof key === 'symbol' || key === 'then') return undefined;
      throw new Error('not available on a concurrent view of a transaction (storage/concurrent.ts)');
    },
  },
) as never;

/**
 * Waits for every promise to settle, then resolves with their values in order, or rejects with the failure that came
 * first (on PostgreSQL the statements after a failed one fail too, as the transaction is aborted: the first is the cause).
 */
export async function settled<T extends readonly unknown[]>(...promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  let first: { error: unknown } | null = null;
  const values = await Promise.all(
    promises.map((p) =>
      p.catch((error: unknown) => {
        first ??= { error };
        return undefined;
      }),
    ),
  );
  if (first) throw (first as { error: unknown }).error;
  return values as unknown as T;
}
