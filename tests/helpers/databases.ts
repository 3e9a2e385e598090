import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The databases a storage suite runs on: SQLite always, PostgreSQL when reachable at TEST_DATABASE_URL. With
 * REQUIRE_POSTGRES=1 (set by .ci/run) an unreachable PostgreSQL fails the run instead of skipping.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let reachable: Promise<boolean> | null = null;

export function postgresReachable(): Promise<boolean> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch (error) {
      if (process.env.REQUIRE_POSTGRES === '1') throw new Error(`REQUIRE_POSTGRES=1 but PostgreSQL is unreachable at ${TEST_DATABASE_URL}: ${String(error)}`);
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return reachable;
}

export type TestEngine = 'sqlite' | 'postgres';

export const ENGINES: TestEngine[] = ['sqlite', 'postgres'];

/** A fresh, isolated database: an in-memory SQLite, or a PostgreSQL schema of its own (dropped by `drop`). */
export async function freshDatabaseUrl(engine: TestEngine): Promise<{ url: string; drop(): Promise<void> } | null> {
  if (engine === 'sqlite') return { url: 'sqlite::memory:', drop: async () => {} };
  if (!(await postgresReachable())) return null;
  const schema = `cc_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(`drop schema ${schema} cascade`);
      await client.end();
    },
  };
}
