import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDialectConfig, sql } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from './migrations.js';
import type { Database } from './tables.js';
import { FieldEncryptionPlugin, type UnreadableCell } from './field-encryption.js';
import type { Keyring } from './keyring.js';
import { withCommitHooks } from './commit-hooks.js';

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
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    db = new Kysely<Database>({ dialect: withCommitHooks(new PostgresDialect({ pool })), plugins });
  } else {
    const path = url.replace(/^sqlite:/, '');
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const sqlite = new SQLite(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    db = new Kysely<Database>({ dialect: withCommitHooks(new SqliteDialect({ database: cachingStatements(sqlite) })), plugins });
  }
  const schema = engine === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema : undefined;
  await migrateToLatest(db as Kysely<unknown>, schema);
  return { db, engine, close: () => db.destroy() };
}

/**
 * Kysely's SQLite driver prepares every query anew; compiling the same few statements for every group-commit batch
 * took a few percent of the intake's CPU time (bench/intake.ts, profiled). The connection is used by one query at a
 * time (Kysely holds a mutex), so a prepared statement can be reused; SQLite re-prepares it itself should the schema
 * change. Bounded: multi-row inserts differ by row count.
 */
function cachingStatements(sqlite: SQLite.Database): SqliteDialectConfig['database'] {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => {
      statements.clear();
      sqlite.close();
    },
    prepare: (query: string) => {
      let statement = statements.get(query);
      if (statement) {
        // Most recently used last, so the first entry is the one to evict.
        statements.delete(query);
      } else {
        statement = sqlite.prepare(query);
        if (statements.size >= 256) statements.delete(statements.keys().next().value!);
      }
      statements.set(query, statement);
      return statement;
    },
  };
}
