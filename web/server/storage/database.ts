import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Dialect, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from './migrations.js';
import type { Database } from './tables.js';
import { FieldEncryptionPlugin, type UnreadableCell } from './field-encryption.js';
import type { Keyring } from './keyring.js';
import { withCommitHooks } from './commit-hooks.js';
import { SqliteThreadDialect } from './sqlite-thread.js';
import { acceptsConcurrentStatements } from './concurrent.js';

export type Engine = 'sqlite' | 'postgres';

export interface Storage {
  db: Kysely<Database>;
  engine: Engine;
  close(): Promise<void>;
}

/**
 * Opens the database named by DATABASE_URL (`sqlite:<path>`, `sqlite::memory:` or `postgres://...`) and migrates it.
 * SQLite runs in WAL mode with synchronous=FULL: a lead is acknowledged only once its commit is on disk. Transactions
 * run commit hooks (commit-hooks.ts), which the outbox uses to wake the worker only once a job is visible.
 */
export async function openStorage(url: string, keyring?: Keyring, onUnreadable?: (cells: UnreadableCell[]) => void): Promise<Storage> {
  const plugins = keyring ? [new FieldEncryptionPlugin(keyring, onUnreadable)] : [];
  const engine: Engine = /^postgres(ql)?:\/\//.test(url) ? 'postgres' : 'sqlite';
  let db: Kysely<Database>;
  if (engine === 'postgres') {
    // Pipeline mode: a query is written as soon as it is issued, not once the one before it has answered, so the
    // statements a transaction issues at once (concurrent.ts) cost one round trip together. Issued one at a time,
    // as everywhere else, nothing changes.
    const pool = new pg.Pool({ connectionString: url, max: 10, pipeline: true });
    pool.on('connect', oneWritePerTurn);
    db = new Kysely<Database>({ dialect: withCommitHooks(takingConcurrentStatements(new PostgresDialect({ pool }))), plugins });
  } else {
    const path = url.replace(/^sqlite:/, '');
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    // On a thread of its own (sqlite-thread.ts), so the main thread goes on with requests while a commit waits on the disk.
    const pragmas = ['journal_mode = WAL', 'synchronous = FULL', 'foreign_keys = ON', 'busy_timeout = 5000'];
    db = new Kysely<Database>({ dialect: withCommitHooks(new SqliteThreadDialect({ path, pragmas })), plugins });
  }
  const schema = engine === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema : undefined;
  await migrateToLatest(db as Kysely<unknown>, schema);
  return { db, engine, close: () => db.destroy() };
}

/** Marks the dialect's connections as taking the statements a transaction issues at once (concurrent.ts). */
function takingConcurrentStatements(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => {
      const driver = dialect.createDriver();
      return {
        init: () => driver.init(),
        acquireConnection: async () => {
          const connection = await driver.acquireConnection();
          acceptsConcurrentStatements(connection);
          return connection;
        },
        beginTransaction: (connection, settings) => driver.beginTransaction(connection, settings),
        commitTransaction: (connection) => driver.commitTransaction(connection),
        rollbackTransaction: (connection) => driver.rollbackTransaction(connection),
        releaseConnection: (connection) => driver.releaseConnection(connection),
        destroy: () => driver.destroy(),
      };
    },
  };
}

/**
 * In pipeline mode pg writes each query to the socket as it is issued: the statements a batch issues at once were one
 * write each, and each write wakes the server's backend, which on a busy machine took the core from this thread (the
 * top entry of the PostgreSQL intake profile). The socket is corked from a turn's first query to the end of that turn,
 * so they leave in one write. Nothing waits longer than the current turn.
 */
function oneWritePerTurn(client: pg.PoolClient): void {
  if (!(client instanceof pg.Client)) return;
  const stream = client.connection.stream;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  let corked = false;
  const send = (...args: unknown[]): unknown => {
    if (!corked) {
      corked = true;
      stream.cork();
      process.nextTick(() => {
        corked = false;
        stream.uncork();
      });
    }
    return query(...args);
  };
  client.query = send as typeof client.query;
}
