import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from '../web/server/core/paths.js';

/**
 * Summarises a V8 .cpuprofile (from `BENCH_CPU_PROF=<dir> npm run bench:intake`, or `node --cpu-prof`): the top
 * entries by self time, and the app's own functions (files under web/, schema/) by total time (self plus callees,
 * each function counted once per sample however often it recurses). Usage: tsx bench/cpuprofile-top.ts <file or dir> [n]
 */
interface Frame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: Frame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const target = process.argv[2];
const top = Number(process.argv[3] ?? 15);
// Start-up (module loading, migrations) is not what is measured: samples count from the first one whose stack
// passes through a frame matching this (default: the proxy's routes, i.e. the first request under load).
const from = process.argv[4] ?? 'proxy/routes.';
if (!target) throw new Error('usage: tsx bench/cpuprofile-top.ts <file.cpuprofile or dir> [n]');
// A directory: its largest profile, the main thread's (tsx adds a small one for its loader thread).
const file = statSync(target).isDirectory()
  ? join(
      target,
      readdirSync(target)
        .filter((f) => f.endsWith('.cpuprofile'))
        .sort((a, b) => statSync(join(target, b)).size - statSync(join(target, a)).size)[0] ?? '',
    )
  : target;
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const where = (f: Frame) => {
  const path = f.url.replace(/^file:\/\//, '');
  const short = path.startsWith(PROJECT_ROOT) || path.includes('/node_modules/') ? relative(PROJECT_ROOT, path).replace(/^.*node_modules\//, '') : path;
  return short ? `${short}:${f.lineNumber + 1}` : '';
};
const label = (f: Frame) => `${f.functionName || '(anonymous)'} ${where(f)}`.trim();

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Time per sample: V8 records the delta before each sample.
const self = new Map<string, number>();
const total = new Map<string, number>();
let all = 0;
let idle = 0;
let started = false;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  if (!started) {
    for (let n: number | undefined = id; n !== undefined && !started; n = parent.get(n)) started = label(byId.get(n)!.callFrame).includes(from);
    if (!started) return;
  }
  all += dt;
  const node = byId.get(id)!;
  const name = label(node.callFrame);
  if (node.callFrame.functionName === '(idle)') idle += dt;
  self.set(name, (self.get(name) ?? 0) + dt);
  const seen = new Set<string>();
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
    const l = label(byId.get(n)!.callFrame);
    if (seen.has(l)) continue;
    seen.add(l);
    total.set(l, (total.get(l) ?? 0) + dt);
  }
});

const busy = all - idle;
const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(6)} ms`;
const pct = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)}%`;
console.log(`${relative(process.cwd(), file)}: ${(all / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (percentages are of busy time)`);
console.log(`\nTop ${top} by self time`);
for (const [name, t] of [...self]
  .filter(([n]) => !n.startsWith('(idle)'))
  .sort((a, b) => b[1] - a[1])
  .slice(0, top))
  console.log(`${ms(t)} ${pct(t)}  ${name}`);
const isApp = (name: string) => / (dist\/)?(web|schema)\//.test(name);
console.log(`\nTop ${top} app functions by total time`);
for (const [name, t] of [...total]
  .filter(([n]) => isApp(n))
  .sort((a, b) => b[1] - a[1])
  .slice(0, top))
  console.log(`${ms(t)} ${pct(t)}  ${name}`);
