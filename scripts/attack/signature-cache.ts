/**
 * Read-only review of the perf branch's cache of good form signatures (b00b7d1): what an attacker can and cannot do to
 * it, and what its eviction costs everyone. Run: npx tsx scripts/attack/signature-cache.ts [path to the perf worktree]
 */
import { pathToFileURL } from 'node:url';

const root = process.argv[2] ?? '/work/wt/perf';
const fk = (await import(pathToFileURL(`${root}/web/server/core/form-key.ts`).href)) as typeof import('../../web/server/core/form-key.js');
const key = fk.formKey('secret', 'victim.myshopify.com');
const good = fk.signTags(key, 'vip');

// 1. A forged signature never passes, before or after the good one is known, and never gets in.
const forged = `${good.slice(0, 63)}${good.endsWith('0') ? '1' : '0'}`;
console.log(
  'forged before:',
  fk.formSignatureValid(key, 'vip', forged),
  '| good:',
  fk.formSignatureValid(key, 'vip', good),
  '| forged after:',
  fk.formSignatureValid(key, 'vip', forged),
);
// The cache key is `${key}\n${sig}\n${value}`: key and signature are 64 hex, so no value can shift the boundaries.
console.log(
  'value with newline and the signature inside:',
  fk.formSignatureValid(key, `vip\n${good}`, good),
  fk.formSignatureValid(key, 'vip', `${good}\nvip`),
);
console.log('uppercase hex of a good signature:', fk.formSignatureValid(key, 'vip', good.toUpperCase()));
console.log("another shop's key, same value and signature:", fk.formSignatureValid(fk.formKey('secret', 'other.myshopify.com'), 'vip', good));

// 2. Growth: only good signatures enter, 1,000 at most, then all are dropped. An attacker needs good signatures to
// churn it; the only signer is Liquid (the shop's form key), so only merchants' settings (e.g. an attacker's own shop
// with many forms) can provide them.
const own = fk.formKey('secret', 'attacker-dev-store.myshopify.com');
const values = Array.from({ length: 1_000 }, (_, i) => `tag-${i}`);
const sigs = values.map((v) => fk.signTags(own, v));

// 3. What eviction costs: a check that hits vs one that computes the HMAC.
const time = (label: string, fn: () => void, n = 200_000) => {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  const ns = Number(process.hrtime.bigint() - start) / n;
  console.log(`${label}: ${(ns / 1000).toFixed(2)} µs per check`);
  return ns;
};
const spec =
  `spec:${JSON.stringify(Array.from({ length: 6 }, (_, i) => ({ key: `k${i}`, kind: 'select', required: true, options: Array.from({ length: 50 }, (_, j) => `option-${j}`) })))}`.slice(
    0,
    4000,
  );
const specSig = fk.signTags(key, spec);
time('hit (short value)', () => fk.formSignatureValid(key, 'vip', good));
time('hit (4 KB spec)', () => fk.formSignatureValid(key, spec, specSig));
let i = 0;
// Every check a miss: the attacker cycles 1,000 good signatures of their own between each victim check.
time(
  'victim check under churn (short value)',
  () => {
    fk.formSignatureValid(own, values[i % 1000]!, sigs[i % 1000]);
    i++;
    fk.formSignatureValid(key, 'vip', good);
  },
  50_000,
);
time('HMAC alone, short value (the cost before the cache)', () => fk.signTags(key, 'vip'));
time('HMAC alone, 4 KB spec', () => fk.signTags(key, spec));
const heap = process.memoryUsage().heapUsed;
const big = Array.from({ length: 1000 }, (_, j) => `${spec.slice(0, 3990)}${j}`);
for (const v of big) fk.formSignatureValid(own, v, fk.signTags(own, v));
console.log(`1,000 cached 4 KB specs: heap +${((process.memoryUsage().heapUsed - heap) / 1e6).toFixed(1)} MB (includes the test's own strings)`);
