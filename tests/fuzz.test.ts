import { describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/databases.js';
import { printReport, runFuzz } from './helpers/fuzz.js';

/**
 * A short seeded fuzz run per engine (issue 11, E): generated malformed input to every entry point while legitimate
 * shoppers submit. `npm run bench:fuzz` runs a longer one with other seeds.
 */
describe.each(ENGINES)('fuzzing every entry point on %s', (engine) => {
  it('answers every malformed request 4xx (or accepts it harmlessly), never 5xx; every legitimate lead is acknowledged and synced; the worker keeps working', async (ctx) => {
    const report = await runFuzz({ engine, seed: 20261130, cases: 600, legit: 40 });
    if (!report) return ctx.skip();
    printReport(report);
    expect(report.serverErrors).toEqual([]);
    expect(report.legit).toEqual({ sent: 40, acknowledged: 40, synced: 40 });
    expect(report.workerStillWorking).toBe(true);
    const answered = Object.values(report.byEntry).reduce((sum, counts) => sum + (counts['2xx'] ?? 0) + (counts['4xx'] ?? 0), 0);
    expect(answered).toBeGreaterThan(350);
  }, 120_000);
});
