import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { windowOf } from '../leads/rate-limit.js';
import { type Storage, openStorage } from '../storage/database.js';
import { parseKeyring } from '../storage/keyring.js';
import { lookupKeyring } from '../storage/lookup-keys.js';
import { housekeeping } from './housekeeping.js';

const KEYS = `k1:${Buffer.alloc(32, 3).toString('base64')}`;

describe('housekeeping', () => {
  let storage: Storage | null = null;
  afterEach(async () => {
    vi.useRealTimers();
    await storage?.close();
    storage = null;
  });

  async function chores() {
    const keyring = parseKeyring(KEYS);
    storage = await openStorage('sqlite::memory:', keyring);
    return housekeeping({
      db: storage.db,
      engine: storage.engine,
      keyring,
      lookupKeys: lookupKeyring(KEYS, 'secret'),
      log: pino({ level: 'silent' }),
      dataRequestPackageDays: 30,
    });
  }

  it('gives the worker its five duties by name, each run on its own', async () => {
    const { duties } = await chores();
    expect(Object.keys(duties)).toEqual(['compliance', 'reencryption', 'lookupRehash', 'rateCounters', 'retention']);
  });

  it('sweeps expired rate counters at most once a minute', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2026-11-30T08:00:00Z') });
    const { duties } = await chores();
    const db = storage!.db;
    const stale = () => ({ key: `ip:stale:${Date.now()}`, window: windowOf(Date.now()) - 5, count: 1 });
    const keys = async () => (await db.selectFrom('rate_counters').select('key').execute()).map((r) => r.key);
    const first = stale();
    await db.insertInto('rate_counters').values(first).execute();
    await duties.rateCounters!();
    expect(await keys()).toEqual([]);
    // Within the minute the sweep does not run again, so a counter expired since stays for now.
    vi.setSystemTime(Date.now() + 30_000);
    const second = stale();
    await db.insertInto('rate_counters').values(second).execute();
    await duties.rateCounters!();
    expect(await keys()).toEqual([second.key]);
    vi.setSystemTime(Date.now() + 31_000);
    await duties.rateCounters!();
    expect(await keys()).toEqual([]);
  });
});
