import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { acceptsConcurrentStatements } from './concurrent.js';

/**
 * SQLite on a thread of its own. better-sqlite3 is synchronous: with synchronous=FULL every COMMIT waits for the
 * disk's fsync (a few milliseconds, more on a busy disk), and on the main thread nothing else ran meanwhile, so a
 * group-commit batch could not gather the next one while it was being made durable (bench/intake.ts: the blocked
 * main thread capped intake near 32 requests per fsync). Here the connection lives in a worker thread that runs the
 * statements as they arrive (those a transaction issued in the same turn arrive in one message: concurrent.ts); the
 * main thread builds queries, encrypts and answers requests while the worker waits on the disk. Nothing about durability changes: a statement's promise resolves once the worker has run it, so a COMMIT
 * resolves once it is on disk.
 *
 * One connection, used by one Kysely connection holder at a time (the mutex below, as in Kysely's own SQLite driver),
 * so transactions never interleave. Prepared statements are cached in the worker (bounded: multi-row inserts differ by
 * row count).
 */

/** The worker's code, plain CommonJS so it runs the same under tsx, vitest and the compiled build. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
let db;
const statements = new Map();
function prepare(sql) {
  let statement = statements.get(sql);
  if (statement) statements.delete(sql);
  else {
    statement = db.prepare(sql);
    if (statements.size >= 256) statements.delete(statements.keys().next().value);
  }
  statements.set(sql, statement);
  return statement;
}
function failure(error) {
  return { name: error && error.name, message: String(error && error.message), code: error && typeof error.code === 'string' ? error.code : undefined };
}
try {
  db = new Database(workerData.path);
  for (const pragma of workerData.pragmas) db.pragma(pragma);
  parentPort.postMessage({ id: 0 });
} catch (error) {
  parentPort.postMessage({ id: 0, error: failure(error) });
}
parentPort.on('message', (message) => {
  if (message.close) {
    statements.clear();
    try { db.close(); } catch {}
    parentPort.postMessage({ id: message.id });
    return;
  }
  // The statements a transaction issued at once (see flush below), in the order issued. Once one fails the rest are
  // not run: the caller would not have sent them after seeing that failure, and its transaction will be rolled back.
  const results = [];
  let failed = null;
  for (const one of message.statements) {
    if (failed) {
      results.push({ error: { name: 'Error', message: 'not run: a statement sent before it in the same transaction failed' } });
      continue;
    }
    try {
      // A transaction's BEGIN travels with its first statement (see beginTransaction below).
      if (one.begin) prepare('begin').run();
      const params = one.params;
      // A Buffer arrives as a plain Uint8Array after the copy between threads.
      for (let i = 0; i < params.length; i++) if (params[i] instanceof Uint8Array && !Buffer.isBuffer(params[i])) params[i] = Buffer.from(params[i].buffer, params[i].byteOffset, params[i].byteLength);
      const statement = prepare(one.sql);
      if (statement.reader) results.push({ rows: statement.all(params) });
      else {
        const { changes, lastInsertRowid } = statement.run(params);
        results.push({ changes, lastInsertRowid });
      }
    } catch (error) {
      failed = failure(error);
      results.push({ error: failed });
    }
  }
  parentPort.postMessage({ id: message.id, results });
});
`;

interface Outcome {
  rows?: unknown[];
  changes?: number;
  lastInsertRowid?: number | bigint;
  error?: { name?: string; message: string; code?: string };
}

interface Reply {
  id: number;
  /** One per statement sent, in order. */
  results?: Outcome[];
  error?: Outcome['error'];
}

interface Statement {
  sql: string;
  params: readonly unknown[];
  begin?: true;
}

export interface SqliteThreadConfig {
  /** A file path or `:memory:`. */
  path: string;
  /** Run in order once the connection is open (`journal_mode = WAL`, ...). */
  pragmas: readonly string[];
}

export class SqliteThreadDialect implements Dialect {
  constructor(private readonly config: SqliteThreadConfig) {}
  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }
  createDriver(): Driver {
    return new SqliteThreadDriver(this.config);
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }
}

/** The error the worker reported, rebuilt on this side: SQLite's own keep their class and code (SQLITE_CONSTRAINT_...). */
function rebuild(error: NonNullable<Outcome['error']>): Error {
  if (error.name === 'SqliteError' && error.code) return new SQLite.SqliteError(error.message, error.code);
  const rebuilt =
    error.name === 'TypeError' ? new TypeError(error.message) : error.name === 'RangeError' ? new RangeError(error.message) : new Error(error.message);
  if (error.code) Object.assign(rebuilt, { code: error.code });
  return rebuilt;
}

