import { ENGINES, type TestEngine } from '../tests/helpers/databases.js';
import { printReport, runFuzz } from '../tests/helpers/fuzz.js';

/**
 * The long fuzz run (issue 11, E): generated malformed input to every entry point while legitimate shoppers submit,
 * on SQLite and PostgreSQL, several seeds. Prints, per engine and seed, the answers per entry point, every 5xx with
 * the request that caused it, and whether every legitimate lead was acknowledged and synced. Exits 1 on any 5xx or
 * lost lead. FUZZ_CASES (default 3000), FUZZ_LEGIT (300), FUZZ_SEEDS (comma-separated), FUZZ_ENGINE (one engine).
 */
const cases = Number(process.env.FUZZ_CASES ?? 3000);
const legit = Number(process.env.FUZZ_LEGIT ?? 300);
const seeds = (process.env.FUZZ_SEEDS ?? '1,2,3').split(',').map(Number);
const engines = process.env.FUZZ_ENGINE ? [process.env.FUZZ_ENGINE as TestEngine] : ENGINES;

let failed = false;
for (const engine of engines) {
  for (const seed of seeds) {
    const started = Date.now();
    const report = await runFuzz({ engine, seed, cases, legit, concurrency: 8 });
    if (!report) {
      console.log(`fuzz on ${engine}: skipped (database unreachable)`);
      continue;
    }
    printReport(report);
    console.log(`  ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const lost = report.legit.acknowledged !== report.legit.sent || report.legit.synced !== report.legit.sent;
    if (report.serverErrors.length || lost || !report.workerStillWorking) failed = true;
  }
}
process.exit(failed ? 1 : 0);