class SqliteThreadDriver implements Driver {
  private worker: Worker | null = null;
  private failed: Error | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(reply: Reply): void; reject(error: Error): void }>();
  private readonly connection: DatabaseConnection;
  private lock: Promise<void> | null = null;
  /** BEGIN not sent yet: it goes with the transaction's first statement, one message fewer per transaction. */
  private beginPending = false;
  private unlock: (() => void) | null = null;
  /** Statements issued in this turn of the event loop, not sent yet (flush). */
  private outgoing: Array<{ statement: Statement; resolve(outcome: Outcome): void; reject(error: Error): void }> = [];

  constructor(private readonly config: SqliteThreadConfig) {
    this.connection = {
      executeQuery: <R>(query: CompiledQuery) => this.execute<R>(query),
      streamQuery: <R>(query: CompiledQuery) => this.stream<R>(query),
    };
    acceptsConcurrentStatements(this.connection);
  }

  async init(): Promise<void> {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { module: createRequire(import.meta.url).resolve('better-sqlite3'), path: this.config.path, pragmas: this.config.pragmas },
    });
    this.worker = worker;
    const ready = new Promise<Reply>((resolve, reject) => this.pending.set(0, { resolve, reject }));
    worker.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      // The thread keeps the process alive only while a statement is under way: an idle storage someone forgot to
      // close must not hold a script open, and one awaiting an answer must not let it exit.
      if (!this.pending.size) worker.unref();
      if (reply.error) waiter.reject(rebuild(reply.error));
      else waiter.resolve(reply);
    });
    // A thread that dies (out of memory, a crash in the native module) fails every statement under way and after.
    const die = (error: Error) => {
      this.failed ??= error;
      for (const waiter of this.pending.values()) waiter.reject(this.failed);
      this.pending.clear();
    };
    worker.on('error', die);
    worker.on('exit', (code) => die(new Error(`the SQLite thread exited (${code})`)));
    await ready;
  }

  private send(message: { statements: Statement[] } | { close: true }): Promise<Reply> {
    const worker = this.worker;
    if (this.failed) return Promise.reject(this.failed);
    if (!worker) return Promise.reject(new Error('the SQLite thread is not running'));
    const id = this.nextId++;
    if (!this.pending.size) worker.ref();
    const reply = new Promise<Reply>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    try {
      worker.postMessage({ id, ...message });
    } catch (error) {
      // A parameter that cannot be copied to the thread (a function, a symbol: DataCloneError) never left this
      // thread: nothing ran and no answer will come, so nothing may wait for one (it would hold the process open).
      this.pending.delete(id);
      if (!this.pending.size) worker.unref();
      throw error;
    }
    return reply;
  }

  private execute<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const begin = this.beginPending;
    this.beginPending = false;
    const outcome = new Promise<Outcome>((resolve, reject) =>
      this.outgoing.push({ statement: { sql: query.sql, params: query.parameters, ...(begin ? { begin } : {}) }, resolve, reject }),
    );
    if (this.outgoing.length === 1) queueMicrotask(() => this.flush());
    return outcome.then((done) => {
      if (done.rows) return { rows: done.rows as R[] };
      return {
        numAffectedRows: done.changes !== undefined && done.changes !== null ? BigInt(done.changes) : undefined,
        insertId: done.lastInsertRowid !== undefined && done.lastInsertRowid !== null ? BigInt(done.lastInsertRowid) : undefined,
        rows: [],
      };
    });
  }

  /**
   * Sends the statements issued since the last flush in one message: a transaction that issues several at once
   * (storage/concurrent.ts) wakes the thread once for them, not once each. Kysely issues one at a time otherwise, so
   * a group is then a single statement, as before.
   */
  private flush(): void {
    const group = this.outgoing;
    this.outgoing = [];
    let reply: Promise<Reply>;
    try {
      reply = this.send({ statements: group.map((g) => g.statement) });
    } catch (error) {
      // Not sent, so BEGIN did not run either (it rides with a transaction's first statement, which is first in its
      // group): the rollback that follows must not ask SQLite to end no transaction (its "no transaction is active"
      // would replace this error).
      if (group[0]?.statement.begin) this.beginPending = true;
      for (const g of group) g.reject(error as Error);
      return;
    }
    reply.then(
      ({ results }) =>
        group.forEach((g, i) => {
          const outcome = results?.[i];
          if (!outcome) g.reject(new Error('the SQLite thread answered without this statement'));
          else if (outcome.error) g.reject(rebuild(outcome.error));
          else g.resolve(outcome);
        }),
      (error: Error) => {
        for (const g of group) g.reject(error);
      },
    );
  }

  private async *stream<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    // Rows come over in one message: the app streams nothing large from SQLite, and a cursor across threads would
    // hold the connection between messages.
    const { rows } = await this.execute<R>(query);
    for (const row of rows) yield { rows: [row] };
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    while (this.lock) await this.lock;
    this.lock = new Promise((resolve) => (this.unlock = resolve));
    return this.connection;
  }

  async releaseConnection(): Promise<void> {
    const unlock = this.unlock;
    this.lock = null;
    this.unlock = null;
    unlock?.();
  }

  // Each message costs a wake-up of both threads, and a group-commit batch is only a handful of statements: BEGIN is
  // sent with the transaction's first statement (which then fails with BEGIN's error, if any), and a transaction
  // that ran none sends nothing at all. The connection is held by one transaction at a time, so one flag is enough.
  async beginTransaction(): Promise<void> {
    this.beginPending = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.beginPending) {
      this.beginPending = false;
      return;
    }
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.beginPending) {
      this.beginPending = false;
      return;
    }
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async destroy(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    if (!this.failed) await this.send({ close: true }).catch(() => {});
    this.failed ??= new Error('the database is closed');
    this.worker = null;
    await worker.terminate();
  }
}
